// What branch staff do: find a person, read their file, and change their account. Every
// change checks the role first, locks the account row, and writes the change, its audit
// event (with the staff member's reason) and any SMS in one transaction.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit, verifyAuditChain, type AuditChainReport } from '../audit/audit.js';
import type { Config } from '../config.js';
import type { DB } from '../db/schema.js';
import { compactNumberInput } from '../identity/digits.js';
import { parseForeignNationalId } from '../identity/foreignNationalId.js';
import { maskMobile, parseMobile } from '../identity/mobile.js';
import { isValidNationalCode } from '../identity/nationalCode.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { PasswordHasher } from '../security/passwords.js';
import { randomId } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { t, type Lang, type MessageKey, type MessageParams } from '../messages/index.js';
import * as q from './backoffice.queries.js';
import type { AccountRow, AccountSummary, AccountsService, Actor } from '../accounts/accounts.service.js';
import type { MobileOwnership } from '../registries/types.js';
import { can, type Capability, type StaffPrincipal } from './roles.js';
import { SMS_QUEUE } from '../notifications/sms.service.js';
import type { JobQueue } from '../jobs/queue.js';
import { randomBytes } from 'node:crypto';

export const DOCUMENTS = ['national_card', 'birth_certificate', 'passport', 'fida_card', 'residence_permit'] as const;
export type DocumentCode = (typeof DOCUMENTS)[number];

export const PERSON_ACTIONS = ['activate', 'reject', 'mobile', 'reset-password', 'unlock', 'disable', 'enable'] as const;
export type PersonAction = (typeof PERSON_ACTIONS)[number];

const REASON_MAX = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type BackofficeDeps = {
  db: Kysely<DB>;
  config: Config;
  sms: SmsService;
  queue: JobQueue;
  hasher: PasswordHasher;
  logger: Logger;
  clock: () => Date;
  /** Keeps a hashed trace of a rejected registration (registration's rememberRejection). */
  rememberRejection: (trx: Kysely<DB>, nationalCode: string, mobile: string) => Promise<void>;
  accounts: AccountsService;
  mobileOwnership: MobileOwnership;
  /** Verification's keyed hash of a national code, under which it keeps why registrations were rejected. */
  verificationRejectionKey?: (nationalCode: string) => string;
};

export type RequestMeta = { ip: string };

export type SearchResult = {
  kind: 'national_code' | 'foreign_national_id' | 'mobile';
  people: AccountSummary[];
  /** A foreign identifier recorded at a branch with no account yet. */
  preregisteredAt?: Date;
  /** Registrations of the searched national code that verification rejected (the accounts are gone). */
  rejections?: q.VerificationRejectionRow[];
};

type Fields = Partial<Record<string, MessageKey>>;

function parseReason(input: unknown): { ok: true; value: string } | { ok: false; error: MessageKey } {
  const reason = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  if (reason.length < 3) return { ok: false, error: 'backoffice.reason_required' };
  if (reason.length > REASON_MAX) return { ok: false, error: 'backoffice.reason_too_long' };
  return { ok: true, value: reason };
}

/** Checkbox values arrive as one string or an array of strings. */
function parseDocuments(input: unknown): DocumentCode[] {
  const list = Array.isArray(input) ? input : input === undefined ? [] : [input];
  return [...new Set(list.filter((d): d is DocumentCode => typeof d === 'string' && (DOCUMENTS as readonly string[]).includes(d)))];
}

/** A temporary password the person types from an SMS: no look-alike characters, passes the rules. */
function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const limit = Math.floor(256 / alphabet.length) * alphabet.length;
  let out = '';
  while (out.length < 8) {
    for (const b of randomBytes(16)) if (b < limit && out.length < 8) out += alphabet[b % alphabet.length];
  }
  return `T${out}4`;
}

export function createBackofficeService(deps: BackofficeDeps) {
  const { db, sms, clock, logger, config } = deps;

  function require(staff: StaffPrincipal, capability: Capability): Failure | null {
    return can(staff, capability) ? null : { kind: 'forbidden', code: 'backoffice.forbidden' };
  }

  const audit = (trx: Kysely<DB>, staff: StaffPrincipal, meta: RequestMeta, event: string, accountId: string | null, data: Record<string, unknown>) =>
    recordAudit(trx, {
      actorType: 'staff',
      actorId: staff.id,
      accountId,
      event,
      data: { ...data, staff: staff.username, role: staff.role, ...(staff.branchCode ? { branch: staff.branchCode } : {}) },
      ip: meta.ip,
      at: clock(),
    });


  function greeting(a: AccountRow): MessageParams {
    const names = { firstName: a.first_name ?? '', lastName: a.last_name ?? '' };
    const key = a.gender === 'female' ? 'sms.greeting_female' : a.gender === 'male' ? 'sms.greeting_male' : 'sms.greeting_neutral';
    return { greeting: t('fa', key, names) };
  }

  /** The accounts capability's view of the staff member making a change. */
  const staffActor = (staff: StaffPrincipal, meta: RequestMeta, reason: string, walkIn: { documents: string[]; personBranch: string | null } | null): Extract<Actor, { kind: 'staff' }> => ({
    kind: 'staff',
    staff,
    ip: meta.ip,
    reason,
    walkIn,
  });

  /**
   * Branch scope: admins act on anyone; a branch operator acts on people of their own branch
   * (insured branch or the branch that recorded them), or on anyone else only as a recorded
   * walk-in (the person at the counter, documents seen) — listed for the supervisors.
   */
  function scope(staff: StaffPrincipal, account: AccountRow, input: Record<string, unknown>): Result<{ documents: string[]; personBranch: string | null } | null, Failure> {
    if (staff.role === 'admin') return ok(null);
    if (staff.branchCode && account.branch_code === staff.branchCode) return ok(null);
    const documents = parseDocuments(input.walkInDocuments);
    if (documents.length === 0) return invalid({ walkInDocuments: 'backoffice.walk_in_required' }, 'backoffice.walk_in_required');
    return ok({ documents, personBranch: account.branch_code });
  }

  /**
   * The frame of every person action: role check, reason check, one transaction with the
   * account row locked, branch scope; `body` runs the account's transition (which writes its
   * audit event, SMS and retirements) or returns a failure.
   */
  async function act(
    staff: StaffPrincipal,
    accountId: string,
    input: Record<string, unknown>,
    meta: RequestMeta,
    body: (trx: Kysely<DB>, account: AccountRow, actor: Extract<Actor, { kind: 'staff' }>) => Promise<Result<unknown, Failure>>,
    prepare?: () => Fields,
  ): Promise<Result<{}, Failure>> {
    const denied = require(staff, 'act');
    if (denied) return { ok: false, error: denied };
    if (!UUID.test(accountId)) return fail('not_found', 'backoffice.person_not_found');
    const reason = parseReason(input.reason);
    const fields: Fields = { ...(prepare?.() ?? {}) };
    if (!reason.ok) fields.reason = reason.error;
    if (Object.keys(fields).length) return invalid(fields);
    const result = await db.transaction().execute(async (trx) => {
      const account = await deps.accounts.lockForUpdate(trx, accountId);
      if (!account) return fail('not_found', 'backoffice.person_not_found');
      const scoped = scope(staff, account, input);
      if (!scoped.ok) return scoped;
      const done = await body(trx, account, staffActor(staff, meta, (reason as { value: string }).value, scoped.value));
      if (!done.ok) return done;
      return ok({});
    });
    if (result.ok) logger.info({ staffId: staff.id, accountId }, 'back-office action');
    return result;
  }

  async function confirmMobile(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ flowId?: string }, Failure>> {
    const flow = await deps.accounts.findCode(String(input.flowId), 'staff_mobile_change');
    if (!flow || flow.account_id !== accountId || flow.consumed_at || !flow.mobile) return fail('conflict', 'backoffice.mobile_flow_expired');
    const verdict = await deps.accounts.codes.verify({
      purpose: 'staff-mobile-code',
      flowId: flow.id,
      input: input.code,
      stored: { hash: flow.code_hash, expiresAt: flow.expires_at, attempts: flow.attempts },
      maxAttempts: config.signin.codeMaxAttempts,
      ttlSeconds: config.signin.codeTtlSeconds,
      countAttempt: () => deps.accounts.countCodeAttempt(flow.id),
      deliveredAt: await sms.deliveredAt(`staff-mobile:${flow.id}`),
    });
    if (!verdict.ok) {
      if (verdict.error === 'attempts_exceeded') return fail('limited', 'backoffice.mobile_code_attempts');
      return invalid({ code: verdict.error === 'expired' ? 'backoffice.mobile_code_expired' : verdict.error === 'wrong' ? 'backoffice.mobile_code_wrong' : 'backoffice.mobile_code_required' });
    }
    const newMobile = flow.mobile;
    const result = await act(staff, accountId, input, meta, async (trx, _account, actor) => {
      if (!(await deps.accounts.consumeCode(trx, flow.id))) return fail('conflict', 'backoffice.mobile_flow_expired');
      await sms.endSecretsOf(trx, { key: `staff-mobile:${flow.id}` });
      await deps.accounts.setMobile(trx, 'setMobileByStaff', actor, accountId, newMobile);
      return ok({});
    });
    return result.ok ? ok({}) : result;
  }

  /** Why registrations of a national code were rejected (kept by verification after deleting them). */
  const rejectionsOf = (nationalCode: string) =>
    deps.verificationRejectionKey ? q.findVerificationRejections(db, deps.verificationRejectionKey(nationalCode)) : Promise.resolve([]);

  const wrongState = (status: string) => fail('conflict', 'backoffice.wrong_state', { params: { status } });

  return {
    can,

    /** By national code (10 digits), foreign identifier (12 digits) or mobile number. */
    async search(staff: StaffPrincipal, query: unknown): Promise<Result<SearchResult, Failure>> {
      const denied = require(staff, 'view');
      if (denied) return { ok: false, error: denied };
      const text = typeof query === 'string' ? compactNumberInput(query) : '';
      if (/^\d{10}$/.test(text) && isValidNationalCode(text)) {
        const [people, rejections] = await Promise.all([deps.accounts.summaries({ nationalCode: text }), rejectionsOf(text)]);
        return ok({ kind: 'national_code', people, rejections });
      }
      if (/^\d{12}$/.test(text) && !parseMobile(text).ok) {
        const people = await deps.accounts.summaries({ foreignNationalId: text });
        const pre = people.length === 0 ? await q.findForeignPreregistration(db, text) : undefined;
        return ok({ kind: 'foreign_national_id', people, ...(pre && !pre.revoked_at ? { preregisteredAt: pre.recorded_at } : {}) });
      }
      const mobile = parseMobile(typeof query === 'string' ? query : '');
      if (mobile.ok) return ok({ kind: 'mobile', people: await deps.accounts.summaries({ mobile: mobile.value }) });
      return invalid({ q: 'backoffice.search_invalid' });
    },

    /** Everything staff see about a person; the look-up itself is audited. */
    /** `recordView: false` for the page shown again right after an action (the action is the event). */
    async person(staff: StaffPrincipal, accountId: string, meta: RequestMeta, options: { recordView?: boolean } = {}) {
      const denied = require(staff, 'view');
      if (denied) return { ok: false as const, error: denied };
      if (!UUID.test(accountId)) return fail('not_found', 'backoffice.person_not_found');
      const account = await deps.accounts.get(accountId);
      if (!account) return fail('not_found', 'backoffice.person_not_found');
      const [verification, messages, events, rejections] = await Promise.all([
        q.findVerificationRequest(db, accountId),
        q.listSmsOfAccount(db, accountId, account.mobile),
        q.listAuditOfAccount(db, accountId),
        account.national_code ? rejectionsOf(account.national_code) : Promise.resolve([]),
      ]);
      const staffIds = [...new Set(events.filter((e) => e.actor_type === 'staff' && e.actor_id && UUID.test(e.actor_id)).map((e) => e.actor_id!))];
      const names = new Map((await q.staffNames(db, staffIds)).map((s) => [s.id, s.username]));
      if (options.recordView !== false) await db.transaction().execute((trx) => audit(trx, staff, meta, 'backoffice.person_viewed', accountId, {}));
      return ok({ account, verification, messages, events, staffNames: names, rejections });
    },

    activate(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      const documents = parseDocuments(input.documents);
      return act(
        staff,
        accountId,
        // The person is at the counter with their documents: those seen for the activation
        // are the walk-in record when the person belongs to no branch or another one.
        { ...input, walkInDocuments: input.walkInDocuments ?? input.documents },
        meta,
        async (trx, account, actor) => {
          if (account.status !== 'awaiting_branch_visit') return wrongState(account.status);
          await deps.accounts.activateAtBranch(trx, actor, account, documents, greeting(account));
          return ok({});
        },
        () => (documents.length ? {} : { documents: 'backoffice.documents_required' }),
      );
    },

    /** Like a verification mismatch: the registration is deleted and the code is free again. */
    reject(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, async (trx, account, actor) => {
        if (account.status === 'active') return wrongState(account.status);
        if (account.national_code && account.mobile) await deps.rememberRejection(trx, account.national_code, account.mobile);
        await deps.accounts.rejectAtBranch(trx, actor, account);
        return ok({});
      });
    },

    /**
     * A new mobile number, with the person present. Step 1 (`mobile`): the ownership registry
     * must tie the number to the national code, then a code goes to the new number. Step 2
     * (`flowId`, `code`): the operator types the code the person received; only then the number
     * changes (the old number is told, every credential is retired).
     */
    async changeMobile(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ flowId?: string }, Failure>> {
      if (typeof input.flowId === 'string' && input.flowId !== '') return confirmMobile(staff, accountId, input, meta);
      const mobile = parseMobile(input.mobile);
      let started: { flowId: string } | undefined;
      const result = await act(
        staff,
        accountId,
        input,
        meta,
        async (trx, account) => {
          const next = (mobile as { value: string }).value;
          if (account.mobile === next) return invalid({ mobile: 'backoffice.mobile_same' });
          if (!account.national_code) return invalid({ mobile: 'backoffice.mobile_foreign_documents' });
          const owned = await deps.mobileOwnership.check(account.national_code, next);
          if (owned.kind === 'unavailable') return fail('unavailable', 'backoffice.ownership_unavailable');
          if (owned.kind === 'mismatch') return invalid({ mobile: 'backoffice.mobile_not_owned' });
          const flowId = randomId();
          const issued = deps.accounts.codes.issue('staff-mobile-code', flowId, config.signin.codeTtlSeconds);
          const now = clock();
          await deps.accounts.insertCode(trx, { id: flowId, purpose: 'staff_mobile_change', accountId: account.id, mobile: next, codeHash: issued.hash, now, expiresAt: issued.expiresAt });
          await sms.enqueue(trx, { to: next, template: 'sms.backoffice_mobile_code', params: { code: issued.code }, lang: (account.preferred_lang as Lang) ?? 'fa', idempotencyKey: `staff-mobile:${flowId}`, accountId: account.id });
          started = { flowId };
          return ok({});
        },
        () => (mobile.ok ? {} : { mobile: mobile.error }),
      );
      return result.ok ? ok(started ?? {}) : result;
    },

    /** The open staff mobile-change flow of a person, for its code form. */
    async mobileFlow(accountId: string, flowId: unknown): Promise<{ flowId: string; mobile: string } | null> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return null;
      const flow = await deps.accounts.findCode(flowId, 'staff_mobile_change');
      if (!flow || flow.account_id !== accountId || flow.consumed_at || flow.expires_at <= clock() || !flow.mobile) return null;
      return { flowId, mobile: flow.mobile };
    },

    /** A temporary password by SMS; the person must change it; every earlier credential ends. */
    async resetPassword(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      if (!can(staff, 'act')) return fail('forbidden', 'backoffice.forbidden');
      const password = temporaryPassword();
      // argon2 is slow: hash before the transaction holds a connection.
      const hash = await deps.hasher.hash(password);
      return act(staff, accountId, input, meta, async (trx, account, actor) => {
        if (account.status !== 'active') return wrongState(account.status);
        if (!account.mobile) return fail('conflict', 'backoffice.no_mobile');
        await deps.accounts.resetPasswordByStaff(trx, actor, account, hash, password);
        return ok({});
      });
    },

    unlock(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, async (trx, account, actor) => {
        const locked = !!account.locked_until && account.locked_until > clock();
        if (!locked && account.failed_signins === 0) return fail('conflict', 'backoffice.not_locked');
        await deps.accounts.unlock(trx, actor, account);
        return ok({});
      });
    },

    disable(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, async (trx, account, actor) => {
        if (account.disabled_at) return fail('conflict', 'backoffice.already_disabled');
        await deps.accounts.disable(trx, actor, account);
        return ok({});
      });
    },

    enable(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, async (trx, account, actor) => {
        if (!account.disabled_at) return fail('conflict', 'backoffice.not_disabled');
        await deps.accounts.enable(trx, actor, account);
        return ok({});
      });
    },

    /** Walk-in actions (operators acting on people of other branches), newest first: the supervisors' list. */
    async walkIns(staff: StaffPrincipal) {
      if (staff.role !== 'admin') return fail('forbidden', 'backoffice.forbidden');
      return ok(await q.listWalkInActions(db, staff.branchCode));
    },

    /**
     * Records a foreign national's identifier after seeing their card, so that they may
     * register online with it (no public registry can prove a FIDA identifier).
     */
    async recordForeignNational(staff: StaffPrincipal, input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ foreignNationalId: string }, Failure>> {
      const denied = require(staff, 'act');
      if (denied) return { ok: false, error: denied };
      const id = parseForeignNationalId(input.foreignNationalId);
      const documents = parseDocuments(input.documents);
      const reason = parseReason(input.reason);
      const fields: Fields = {};
      if (!id.ok) fields.foreignNationalId = id.error;
      if (!documents.length) fields.documents = 'backoffice.documents_required';
      if (!reason.ok) fields.reason = reason.error;
      if (!id.ok || !reason.ok || Object.keys(fields).length) return invalid(fields);
      return db.transaction().execute(async (trx) => {
        if (await deps.accounts.exists({ foreignNationalId: id.value }, trx)) return invalid({ foreignNationalId: 'backoffice.foreign_has_account' });
        const inserted = await q.insertForeignPreregistration(trx, {
          foreignNationalId: id.value,
          branchCode: staff.branchCode,
          recordedBy: staff.id,
          documents,
          at: clock(),
        });
        if (!inserted) return invalid({ foreignNationalId: 'backoffice.foreign_already_recorded' });
        await audit(trx, staff, meta, 'backoffice.foreign_national_recorded', null, {
          reason: reason.value,
          documents,
          foreignNationalId: `${id.value.slice(0, 3)}******${id.value.slice(9)}`,
        });
        return ok({ foreignNationalId: id.value });
      });
    },

    async overdue(staff: StaffPrincipal) {
      const denied = require(staff, 'view');
      if (denied) return { ok: false as const, error: denied };
      const hours = deps.config.verification.promiseHours;
      const requests = await q.listOverdueRegistrations(db, new Date(clock().getTime() - hours * 3600_000));
      const people = new Map((await deps.accounts.summariesByIds(requests.map((r) => r.account_id))).map((a) => [a.id, a]));
      const rows = requests.flatMap((r) => {
        const a = people.get(r.account_id);
        return a ? [{ ...r, national_code: a.national_code, foreign_national_id: a.foreign_national_id, first_name: a.first_name, last_name: a.last_name, status: a.status }] : [];
      });
      return ok({ hours, rows });
    },

    /** Registrations verification rejected, newest first, with the reasons (field names only). */
    async rejections(staff: StaffPrincipal) {
      const denied = require(staff, 'view');
      if (denied) return { ok: false as const, error: denied };
      return ok(await q.listVerificationRejections(db));
    },

    async deadLetters(staff: StaffPrincipal) {
      const denied = require(staff, 'view');
      if (denied) return { ok: false as const, error: denied };
      return ok(await q.listDeadSms(db));
    },

    /** Puts an undelivered SMS back in the queue, with a fresh delivery job, in one transaction. */
    async resendSms(staff: StaffPrincipal, smsId: string, meta: RequestMeta): Promise<Result<{}, Failure>> {
      const denied = require(staff, 'act');
      if (denied) return { ok: false, error: denied };
      if (!UUID.test(smsId)) return fail('not_found', 'backoffice.sms_not_found');
      return db.transaction().execute(async (trx) => {
        const row = await q.requeueDeadSms(trx, smsId);
        if (!row) {
          // A code or temporary password that never arrived was redacted when it died: the
          // person asks for a new one rather than staff sending a stale secret again.
          return (await q.isDeadSecretSms(trx, smsId)) ? fail('conflict', 'notifications.sms_secret_not_resendable') : fail('not_found', 'backoffice.sms_not_found');
        }
        await deps.queue.send(SMS_QUEUE.name, { smsId }, { trx, singletonKey: `${smsId}:resend:${randomId().slice(0, 8)}` });
        await audit(trx, staff, meta, 'backoffice.sms_resent', row.accountId, { smsId, to: maskMobile(row.toMobile) });
        return ok({});
      });
    },

    async verifyAudit(staff: StaffPrincipal): Promise<Result<AuditChainReport, Failure>> {
      const denied = require(staff, 'verifyAudit');
      if (denied) return { ok: false, error: denied };
      return ok(await verifyAuditChain(db));
    },
  };
}

export type BackofficeService = ReturnType<typeof createBackofficeService>;
