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
import { maskMobile, operatorOfMobile, parseMobile } from '../identity/mobile.js';
import { isValidNationalCode, maskNationalCode } from '../identity/nationalCode.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { PasswordHasher } from '../security/passwords.js';
import { randomId } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { t, type MessageKey, type MessageParams } from '../web/i18n.js';
import * as q from './backoffice.queries.js';
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
  /** Ends a person's sessions inside the caller's transaction; returns how many ended. */
  endPersonSessions?: (trx: Kysely<DB>, accountId: string, at: Date) => Promise<number>;
  /** Verification's keyed hash of a national code, under which it keeps why registrations were rejected. */
  verificationRejectionKey?: (nationalCode: string) => string;
};

export type RequestMeta = { ip: string };

export type SearchResult = {
  kind: 'national_code' | 'foreign_national_id' | 'mobile';
  people: q.PersonSummaryRow[];
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
  const { db, sms, clock, logger } = deps;
  const endSessions = deps.endPersonSessions ?? ((trx, accountId, at) => q.endPersonSessions(trx, accountId, at));

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

  const smsKey = (action: string, accountId: string) => `backoffice:${action}:${accountId}:${randomId()}`;

  function greeting(a: q.AccountRow): MessageParams {
    const names = { firstName: a.first_name ?? '', lastName: a.last_name ?? '' };
    const key = a.gender === 'female' ? 'sms.greeting_female' : a.gender === 'male' ? 'sms.greeting_male' : 'sms.greeting_neutral';
    return { greeting: t('fa', key, names) };
  }

  /**
   * The frame of every person action: role check, reason check, one transaction with the
   * account row locked; `body` returns a failure or the audit data of the change.
   */
  async function act(
    staff: StaffPrincipal,
    accountId: string,
    input: Record<string, unknown>,
    meta: RequestMeta,
    event: string,
    body: (trx: Kysely<DB>, account: q.AccountRow, reason: string) => Promise<Result<Record<string, unknown>, Failure>>,
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
      const account = await q.findAccountForUpdate(trx, accountId);
      if (!account) return fail('not_found', 'backoffice.person_not_found');
      const done = await body(trx, account, (reason as { value: string }).value);
      if (!done.ok) return done;
      await audit(trx, staff, meta, event, accountId, { reason: (reason as { value: string }).value, ...done.value });
      return ok({});
    });
    if (result.ok) logger.info({ staffId: staff.id, event, accountId }, 'back-office action');
    return result;
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
        const [people, rejections] = await Promise.all([q.findAccountsBy(db, { nationalCode: text }), rejectionsOf(text)]);
        return ok({ kind: 'national_code', people, rejections });
      }
      if (/^\d{12}$/.test(text) && !parseMobile(text).ok) {
        const people = await q.findAccountsBy(db, { foreignNationalId: text });
        const pre = people.length === 0 ? await q.findForeignPreregistration(db, text) : undefined;
        return ok({ kind: 'foreign_national_id', people, ...(pre && !pre.revoked_at ? { preregisteredAt: pre.recorded_at } : {}) });
      }
      const mobile = parseMobile(typeof query === 'string' ? query : '');
      if (mobile.ok) return ok({ kind: 'mobile', people: await q.findAccountsBy(db, { mobile: mobile.value }) });
      return invalid({ q: 'backoffice.search_invalid' });
    },

    /** Everything staff see about a person; the look-up itself is audited. */
    async person(staff: StaffPrincipal, accountId: string, meta: RequestMeta) {
      const denied = require(staff, 'view');
      if (denied) return { ok: false as const, error: denied };
      if (!UUID.test(accountId)) return fail('not_found', 'backoffice.person_not_found');
      const account = await q.findAccount(db, accountId);
      if (!account) return fail('not_found', 'backoffice.person_not_found');
      const [verification, messages, events, rejections] = await Promise.all([
        q.findVerificationRequest(db, accountId),
        q.listSmsOfAccount(db, accountId, account.mobile),
        q.listAuditOfAccount(db, accountId),
        account.national_code ? rejectionsOf(account.national_code) : Promise.resolve([]),
      ]);
      const staffIds = [...new Set(events.filter((e) => e.actor_type === 'staff' && e.actor_id && UUID.test(e.actor_id)).map((e) => e.actor_id!))];
      const names = new Map((await q.staffNames(db, staffIds)).map((s) => [s.id, s.username]));
      await db.transaction().execute((trx) => audit(trx, staff, meta, 'backoffice.person_viewed', accountId, {}));
      return ok({ account, verification, messages, events, staffNames: names, rejections });
    },

    activate(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      const documents = parseDocuments(input.documents);
      return act(
        staff,
        accountId,
        input,
        meta,
        'backoffice.account_activated',
        async (trx, account) => {
          if (account.status !== 'awaiting_branch_visit') return wrongState(account.status);
          const now = clock();
          await q.activateAccount(trx, account.id, now);
          if (account.mobile) {
            await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_activated', params: greeting(account), lang: 'fa', idempotencyKey: smsKey('activated', account.id), accountId: account.id });
          }
          return ok({ documents, from: account.status });
        },
        () => (documents.length ? {} : { documents: 'backoffice.documents_required' }),
      );
    },

    /** Like a verification mismatch: the registration is deleted and the code is free again. */
    reject(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, 'backoffice.registration_rejected', async (trx, account) => {
        if (account.status === 'active') return wrongState(account.status);
        if (account.national_code && account.mobile) await deps.rememberRejection(trx, account.national_code, account.mobile);
        if (account.mobile) {
          await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_rejected', params: {}, lang: 'fa', idempotencyKey: smsKey('rejected', account.id), accountId: null });
        }
        await endSessions(trx, account.id, clock());
        await q.deleteAccount(trx, account.id);
        return ok({
          from: account.status,
          ...(account.national_code ? { nationalCode: maskNationalCode(account.national_code) } : {}),
          ...(account.mobile ? { mobile: maskMobile(account.mobile) } : {}),
        });
      });
    },

    changeMobile(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      const mobile = parseMobile(input.mobile);
      return act(
        staff,
        accountId,
        input,
        meta,
        'backoffice.mobile_changed',
        async (trx, account) => {
          const next = (mobile as { value: string }).value;
          if (account.mobile === next) return invalid({ mobile: 'backoffice.mobile_same' });
          await q.setMobile(trx, account.id, next, operatorOfMobile(next), clock());
          if (account.mobile) {
            await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_mobile_changed_old', params: {}, lang: 'fa', idempotencyKey: smsKey('mobile-old', account.id), accountId: account.id });
          }
          await sms.enqueue(trx, { to: next, template: 'sms.backoffice_mobile_changed_new', params: {}, lang: 'fa', idempotencyKey: smsKey('mobile-new', account.id), accountId: account.id });
          return ok({ from: account.mobile ? maskMobile(account.mobile) : null, to: maskMobile(next) });
        },
        () => (mobile.ok ? {} : { mobile: mobile.error }),
      );
    },

    /** A temporary password by SMS; the person must change it and their sessions end. */
    async resetPassword(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      if (!can(staff, 'act')) return fail('forbidden', 'backoffice.forbidden');
      const password = temporaryPassword();
      // argon2 is slow: hash before the transaction holds a connection.
      const hash = await deps.hasher.hash(password);
      return act(staff, accountId, input, meta, 'backoffice.password_reset', async (trx, account) => {
        if (account.status !== 'active') return wrongState(account.status);
        if (!account.mobile) return fail('conflict', 'backoffice.no_mobile');
        const now = clock();
        await q.setTemporaryPassword(trx, account.id, hash, now);
        const ended = await endSessions(trx, account.id, now);
        await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_password_reset', params: { password }, lang: 'fa', idempotencyKey: smsKey('password', account.id), accountId: account.id });
        return ok({ sessionsEnded: ended, mobile: maskMobile(account.mobile) });
      });
    },

    unlock(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, 'backoffice.account_unlocked', async (trx, account) => {
        if (!account.locked_until || account.locked_until <= clock()) return fail('conflict', 'backoffice.not_locked');
        await q.clearLock(trx, account.id, clock());
        return ok({ wasLockedUntil: account.locked_until.toISOString() });
      });
    },

    disable(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, 'backoffice.account_disabled', async (trx, account) => {
        if (account.disabled_at) return fail('conflict', 'backoffice.already_disabled');
        const now = clock();
        await q.setDisabled(trx, account.id, now, now);
        const ended = await endSessions(trx, account.id, now);
        if (account.mobile) {
          await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_disabled', params: {}, lang: 'fa', idempotencyKey: smsKey('disabled', account.id), accountId: account.id });
        }
        return ok({ sessionsEnded: ended });
      });
    },

    enable(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: RequestMeta) {
      return act(staff, accountId, input, meta, 'backoffice.account_enabled', async (trx, account) => {
        if (!account.disabled_at) return fail('conflict', 'backoffice.not_disabled');
        await q.setDisabled(trx, account.id, null, clock());
        if (account.mobile) {
          await sms.enqueue(trx, { to: account.mobile, template: 'sms.backoffice_enabled', params: {}, lang: 'fa', idempotencyKey: smsKey('enabled', account.id), accountId: account.id });
        }
        return ok({ disabledSince: account.disabled_at.toISOString() });
      });
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
        if (await q.accountWithForeignIdExists(trx, id.value)) return invalid({ foreignNationalId: 'backoffice.foreign_has_account' });
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
      const rows = await q.listOverdueRegistrations(db, new Date(clock().getTime() - hours * 3600_000));
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
