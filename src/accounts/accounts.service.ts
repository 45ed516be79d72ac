// The owner of the person's account and its credentials. Every change of an account is a
// named transition of TRANSITIONS (./transitions.ts) run by `perform`: it checks who asks
// and the state, applies the change, and — in the caller's transaction — retires the
// credentials the row names, writes the audit event and enqueues the SMS. Callers
// (registration, verification, sign-in, recovery, account, insured, back office) never
// touch the account's tables; they call the methods here.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit, recordAuditBatch, type AuditEventInput } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { Queryable } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { maskMobile, operatorOfMobile } from '../identity/mobile.js';
import { maskNationalCode } from '../identity/nationalCode.js';
import type { SmsService, SmsTemplate } from '../notifications/sms.service.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import type { Lang, MessageParams } from '../messages/index.js';
import type { ChangeFeed } from '../db/changes.js';
import * as q from './accounts.queries.js';
import { createOneTimeCodes } from './oneTimeCodes.js';
import { allowed, TRANSITIONS, type ActorKind, type TransitionName, type Transition } from './transitions.js';

export type AccountRow = q.AccountRow;
export type AccountSummary = q.AccountSummaryRow;
export type { UsernameKey, PersonKey, NewAccount } from './accounts.queries.js';

/** A staff member as the accounts capability needs to know them. */
export type StaffActor = { id: string; username: string; role: 'admin' | 'branch_operator' | 'auditor'; branchCode: string | null };

/** Who asks for a transition. */
export type Actor =
  | { kind: 'person'; accountId: string | null; ip: string | null; lang: Lang; sessionId?: string | null }
  | { kind: 'system'; ip?: string | null }
  | { kind: 'staff'; staff: StaffActor; ip: string | null; reason: string; walkIn?: { documents: string[]; personBranch: string | null } | null };

export type RotatedSession = { token: string; id: string; expiresAt: Date };

/** The duties other capabilities carry out for the accounts capability, in its transaction. */
export type AccountsDeps = {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  sms: SmsService;
  logger: Logger;
  clock: () => Date;
  /** Announces this process's changes of an account (copies of its sessions and profile go at once). */
  changes: Pick<ChangeFeed, 'changed'>;
};

export type CredentialRetirers = {
  /** Ends every portal session of the account (but `keepId`); returns how many. */
  endSessions(trx: Queryable, accountId: string, reason: 'password_changed' | 'ended_by_staff', keepId?: string): Promise<number>;
  /** The session that made a change continues under a new id (the old token stops working). */
  rotateSession(trx: Queryable, sessionId: string): Promise<RotatedSession | null>;
  /** Ends every single sign-on grant, session and refresh token of the account (services are told after commit). */
  endSingleSignOn(trx: Queryable, accountId: string): Promise<void>;
  /** Removes every passkey of the account (with its own audit event); how many. */
  removePasskeys?(trx: Queryable, accountId: string, actor: Actor): Promise<number>;
};

/** Also run in the transaction of every password the person sets themselves (e.g. insured permissions). */
export type PasswordSetListener = (trx: Kysely<DB>, e: { accountId: string; wasForced: boolean; at: Date }) => Promise<void>;

export class TransitionRefused extends Error {
  constructor(
    readonly transition: TransitionName,
    readonly actor: ActorKind,
    readonly state: string,
  ) {
    super(`transition ${transition} refused for ${actor} in state ${state}`);
  }
}

const actorKind = (actor: Actor): ActorKind => (actor.kind === 'staff' ? (`staff:${actor.staff.role}` as ActorKind) : actor.kind);

export function createAccountsService(deps: AccountsDeps) {
  const { db, hasher, limiter, sms, clock } = deps;
  const settings = deps.config.signin;
  const codes = createOneTimeCodes({ secrets: deps.secrets, clock });
  // Every change of the account row: copies of what requests read of it go now, in this
  // process (the database's notice tells the others when the transaction commits).
  const updateAccount = async (trx: Queryable, id: string, change: q.AccountChange, at: Date) => {
    await q.updateAccount(trx, id, change, at);
    deps.changes.changed(id);
  };
  let retirers: CredentialRetirers | null = null;
  const passwordListeners: PasswordSetListener[] = [];

  const smsLangOf = (a: q.AccountRow, actor: Actor): Lang => (actor.kind === 'person' ? actor.lang : (a.preferred_lang as Lang) ?? 'fa');

  function auditInput(name: TransitionName, actor: Actor, accountId: string | null, data: Record<string, unknown>): AuditEventInput {
    const t: Transition = TRANSITIONS[name];
    const staffData =
      actor.kind === 'staff'
        ? {
            reason: actor.reason,
            staff: actor.staff.username,
            role: actor.staff.role,
            ...(actor.staff.branchCode ? { branch: actor.staff.branchCode } : {}),
            ...(actor.walkIn ? { walkIn: true, walkInDocuments: actor.walkIn.documents, personBranch: actor.walkIn.personBranch } : {}),
          }
        : {};
    return {
      actorType: actor.kind,
      actorId: actor.kind === 'staff' ? actor.staff.id : actor.kind === 'person' ? actor.accountId : null,
      accountId,
      event: t.event,
      data: { ...data, ...staffData },
      ip: actor.kind === 'system' ? (actor.ip ?? null) : actor.ip,
      at: clock(),
    };
  }

  /**
   * Runs one transition on a locked account row inside `trx`: state and actor check, the
   * change, then the row's duties (credentials retired, audit event, SMS). Returns the
   * rotated session when the row keeps the asking session under a new id.
   */
  async function perform(
    trx: Kysely<DB>,
    name: TransitionName,
    actor: Actor,
    a: q.AccountRow,
    change: () => Promise<Record<string, unknown> | void>,
    duty: { smsParams?: MessageParams; oldMobile?: string | null; newMobile?: string | null; smsTemplateNew?: SmsTemplate; keepSessionId?: string | null; afterRetire?: () => Promise<void> } = {},
  ): Promise<{ rotated: RotatedSession | null; retired: Record<string, number> }> {
    const t: Transition = TRANSITIONS[name];
    const kind = actorKind(actor);
    if (!allowed(name, kind, a.status)) throw new TransitionRefused(name, kind, a.status);
    const data = (await change()) ?? {};
    const now = clock();
    let rotated: RotatedSession | null = null;
    const retired: Record<string, number> = {};
    if (t.retires !== 'none') {
      const keep = t.retires === 'all_but_rotated' ? (duty.keepSessionId ?? undefined) : undefined;
      Object.assign(retired, await retireAll(trx, a.id, actor.kind === 'staff' ? 'ended_by_staff' : 'password_changed', keep));
      if (keep) rotated = await retirers!.rotateSession(trx, keep);
    }
    if (t.removesPasskeys) {
      if (!retirers?.removePasskeys) throw new Error('accounts: passkey removal is not wired');
      retired.passkeys = await retirers.removePasskeys(trx, a.id, actor);
    }
    if (duty.afterRetire) await duty.afterRetire();
    await recordAudit(trx, auditInput(name, actor, a.id, { ...data, ...(t.retires !== 'none' ? { retired } : {}) }));
    if (t.sms) {
      const lang = smsLangOf(a, actor);
      const key = `${name}:${a.id}:${now.getTime()}:${randomId().slice(0, 8)}`;
      const oldMobile = duty.oldMobile !== undefined ? duty.oldMobile : a.mobile;
      const params = duty.smsParams ?? {};
      if (t.sms.to === 'mobile' || t.sms.to === 'old_and_new_mobile') {
        if (oldMobile) await sms.enqueue(trx, { to: oldMobile, template: t.sms.template as SmsTemplate, params, lang, idempotencyKey: `${key}:old`, accountId: t.to === 'none' ? null : a.id });
      }
      if ((t.sms.to === 'old_and_new_mobile' || t.sms.to === 'new_mobile') && duty.newMobile) {
        await sms.enqueue(trx, {
          to: duty.newMobile,
          template: duty.smsTemplateNew ?? (t.sms.template as SmsTemplate),
          params,
          lang,
          idempotencyKey: `${key}:new`,
          accountId: a.id,
        });
      }
    }
    return { rotated, retired };
  }

  /** Every earlier credential of the account ends: temporary passwords, codes, sessions (but `keepId`), single sign-on. */
  async function retireAll(trx: Kysely<DB>, accountId: string, reason: 'password_changed' | 'ended_by_staff', keepId?: string) {
    if (!retirers) throw new Error('accounts: credential retirers are not wired');
    const now = clock();
    const temporaryPasswords = await q.retireTemporaryPasswords(trx, accountId, now);
    const codesRetired = await q.retireCodes(trx, accountId, now);
    const sessions = await retirers.endSessions(trx, accountId, reason, keepId);
    await retirers.endSingleSignOn(trx, accountId);
    return { temporaryPasswords, codes: codesRetired, sessions };
  }

  async function locked(trx: Kysely<DB>, accountId: string): Promise<q.AccountRow> {
    const a = await q.findAccountForUpdate(trx, accountId);
    if (!a) throw new TransitionRefused('changeEmail', 'system', 'none');
    return a;
  }

  const service = {
    codes,
    transitions: TRANSITIONS,

    /** Wiring: sign-in and single sign-on carry out the retirement of sessions and grants. */
    setCredentialRetirers(r: CredentialRetirers) {
      retirers = r;
    },
    onPasswordSet(listener: PasswordSetListener) {
      passwordListeners.push(listener);
    },

    // --- reading -------------------------------------------------------------------------
    get: (id: string, trx: Queryable = db) => q.findAccount(trx, id),
    lockForUpdate: (trx: Queryable, id: string) => q.findAccountForUpdate(trx, id),
    byUsername: (username: q.UsernameKey, trx: Queryable = db) => q.findAccountByUsername(trx, username),
    exists: (person: q.PersonKey, trx: Queryable = db) => q.accountExistsFor(trx, person),
    statusOf: (nationalCode: string, mobile: string) => q.findStatusOf(db, nationalCode, mobile),
    summaries: (by: { nationalCode?: string; foreignNationalId?: string; mobile?: string }) => q.findSummariesBy(db, by),
    summariesByIds: (ids: readonly string[]) => q.findSummariesByIds(db, ids),
    declaredIdentities: (ids: readonly string[], trx: Queryable = db) => q.findDeclaredIdentities(trx, ids),
    lockMany: (trx: Queryable, ids: readonly string[]) => q.lockAccounts(trx, ids),
    insuredWithoutIdentity: (limit = 500) => q.findInsuredWithoutIdentity(db, limit),

    // --- creating --------------------------------------------------------------------------
    /** `submit` or `registerInsured`: a new account and its audit event; null when the identifier has one. */
    async create(trx: Kysely<DB>, name: 'submit' | 'registerInsured', actor: Actor, account: q.NewAccount, auditData: Record<string, unknown>): Promise<string | null> {
      const t: Transition = TRANSITIONS[name];
      if (!allowed(name, actorKind(actor), 'none') || t.to !== account.status) throw new TransitionRefused(name, actorKind(actor), 'none');
      const id = await q.insertAccount(trx, account);
      if (!id) return null;
      await recordAudit(trx, { ...auditInput(name, actor, id, auditData), actorId: id });
      return id;
    },

    // --- proofing (verification batches) ----------------------------------------------------
    /**
     * Outcomes of a batch of proofing decisions, in the caller's transaction: `activate`,
     * `sendToBranch` and `reject` rows with their audit events and SMS, in a few statements.
     * Only accounts still pending are settled; the others are returned as `already_done`.
     */
    async settleProofing(
      trx: Kysely<DB>,
      items: readonly {
        accountId: string;
        transition: 'activate' | 'sendToBranch' | 'reject';
        mobile: string;
        smsParams: MessageParams;
        smsKey: string;
        auditData: Record<string, unknown>;
      }[],
    ) {
      if (items.length === 0) return;
      const lockedRows = new Map((await q.lockAccounts(trx, items.map((i) => i.accountId))).map((r) => [r.id, r]));
      const go = items.filter((i) => lockedRows.get(i.accountId)?.status === 'pending_verification');
      const langs = new Map((await q.findDeclaredIdentities(trx, go.map((i) => i.accountId))).map((r) => [r.accountId, (r.preferredLang as Lang) ?? 'fa']));
      const now = clock();
      await sms.enqueueMany(
        trx,
        go.map((i) => {
          const t: Transition = TRANSITIONS[i.transition];
          return {
            to: i.mobile,
            template: t.sms!.template as SmsTemplate,
            params: i.smsParams,
            lang: langs.get(i.accountId) ?? 'fa',
            idempotencyKey: i.smsKey,
            accountId: i.transition === 'reject' ? null : i.accountId,
          };
        }),
      );
      const rejected = go.filter((i) => i.transition === 'reject').map((i) => i.accountId);
      // The reject row retires every credential, like any other (few per batch).
      for (const id of rejected) await retireAll(trx, id, 'password_changed');
      await q.deleteUnfinished(trx, rejected);
      await q.settlePending(
        trx,
        go.flatMap((i) => (i.transition === 'reject' ? [] : [{ accountId: i.accountId, status: i.transition === 'activate' ? ('active' as const) : ('awaiting_branch_visit' as const) }])),
        now,
      );
      await recordAuditBatch(trx, go.map((i) => auditInput(i.transition, { kind: 'system' }, i.accountId, i.auditData)));
      return new Set(go.map((i) => i.accountId));
    },

    // --- passwords -------------------------------------------------------------------------
    /**
     * A password the person set (own change, forced change, recovery by question). The
     * transition's duties run here; the asking session continues under a new id.
     */
    async setPassword(
      trx: Kysely<DB>,
      name: 'setPasswordByPerson' | 'setPasswordByRecovery',
      actor: Extract<Actor, { kind: 'person' }>,
      accountId: string,
      passwordHash: string,
    ): Promise<{ rotated: RotatedSession | null }> {
      const a = await locked(trx, accountId);
      const wasForced = a.must_change_password;
      const { rotated } = await perform(
        trx,
        name,
        actor,
        a,
        async () => {
          await updateAccount(trx, a.id, { password_hash: passwordHash, must_change_password: false, failed_signins: 0, failed_signins_since: null, locked_until: null, preferred_lang: actor.lang }, clock());
          return { wasForced };
        },
        {
          keepSessionId: actor.sessionId ?? null,
          afterRetire: async () => {
            for (const listener of passwordListeners) await listener(trx, { accountId: a.id, wasForced, at: clock() });
          },
        },
      );
      return { rotated };
    },

    /** Staff reset: a temporary password by SMS, to be changed at sign-in. */
    async resetPasswordByStaff(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow, passwordHash: string, password: string) {
      return perform(
        trx,
        'setPasswordByStaff',
        actor,
        a,
        async () => {
          await updateAccount(trx, a.id, { password_hash: passwordHash, must_change_password: true, failed_signins: 0, failed_signins_since: null, locked_until: null }, clock());
          return { mobile: a.mobile ? maskMobile(a.mobile) : null };
        },
        { smsParams: { password } },
      );
    },

    /** SMS recovery: a new temporary password (the newest is the only one that works). */
    async issueTemporaryPassword(
      trx: Kysely<DB>,
      actor: Extract<Actor, { kind: 'person' }>,
      a: q.AccountRow,
      t: { trackingCode: string; password: string; passwordHash: string; ttlHours: number },
    ) {
      await perform(
        trx,
        'issueTemporaryPassword',
        actor,
        a,
        async () => {
          const now = clock();
          await q.insertTemporaryPassword(trx, { accountId: a.id, trackingCode: t.trackingCode, passwordHash: t.passwordHash, now, expiresAt: new Date(now.getTime() + t.ttlHours * 3600_000) });
          return { trackingCode: t.trackingCode, mobile: a.mobile ? maskMobile(a.mobile) : null };
        },
        { smsParams: { trackingCode: t.trackingCode, password: t.password, hours: t.ttlHours } },
      );
    },

    /**
     * Checks a password of an account: its own, or the newest unexpired temporary password
     * (which keeps working until a new password is set or it expires). Nothing is counted
     * here; see `guard` for the counting.
     */
    async checkPassword(a: q.AccountRow, password: string): Promise<{ method: 'password' | 'temporary_password' | null; needsRehash: boolean }> {
      if (!a.password_hash) {
        await hasher.verifyDummy(password);
        return { method: null, needsRehash: false };
      }
      const checked = await hasher.verify(a.password_hash, password);
      if (checked.valid) return { method: 'password', needsRehash: checked.needsRehash };
      if (/^\d{8}$/.test(password)) {
        const latest = await q.latestTemporaryPassword(db, a.id);
        if (latest && !latest.used_at && latest.expires_at > clock() && (await hasher.verify(latest.password_hash, password)).valid) {
          return { method: 'temporary_password', needsRehash: false };
        }
      }
      return { method: null, needsRehash: false };
    },

    rehash: async (accountId: string, password: string) => q.updatePasswordHash(db, accountId, await hasher.hash(password)),

    // --- the guard against guessing ----------------------------------------------------------
    /**
     * Before a password of a known account is checked (sign-in, or a current password on the
     * person's own pages): what this address has spent on this account, and whether the
     * account-wide count asks for a captcha. One address's failures never refuse another
     * address; the account itself is never locked.
     */
    async guard(a: Pick<q.AccountRow, 'id' | 'failed_signins' | 'failed_signins_since'>, ip: string): Promise<{ allowed: true; captchaRequired: boolean } | { allowed: false; retryAfterSeconds: number }> {
      // Counted here, before the check (atomic under parallel guesses); a success resets it.
      const byPair = await limiter.consume('signinFailuresPerAccountAndIp', `${a.id}:${ip}`);
      if (!byPair.allowed) return byPair;
      // The account-wide count as the caller just read it (no second read of the row).
      const windowStart = new Date(clock().getTime() - settings.failureWindowHours * 3600_000);
      const captchaRequired = !!a.failed_signins_since && a.failed_signins_since >= windowStart && a.failed_signins >= settings.captchaAfterFailures;
      return { allowed: true, captchaRequired };
    },

    /** Counts a failed password check of an account from an address; returns the tries this address has left. */
    async recordFailure(accountId: string, ip: string): Promise<{ remainingForAddress: number }> {
      const now = clock();
      const pair = await limiter.peek('signinFailuresPerAccountAndIp', `${accountId}:${ip}`); // counted by guard()
      await q.recordFailure(db, accountId, now, new Date(now.getTime() - settings.failureWindowHours * 3600_000));
      return { remainingForAddress: pair.allowed ? pair.remaining : 0 };
    },

    /** A success from an address: that address starts again; the account-wide count too. */
    async recordSuccess(a: q.AccountRow, ip: string) {
      await limiter.reset('signinFailuresPerAccountAndIp', `${a.id}:${ip}`);
      if (a.failed_signins > 0) await q.clearFailures(db, a.id);
    },

    // --- mobile --------------------------------------------------------------------------------
    async setMobile(
      trx: Kysely<DB>,
      name: 'setMobileByPerson' | 'setMobileByStaff',
      actor: Actor,
      accountId: string,
      mobile: string,
    ): Promise<{ rotated: RotatedSession | null; previous: string | null }> {
      const a = await locked(trx, accountId);
      const previous = a.mobile;
      const { rotated } = await perform(
        trx,
        name,
        actor,
        a,
        async () => {
          const now = clock();
          await updateAccount(trx, a.id, { mobile, mobile_operator: operatorOfMobile(mobile), mobile_verified_at: now }, now);
          return { from: previous ? maskMobile(previous) : null, to: maskMobile(mobile) };
        },
        {
          keepSessionId: actor.kind === 'person' ? (actor.sessionId ?? null) : null,
          oldMobile: previous,
          newMobile: name === 'setMobileByStaff' ? mobile : null,
          smsTemplateNew: 'sms.backoffice_mobile_changed_new',
          smsParams: { mobile: maskMobile(mobile) },
        },
      );
      return { rotated, previous };
    },

    // --- one-time codes of accounts ------------------------------------------------------------
    insertCode: (trx: Queryable, c: Parameters<typeof q.insertCode>[1]) => q.insertCode(trx, c),
    findCode: (id: string, purpose: q.CodePurpose) => q.findCode(db, id, purpose),
    countCodeAttempt: (id: string) => q.countCodeAttempt(db, id),
    consumeCode: (trx: Queryable, id: string) => q.consumeCode(trx, id, clock()),
    purgeExpiredCodes: () => q.deleteExpiredCodes(db, clock()),

    // --- staff changes -----------------------------------------------------------------------
    async activateAtBranch(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow, documents: string[], smsParams: MessageParams) {
      await perform(
        trx,
        'activateAtBranch',
        actor,
        a,
        async () => {
          const now = clock();
          // The branch that saw the documents becomes the person's branch when they had none.
          await updateAccount(trx, a.id, { status: 'active', activated_at: now, identity_source: 'branch', ...(a.branch_code ? {} : { branch_code: actor.staff.branchCode }) }, now);
          return { documents, from: a.status };
        },
        { smsParams },
      );
    },

    async rejectAtBranch(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow) {
      await perform(trx, 'rejectAtBranch', actor, a, async () => ({
        from: a.status,
        ...(a.national_code ? { nationalCode: maskNationalCode(a.national_code) } : {}),
        ...(a.mobile ? { mobile: maskMobile(a.mobile) } : {}),
      }));
      await q.deleteUnfinished(trx, [a.id]);
    },

    async unlock(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow) {
      await perform(trx, 'unlock', actor, a, async () => {
        await updateAccount(trx, a.id, { locked_until: null, failed_signins: 0, failed_signins_since: null }, clock());
        return { failedSignins: a.failed_signins, ...(a.locked_until ? { wasLockedUntil: a.locked_until.toISOString() } : {}) };
      });
    },

    async disable(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow, alsoRetire?: () => Promise<void>) {
      return perform(
        trx,
        'disable',
        actor,
        a,
        async () => {
          const now = clock();
          await updateAccount(trx, a.id, { disabled_at: now }, now);
          return {};
        },
        alsoRetire ? { afterRetire: alsoRetire } : {},
      );
    },

    async enable(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'staff' }>, a: q.AccountRow) {
      await perform(trx, 'enable', actor, a, async () => {
        await updateAccount(trx, a.id, { disabled_at: null }, clock());
        return { disabledSince: a.disabled_at?.toISOString() ?? null };
      });
    },

    // --- the person's details ------------------------------------------------------------------
    async changeEmail(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'person' }>, accountId: string, email: string | null) {
      const a = await locked(trx, accountId);
      await perform(trx, 'changeEmail', actor, a, async () => {
        await updateAccount(trx, a.id, { email }, clock());
        return { set: email !== null };
      });
    },

    async changeSecurityQuestion(trx: Kysely<DB>, actor: Extract<Actor, { kind: 'person' }>, accountId: string, question: string, answerHash: string) {
      const a = await locked(trx, accountId);
      await perform(trx, 'changeSecurityQuestion', actor, a, async () => {
        await updateAccount(trx, a.id, { security_question: question, security_answer_hash: answerHash }, clock());
        return {};
      });
    },

    /** Permissions added (idempotent: only those missing); returns what was added. */
    async grantPermissions(trx: Kysely<DB>, accountId: string, permissions: readonly string[], extra: { clearInitialPassword?: boolean } = {}): Promise<string[]> {
      const a = await q.findAccountForUpdate(trx, accountId);
      if (!a || a.status !== 'active') return [];
      const missing = permissions.filter((p) => !a.permissions.includes(p));
      if (missing.length === 0) return [];
      await perform(trx, 'grantPermissions', { kind: 'system' }, a, async () => {
        await updateAccount(trx, a.id, { permissions: [...a.permissions, ...missing], ...(extra.clearInitialPassword ? { initial_password_expires_at: null } : {}) }, clock());
        return { permissions: missing };
      });
      return missing;
    },

    /** Permissions removed (e.g. a doctor's licence withdrawn); returns what was removed. */
    async revokePermissions(trx: Kysely<DB>, accountId: string, permissions: readonly string[]): Promise<string[]> {
      const a = await q.findAccountForUpdate(trx, accountId);
      if (!a) return [];
      const present = permissions.filter((p) => a.permissions.includes(p));
      if (present.length === 0) return [];
      await perform(trx, 'revokePermissions', { kind: 'system' }, a, async () => {
        await updateAccount(trx, a.id, { permissions: a.permissions.filter((p) => !present.includes(p)) }, clock());
        return { revoked: present };
      });
      return present;
    },

    /** The civil registry's name, birth date and gender on an account that had none (insured). */
    async attachIdentity(trx: Kysely<DB>, accountId: string, identity: { firstName: string; lastName: string; birthDate: string; gender: 'male' | 'female' }) {
      const a = await q.findAccountForUpdate(trx, accountId);
      if (!a) return false;
      await perform(trx, 'attachIdentity', { kind: 'system' }, a, async () => {
        await updateAccount(trx, a.id, { first_name: identity.firstName, last_name: identity.lastName, birth_date: identity.birthDate, gender: identity.gender }, clock());
        return { source: 'civil_registry' };
      });
      return true;
    },

    /** The language of the pages a person uses: their SMS follow it. */
    async rememberLanguage(accountId: string, lang: Lang) {
      const a = await q.findAccount(db, accountId);
      if (a && a.preferred_lang !== lang) await updateAccount(db, accountId, { preferred_lang: lang }, clock());
    },
  };
  return service;
}

export type AccountsService = ReturnType<typeof createAccountsService>;
