// Passkeys (WebAuthn Level 2, through @simplewebauthn/server): a person registers
// discoverable credentials with user verification on their own page, signs in with one
// instead of a password, renames and removes them; staff remove them all. Challenges are
// persisted, expire and are used once. Every change writes its audit event and SMS in the
// same transaction. A passkey sign-in judges the account exactly like a password sign-in
// (not active, disabled, locked, forced password change).
import type { AccountRow, AccountsService } from '../accounts/accounts.service.js';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import { can, type StaffPrincipal } from '../backoffice/roles.js';
import type { Config, RateLimitName } from '../config.js';
import type { Queryable } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService, SmsTemplate } from '../notifications/sms.service.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { NewSession, RequiredAction, SessionKind, SessionService, SignedInAccount } from '../signin/sessions.service.js';
import { t, type Lang, type MessageKey } from '../messages/index.js';
import * as q from './passkeys.queries.js';


// Loaded on first use: most web processes seldom register or check a passkey, and the
// library with its certificate parsers costs about 160 ms and 8 MB at start (issue 15).
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));
export type PasskeyMeta = { ip: string; lang: Lang; userAgent: string | null };

/** One passkey as its owner (or staff) sees it. */
export type PasskeyView = {
  id: string;
  name: string;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
};

/**
 * RFC 8176 method of a passkey sign-in: a key bound to one authenticator is hardware
 * held (`hwk`); a synced passkey lives in a software keychain too (`swk`).
 */
export type PasskeyAmr = 'hwk' | 'swk';

export type PasskeySignedIn = {
  accountId: string;
  session: NewSession;
  requiredActions: RequiredAction[];
  /** For services (`amr`): sessions keep only `auth_method = 'passkey'` until they hold an amr. */
  amr: PasskeyAmr;
};

/** Who removes all passkeys of an account (staff action, or the account's own lifecycle). */
export type PasskeyRemovalActor =
  | { type: 'staff'; id: string; username?: string; ip?: string | null; reason?: string }
  | { type: 'system'; id?: string | null; reason?: string };

export type PasskeysDeps = {
  /** The account's state is read through its owner. */
  accounts: Pick<AccountsService, 'get'>;
  db: Kysely<DB>;
  config: Config;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  sessions: SessionService;
  sms: SmsService;
  logger: Logger;
  clock: () => Date;
  /** A passkey may be added only this soon after signing in (default 10 minutes). */
  recentSigninMinutes?: number;
};

const CHALLENGE_TTL_SECONDS = 300;
export const MAX_PASSKEYS = 10;
const NAME_MAX = 60;
const FLOW_ID = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REASON_MAX = 500;
const NOT_ACTIVE: Record<'pending_verification' | 'awaiting_branch_visit', MessageKey> = {
  pending_verification: 'signin.account_pending_verification',
  awaiting_branch_visit: 'signin.account_awaiting_branch_visit',
};

const view = (r: q.PasskeyRow): PasskeyView => ({
  id: r.id,
  name: r.name,
  deviceType: r.device_type,
  backedUp: r.backed_up,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** A passkey name: trimmed, spaces collapsed, no control characters, at most 60 characters. */
export function parsePasskeyName(input: unknown): Result<string | null, MessageKey> {
  const raw = typeof input === 'string' ? input.normalize('NFC').trim().replace(/\s+/g, ' ') : '';
  if (raw === '') return ok(null);
  if (/[\p{Cc}\p{Cf}]/u.test(raw.replace(/\u200c/g, ''))) return { ok: false, error: 'passkeys.name_invalid' };
  if ([...raw].length > NAME_MAX) return { ok: false, error: 'passkeys.name_too_long' };
  return ok(raw);
}

/** The credential JSON a browser posted (a form field holding JSON, or an object). */
function parseCredential<T extends { id: string; rawId: string; type: string; response: object }>(input: unknown): T | null {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > 64 * 1024) return null;
    try {
      value = JSON.parse(input);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || typeof v.rawId !== 'string' || v.type !== 'public-key' || !v.response || typeof v.response !== 'object') return null;
  if (!/^[A-Za-z0-9_-]{16,1366}$/.test(v.id)) return null;
  return value as T;
}

function parseReason(input: unknown): Result<string, MessageKey> {
  const reason = typeof input === 'string' ? input.trim().replace(/\s+/g, ' ') : '';
  if (reason.length < 3) return { ok: false, error: 'backoffice.reason_required' };
  if (reason.length > REASON_MAX) return { ok: false, error: 'backoffice.reason_too_long' };
  return ok(reason);
}

/**
 * Who may remove a person's passkeys: an admin, or an operator of the person's branch.
 * (Walk-ins at another branch go through an admin until this action records them too.)
 */
export function inBranchScope(staff: Pick<StaffPrincipal, 'role' | 'branchCode'>, account: { branch_code: string | null }): boolean {
  if (staff.role === 'admin') return true;
  return staff.role === 'branch_operator' && !!staff.branchCode && account.branch_code === staff.branchCode;
}

export function createPasskeyService(deps: PasskeysDeps) {
  const { db, secrets, limiter, sessions, sms, logger, clock } = deps;
  const publicUrl = new URL(deps.config.publicUrl);
  const rpID = publicUrl.hostname;
  const origin = publicUrl.origin;
  const recentMinutes = deps.recentSigninMinutes ?? 10;
  const ipRule = deps.config.rateLimits.signinFailuresPerIp;
  /** The WebAuthn user handle: opaque, stable per account, not the national code. */
  const userHandle = (accountId: string) => secrets.hmac('passkey-user-handle', accountId);

  const limited = (retryAfterSeconds: number) =>
    fail('limited', 'signin.limited', { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });

  const isRecent = (s: Pick<SignedInAccount, 'signedInAt'>) => clock().getTime() - s.signedInAt.getTime() <= recentMinutes * 60_000;

  async function newChallenge(purpose: q.ChallengePurpose, accountId: string | null, challenge: string) {
    const now = clock();
    const id = randomId();
    await q.insertChallenge(db, { id, purpose, accountId, challenge, now, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000) });
    return id;
  }

  async function useChallenge(purpose: q.ChallengePurpose, flowId: unknown) {
    if (typeof flowId !== 'string' || !FLOW_ID.test(flowId)) return fail('not_found', 'passkeys.challenge_expired');
    const used = await q.consumeChallenge(db, flowId, purpose, clock());
    if (!used.ok) return fail('not_found', used.reason === 'used' ? 'passkeys.challenge_used' : 'passkeys.challenge_expired');
    return ok(used);
  }

  async function notify(trx: Queryable, mobile: string | null, accountId: string, template: SmsTemplate, key: string, lang: Lang) {
    if (!mobile) return;
    await sms.enqueue(trx, { to: mobile, template, params: {}, lang, idempotencyKey: key, accountId });
  }

  /** The account states a passkey cannot get past (the same refusals as a password). */
  function refusal(a: AccountRow): Failure | null {
    if (a.disabled_at) return { kind: 'forbidden', code: 'signin.account_disabled' };
    if (a.status !== 'active') return { kind: 'forbidden', code: NOT_ACTIVE[a.status] };
    if (a.locked_until && a.locked_until > clock()) {
      const seconds = Math.max(1, Math.ceil((a.locked_until.getTime() - clock().getTime()) / 1000));
      return { kind: 'locked', code: 'signin.locked', retryAfterSeconds: seconds, params: { minutes: Math.ceil(seconds / 60) } };
    }
    return null;
  }

  const service = {
    rpID,
    origin,
    recentSigninMinutes: recentMinutes,
    isRecent,

    async list(accountId: string): Promise<PasskeyView[]> {
      return (await q.listPasskeys(db, accountId)).map(view);
    },

    /** Registration, step 1: options for `navigator.credentials.create` (needs a recent sign-in). */
    async registrationOptions(
      signedIn: Pick<SignedInAccount, 'accountId' | 'signedInAt'>,
      meta: PasskeyMeta,
    ): Promise<Result<{ flowId: string; options: PublicKeyCredentialCreationOptionsJSON }, Failure>> {
      if (!isRecent(signedIn)) return fail('forbidden', 'passkeys.recent_signin_required', { params: { minutes: recentMinutes } });
      const byIp = await limiter.consume('passkeyOptionsPerIp', meta.ip);
      if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
      const account = await deps.accounts.get(signedIn.accountId, db);
      if (!account) return fail('unauthenticated', 'signin.session_ended');
      const existing = await q.listPasskeys(db, account.id);
      if (existing.length >= MAX_PASSKEYS) return fail('conflict', 'passkeys.too_many', { params: { max: MAX_PASSKEYS } });
      const username = account.national_code ?? account.foreign_national_id ?? account.id;
      const displayName = `${account.first_name ?? ''} ${account.last_name ?? ''}`.trim() || username;
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: t(meta.lang, 'passkeys.rp_name'),
        rpID,
        userName: username,
        userID: new Uint8Array(Buffer.from(userHandle(account.id), 'base64url')),
        userDisplayName: displayName,
        timeout: CHALLENGE_TTL_SECONDS * 1000,
        attestationType: 'none',
        // The same authenticator is not registered twice.
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      });
      const flowId = await newChallenge('registration', account.id, options.challenge);
      return ok({ flowId, options });
    },

    /** Registration, step 2: checks the authenticator's answer and stores the passkey. */
    async register(
      signedIn: Pick<SignedInAccount, 'accountId' | 'signedInAt'>,
      input: Record<string, unknown>,
      meta: PasskeyMeta,
    ): Promise<Result<{ id: string }, Failure>> {
      const name = parsePasskeyName(input.name);
      if (!name.ok) return invalid({ name: name.error });
      if (!isRecent(signedIn)) return fail('forbidden', 'passkeys.recent_signin_required', { params: { minutes: recentMinutes } });
      const challenge = await useChallenge('registration', input.flowId);
      if (!challenge.ok) return challenge;
      if (challenge.value.accountId !== signedIn.accountId) return fail('not_found', 'passkeys.challenge_expired');
      const response = parseCredential<RegistrationResponseJSON>(input.credential);
      if (!response) return fail('invalid', 'passkeys.response_missing');
      let verified;
      try {
        verified = await (await webauthn()).verifyRegistrationResponse({
          response,
          expectedChallenge: challenge.value.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
        });
      } catch (e) {
        logger.info({ reason: (e as Error).message }, 'passkey registration refused');
        return fail('invalid', 'passkeys.verification_failed');
      }
      if (!verified.verified) return fail('invalid', 'passkeys.verification_failed');
      const info = verified.registrationInfo;
      const now = clock();
      return db.transaction().execute(async (trx) => {
        const account = await deps.accounts.get(signedIn.accountId, trx);
        if (!account) return fail('unauthenticated', 'signin.session_ended');
        const count = await q.countPasskeys(trx, account.id);
        if (count >= MAX_PASSKEYS) return fail('conflict', 'passkeys.too_many', { params: { max: MAX_PASSKEYS } });
        const id = await q.insertPasskey(trx, {
          accountId: account.id,
          ...storedCredential(info, response.response.transports),
          name: name.value ?? t(meta.lang, 'passkeys.default_name', { n: count + 1 }),
          now,
        });
        if (!id) return fail('conflict', 'passkeys.already_registered');
        await recordAudit(trx, {
          actorType: 'person',
          actorId: account.id,
          accountId: account.id,
          event: 'passkeys.added',
          data: { passkeyId: id, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp, aaguid: info.aaguid },
          ip: meta.ip,
          at: now,
        });
        await notify(trx, account.mobile, account.id, 'sms.passkey_added', `passkey-added:${id}`, meta.lang);
        return ok({ id });
      });
    },

    async rename(accountId: string, passkeyId: string, input: Record<string, unknown>, meta: PasskeyMeta): Promise<Result<{}, Failure>> {
      if (!UUID.test(passkeyId)) return fail('not_found', 'passkeys.not_found');
      const name = parsePasskeyName(input.name);
      if (!name.ok) return invalid({ name: name.error });
      if (name.value === null) return invalid({ name: 'passkeys.name_required' });
      return db.transaction().execute(async (trx) => {
        const renamed = await q.renamePasskey(trx, accountId, passkeyId, name.value!);
        if (!renamed) return fail('not_found', 'passkeys.not_found');
        await recordAudit(trx, { actorType: 'person', actorId: accountId, accountId, event: 'passkeys.renamed', data: { passkeyId }, ip: meta.ip, at: clock() });
        return ok({});
      });
    },

    async remove(accountId: string, passkeyId: string, meta: PasskeyMeta): Promise<Result<{}, Failure>> {
      if (!UUID.test(passkeyId)) return fail('not_found', 'passkeys.not_found');
      return db.transaction().execute(async (trx) => {
        const removed = await q.deletePasskey(trx, accountId, passkeyId);
        if (!removed) return fail('not_found', 'passkeys.not_found');
        await recordAudit(trx, {
          actorType: 'person',
          actorId: accountId,
          accountId,
          event: 'passkeys.removed',
          data: { passkeyId, deviceType: removed.device_type },
          ip: meta.ip,
          at: clock(),
        });
        const account = await deps.accounts.get(accountId, trx);
        await notify(trx, account?.mobile ?? null, accountId, 'sms.passkey_removed', `passkey-removed:${passkeyId}`, meta.lang);
        return ok({});
      });
    },

    /**
     * Removes every passkey of an account inside the caller's transaction (disabling an
     * account, the staff action). Writes the audit event when there was anything to remove;
     * `notify` also tells the person by SMS. Returns how many were removed.
     */
    async removeAllOf(trx: Queryable, accountId: string, actor: PasskeyRemovalActor, options: { notify?: boolean } = {}): Promise<number> {
      const removed = await q.deleteAllOf(trx, accountId);
      if (removed === 0) return 0;
      const now = clock();
      await recordAudit(trx, {
        actorType: actor.type,
        actorId: actor.id ?? null,
        accountId,
        event: 'passkeys.removed_all',
        data: { removed, ...(actor.reason ? { reason: actor.reason } : {}), ...(actor.type === 'staff' && actor.username ? { staff: actor.username } : {}) },
        ip: actor.type === 'staff' ? (actor.ip ?? null) : null,
        at: now,
      });
      if (options.notify) {
        const account = await deps.accounts.get(accountId, trx);
        await notify(trx, account?.mobile ?? null, accountId, 'sms.passkeys_removed_all', `passkeys-removed-all:${accountId}:${randomId()}`, 'fa');
      }
      return removed;
    },

    /** Back office: "remove all passkeys" with a reason (role `act`); the person gets an SMS. */
    async removeAllByStaff(staff: StaffPrincipal, accountId: string, input: Record<string, unknown>, meta: { ip: string }): Promise<Result<{ removed: number }, Failure>> {
      if (!can(staff, 'act')) return fail('forbidden', 'backoffice.forbidden');
      if (!UUID.test(accountId)) return fail('not_found', 'backoffice.person_not_found');
      const reason = parseReason(input.reason);
      if (!reason.ok) return invalid({ reason: reason.error });
      return db.transaction().execute(async (trx) => {
        const account = await deps.accounts.get(accountId, trx);
        if (!account) return fail('not_found', 'backoffice.person_not_found');
        if (!inBranchScope(staff, account)) return fail('forbidden', 'passkeys.staff_other_branch');
        const removed = await service.removeAllOf(trx, accountId, { type: 'staff', id: staff.id, username: staff.username, ip: meta.ip, reason: reason.value }, { notify: true });
        if (removed === 0) return fail('conflict', 'passkeys.staff_nothing_to_remove');
        logger.info({ staffId: staff.id, accountId, removed }, 'passkeys removed by staff');
        return ok({ removed });
      });
    },

    /** Sign-in, step 1: options for `navigator.credentials.get` (any discoverable passkey of this portal). */
    async authenticationOptions(meta: PasskeyMeta): Promise<Result<{ flowId: string; options: PublicKeyCredentialRequestOptionsJSON }, Failure>> {
      const byIp = await limiter.consume('passkeyOptionsPerIp', meta.ip);
      if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
      const options = await (await webauthn()).generateAuthenticationOptions({ rpID, userVerification: 'required', timeout: CHALLENGE_TTL_SECONDS * 1000 });
      const flowId = await newChallenge('authentication', null, options.challenge);
      return ok({ flowId, options });
    },

    /**
     * Sign-in, step 2: the challenge is used up first (a replay finds it gone), then the
     * signature, the counter and the account's state are checked; a normal portal session
     * follows. Failures count against the address like wrong passwords.
     */
    async authenticate(input: Record<string, unknown>, meta: PasskeyMeta & { kind: SessionKind }): Promise<Result<PasskeySignedIn, Failure>> {
      const byIp = await limiter.peek('signinFailuresPerIp', meta.ip);
      if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
      if (byIp.remaining <= 0) return limited(ipRule.blockSeconds || ipRule.durationSeconds);
      const refused = async (f: Failure) => {
        await limiter.consume('signinFailuresPerIp', meta.ip);
        return { ok: false as const, error: f };
      };
      const challenge = await useChallenge('authentication', input.flowId);
      if (!challenge.ok) return challenge;
      const response = parseCredential<AuthenticationResponseJSON>(input.credential);
      if (!response) return fail('invalid', 'passkeys.response_missing');
      const passkey = await q.findByCredentialId(db, response.id);
      if (!passkey) return refused({ kind: 'unauthenticated', code: 'passkeys.unknown_credential' });
      // A discoverable credential names its user: it must be the account the passkey belongs to.
      const handle = response.response.userHandle;
      if (handle !== undefined && handle !== userHandle(passkey.account_id)) return refused({ kind: 'unauthenticated', code: 'passkeys.unknown_credential' });
      let verified;
      try {
        verified = await (await webauthn()).verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge.value.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: passkey.counter, transports: passkey.transports },
          requireUserVerification: true,
        });
      } catch (e) {
        logger.info({ reason: (e as Error).message, passkeyId: passkey.id }, 'passkey sign-in refused');
        return refused({ kind: 'unauthenticated', code: 'passkeys.verification_failed' });
      }
      if (!verified.verified) return refused({ kind: 'unauthenticated', code: 'passkeys.verification_failed' });
      const info = verified.authenticationInfo;
      const account = await deps.accounts.get(passkey.account_id, db);
      if (!account) return refused({ kind: 'unauthenticated', code: 'passkeys.unknown_credential' });
      const stop = refusal(account);
      if (stop) return { ok: false, error: stop };
      if (!(await q.recordUse(db, passkey.id, info.newCounter, info.credentialBackedUp, clock()))) {
        // The counter went backwards between the check and the write: a cloned key or a race.
        logger.warn({ passkeyId: passkey.id }, 'passkey signature counter did not move forward');
        return refused({ kind: 'unauthenticated', code: 'passkeys.verification_failed' });
      }
      const session = await sessions.create(db, {
        accountId: account.id,
        kind: meta.kind,
        authMethod: 'passkey',
        requiresPasswordChange: false,
        ip: meta.ip,
        userAgent: meta.userAgent,
      });
      return ok({
        accountId: account.id,
        session,
        requiredActions: account.must_change_password ? ['change_password'] : [],
        amr: info.credentialDeviceType === 'multiDevice' ? 'swk' : 'hwk',
      });
    },

    purgeExpiredChallenges: () => q.deleteExpiredChallenges(db, clock()),

    /**
     * Back-office staff: a passkey in place of the TOTP code, after the password. Registered
     * from a signed-in staff session; checked by the staff sign-in (`verify`).
     */
    staff: {
      async list(staffId: string): Promise<PasskeyView[]> {
        return (await q.listStaffPasskeys(db, staffId)).map((r) => view({ ...r, account_id: r.staff_id }));
      },

      async registrationOptions(staff: Pick<StaffPrincipal, 'id' | 'username'>, meta: PasskeyMeta): Promise<Result<{ flowId: string; options: PublicKeyCredentialCreationOptionsJSON }, Failure>> {
        const byIp = await limiter.consume('passkeyOptionsPerIp', meta.ip);
        if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
        const existing = await q.listStaffPasskeys(db, staff.id);
        if (existing.length >= MAX_PASSKEYS) return fail('conflict', 'passkeys.too_many', { params: { max: MAX_PASSKEYS } });
        const options = await (await webauthn()).generateRegistrationOptions({
          rpName: t(meta.lang, 'passkeys.rp_name'),
          rpID,
          userName: staff.username,
          userID: new Uint8Array(Buffer.from(secrets.hmac('staff-passkey-user-handle', staff.id), 'base64url')),
          userDisplayName: staff.username,
          timeout: CHALLENGE_TTL_SECONDS * 1000,
          attestationType: 'none',
          excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
          authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
        });
        const now = clock();
        const flowId = randomId();
        await q.insertChallenge(db, { id: flowId, purpose: 'staff_registration', accountId: null, staffId: staff.id, challenge: options.challenge, now, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000) });
        return ok({ flowId, options });
      },

      async register(staff: Pick<StaffPrincipal, 'id'>, input: Record<string, unknown>, meta: PasskeyMeta): Promise<Result<{ id: string }, Failure>> {
        const name = parsePasskeyName(input.name);
        if (!name.ok) return invalid({ name: name.error });
        const challenge = await useChallenge('staff_registration', input.flowId);
        if (!challenge.ok) return challenge;
        if (challenge.value.staffId !== staff.id) return fail('not_found', 'passkeys.challenge_expired');
        const response = parseCredential<RegistrationResponseJSON>(input.credential);
        if (!response) return fail('invalid', 'passkeys.response_missing');
        let verified;
        try {
          verified = await (await webauthn()).verifyRegistrationResponse({ response, expectedChallenge: challenge.value.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
        } catch (e) {
          logger.info({ reason: (e as Error).message }, 'staff passkey registration refused');
          return fail('invalid', 'passkeys.verification_failed');
        }
        if (!verified.verified) return fail('invalid', 'passkeys.verification_failed');
        const info = verified.registrationInfo;
        const now = clock();
        return db.transaction().execute(async (trx) => {
          const count = (await q.listStaffPasskeys(trx, staff.id)).length;
          if (count >= MAX_PASSKEYS) return fail('conflict', 'passkeys.too_many', { params: { max: MAX_PASSKEYS } });
          const id = await q.insertStaffPasskey(trx, {
            staffId: staff.id,
            ...storedCredential(info, response.response.transports),
            name: name.value ?? t(meta.lang, 'passkeys.default_name', { n: count + 1 }),
            now,
          });
          if (!id) return fail('conflict', 'passkeys.already_registered');
          await recordAudit(trx, { actorType: 'staff', actorId: staff.id, event: 'backoffice.passkey_added', data: { passkeyId: id, deviceType: info.credentialDeviceType }, ip: meta.ip, at: now });
          return ok({ id });
        });
      },

      async remove(staffId: string, passkeyId: string, meta: { ip: string }): Promise<Result<{}, Failure>> {
        if (!UUID.test(passkeyId)) return fail('not_found', 'passkeys.not_found');
        return db.transaction().execute(async (trx) => {
          if (!(await q.deleteStaffPasskey(trx, staffId, passkeyId))) return fail('not_found', 'passkeys.not_found');
          await recordAudit(trx, { actorType: 'staff', actorId: staffId, event: 'backoffice.passkey_removed', data: { passkeyId }, ip: meta.ip, at: clock() });
          return ok({});
        });
      },

      /** Options for the staff sign-in: no credential list, so they say nothing about who has passkeys. */
      async authenticationOptions(meta: { ip: string }): Promise<Result<{ flowId: string; options: PublicKeyCredentialRequestOptionsJSON }, Failure>> {
        const byIp = await limiter.consume('passkeyOptionsPerIp', meta.ip);
        if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
        const options = await (await webauthn()).generateAuthenticationOptions({ rpID, userVerification: 'required', timeout: CHALLENGE_TTL_SECONDS * 1000 });
        const flowId = await newChallenge('staff_authentication', null, options.challenge);
        return ok({ flowId, options });
      },

      /**
       * The second factor of a staff sign-in whose password was right: the challenge is used
       * up, the passkey must be this staff member's, signed, user-verified, counter forward.
       */
      async verify(staffId: string, input: Record<string, unknown>): Promise<boolean> {
        const challenge = await useChallenge('staff_authentication', input.flowId);
        if (!challenge.ok) return false;
        const response = parseCredential<AuthenticationResponseJSON>(input.credential);
        if (!response) return false;
        const passkey = await q.findStaffPasskey(db, response.id);
        if (!passkey || passkey.staff_id !== staffId) return false;
        try {
          const verified = await (await webauthn()).verifyAuthenticationResponse({
            response,
            expectedChallenge: challenge.value.challenge,
            expectedOrigin: origin,
            expectedRPID: rpID,
            credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: passkey.counter, transports: passkey.transports },
            requireUserVerification: true,
          });
          if (!verified.verified) return false;
          return q.recordStaffUse(db, passkey.id, verified.authenticationInfo.newCounter, verified.authenticationInfo.credentialBackedUp, clock());
        } catch (e) {
          logger.info({ reason: (e as Error).message, staffId }, 'staff passkey refused');
          return false;
        }
      },
    },
  };
  return service;
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;

/** The stored form of a verified registration: what people's and staff's passkeys keep alike. */
function storedCredential(
  info: { credential: { id: string; publicKey: Uint8Array; counter: number }; credentialDeviceType: 'singleDevice' | 'multiDevice'; credentialBackedUp: boolean },
  transports: unknown,
) {
  return {
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: (Array.isArray(transports) ? transports : []).filter((x): x is string => typeof x === 'string').slice(0, 8),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
  };
}
