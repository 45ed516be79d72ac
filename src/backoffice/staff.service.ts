// Staff of the back office: creation (CLI) with a one-time password and a TOTP secret,
// sign-in with password + TOTP code, server-side sessions with an idle timeout, and the
// forced replacement of the one-time password.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { toLatinDigits } from '../identity/digits.js';
import { checkPassword, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../identity/password.js';
import { ok, type Result } from '../identity/result.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { MessageKey } from '../messages/index.js';
import { isStaffRole, type StaffPrincipal, type StaffRole } from './roles.js';
import * as q from './staff.queries.js';

export const STAFF_SESSION_COOKIE = 'bo_session';
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side: a phone clock a little off still works. */
const TOTP_TOLERANCE_SECONDS = 30;
const USERNAME = /^[a-z][a-z0-9._-]{2,39}$/;

export type StaffSession = StaffPrincipal & { mustChangePassword: boolean; tokenHash: string };

export type StaffDeps = {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  logger: Logger;
  clock: () => Date;
  /** Branch codes that exist (the CLI checks --branch against them). */
  branchExists?: (code: string) => Promise<boolean>;
  /** A staff passkey's answer (`flowId`, `credential`) in place of the TOTP code (passkeys capability). */
  verifyPasskey?: (staffId: string, input: Record<string, unknown>) => Promise<boolean>;
};

/** A one-time password that passes the password rules: 16 characters, letter first, upper, lower, digit. */
function oneTimePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const limit = Math.floor(256 / alphabet.length) * alphabet.length; // uniform draw, no modulo bias
  let out = '';
  while (out.length < 13) {
    for (const b of randomBytes(16)) {
      if (b < limit && out.length < 13) out += alphabet[b % alphabet.length];
    }
  }
  // The fixed parts guarantee the character classes whatever the draw.
  return `Kx${out}7`;
}

export function createStaffService(deps: StaffDeps) {
  const { db, config, hasher, secrets, limiter, logger, clock } = deps;
  const settings = config.backoffice;
  const passwordPolicy: PasswordPolicy = {
    ...DEFAULT_PASSWORD_POLICY,
    // Staff passwords open everybody's records: longer than the public minimum.
    minLength: Math.max(12, config.password.minLength),
    minStrengthScore: Math.max(3, config.password.minStrength) as PasswordPolicy['minStrengthScore'],
  };
  // The TOTP secret must be readable to check codes: it is kept encrypted under a key
  // derived from SECRET_KEY, so a copy of the database alone does not give it away.
  const totpKey = Buffer.from(secrets.hmac('backoffice-totp-secret-key', 'v1'), 'base64url');
  const encrypt = (plain: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', totpKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  };
  const decrypt = (stored: string) => {
    const [version, iv, body, tag] = stored.split('.');
    if (version !== 'v1' || !iv || !body || !tag) throw new Error('unknown TOTP secret format');
    const decipher = createDecipheriv('aes-256-gcm', totpKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  };
  const tokenHash = (token: string) => secrets.hmac('backoffice-session', token);
  const epochSeconds = () => Math.floor(clock().getTime() / 1000);

  const limited = (retryAfterSeconds: number) =>
    fail('limited', 'backoffice.signin_limited', { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });

  /** Checks a code against the secret, once per time step (a seen code is refused). */
  async function checkCode(staff: q.StaffRow, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const epoch = epochSeconds();
    const currentStep = Math.floor(epoch / TOTP_PERIOD_SECONDS);
    const last = staff.totp_last_step === null ? undefined : Number(staff.totp_last_step);
    // A code newer than the window was already used (or the clock went back): refuse.
    if (last !== undefined && last >= currentStep + 1) return false;
    const result = await verifyTotp({
      secret: decrypt(staff.totp_secret_encrypted),
      token: code,
      epoch,
      period: TOTP_PERIOD_SECONDS,
      epochTolerance: TOTP_TOLERANCE_SECONDS,
      ...(last !== undefined ? { afterTimeStep: last } : {}),
    });
    if (!result.valid || !('timeStep' in result)) return false;
    return q.acceptTotpStep(db, staff.id, result.timeStep);
  }

  return {
    passwordPolicy,

    /** `staff add`: a new staff member with a one-time password and a TOTP enrolment URI. */
    async create(input: { username: unknown; role: unknown; branchCode?: unknown }): Promise<
      Result<{ id: string; username: string; role: StaffRole; oneTimePassword: string; totpUri: string }, Failure>
    > {
      const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
      if (!USERNAME.test(username)) return invalid({ username: 'backoffice.staff_username_invalid' });
      if (!isStaffRole(input.role)) return invalid({ role: 'backoffice.staff_role_invalid' });
      const role = input.role;
      const rawBranch = typeof input.branchCode === 'string' ? toLatinDigits(input.branchCode.trim()) : '';
      if (role === 'branch_operator' && rawBranch === '') return invalid({ branch: 'backoffice.staff_branch_required' });
      const branchCode = rawBranch === '' ? null : rawBranch;
      if (branchCode !== null && deps.branchExists && !(await deps.branchExists(branchCode))) {
        return invalid({ branch: 'backoffice.staff_branch_unknown' });
      }
      const password = oneTimePassword();
      const secret = generateSecret();
      const passwordHash = await hasher.hash(password);
      const now = clock();
      const id = await db.transaction().execute(async (trx) => {
        const created = await q.insertStaff(trx, { username, role, branchCode, passwordHash, totpSecretEncrypted: encrypt(secret), at: now });
        if (!created) return null;
        await recordAudit(trx, {
          actorType: 'system',
          actorId: 'cli',
          event: 'backoffice.staff_created',
          data: { staffId: created, username, role, branch: branchCode },
          at: now,
        });
        return created;
      });
      if (!id) return fail('conflict', 'backoffice.staff_exists');
      const totpUri = generateURI({ issuer: settings.totpIssuer, label: username, secret, period: TOTP_PERIOD_SECONDS });
      return ok({ id, username, role, oneTimePassword: password, totpUri });
    },

    /** Password and TOTP code together; the same answer for every wrong part. */
    async signIn(
      input: Record<string, unknown>,
      meta: { ip: string },
    ): Promise<Result<{ token: string; mustChangePassword: boolean }, Failure>> {
      const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
      const password = typeof input.password === 'string' ? input.password : '';
      const code = typeof input.code === 'string' ? toLatinDigits(input.code).replace(/\s+/g, '') : '';
      // A passkey may stand in for the code (the form then carries its answer).
      const passkey = !!deps.verifyPasskey && typeof input.credential === 'string' && input.credential !== '';
      const fields: Partial<Record<string, MessageKey>> = {};
      if (!username) fields.username = 'backoffice.username_required';
      if (!password) fields.password = 'backoffice.password_required';
      if (!code && !passkey) fields.code = 'backoffice.code_required';
      if (Object.keys(fields).length) return invalid(fields);

      const byIp = await limiter.consume('backofficeSignInPerIp', meta.ip);
      if (!byIp.allowed) return limited(byIp.retryAfterSeconds);
      const byUser = await limiter.consume('backofficeSignInPerUser', username);
      if (!byUser.allowed) return limited(byUser.retryAfterSeconds);

      const staff = await q.findStaffByUsername(db, username);
      if (!staff || staff.disabled_at) {
        await hasher.verifyDummy(password);
        return fail('unauthenticated', 'backoffice.signin_failed');
      }
      const { valid, needsRehash } = await hasher.verify(staff.password_hash, password);
      // The code is checked even after a wrong password so that timing tells nothing,
      // but a code is only consumed when the password was right.
      const secondFactor = passkey ? 'passkey' : 'totp';
      const codeOk = valid ? (passkey ? await deps.verifyPasskey!(staff.id, input) : await checkCode(staff, code)) : false;
      const now = clock();
      if (!valid || !codeOk) {
        await db.transaction().execute((trx) =>
          recordAudit(trx, {
            actorType: 'staff',
            actorId: staff.id,
            event: 'backoffice.signin_failed',
            data: { factor: valid ? secondFactor : 'password' },
            ip: meta.ip,
            at: now,
          }),
        );
        logger.info({ staffId: staff.id, factor: valid ? secondFactor : 'password' }, 'staff sign-in refused');
        return fail('unauthenticated', 'backoffice.signin_failed');
      }
      await limiter.reset('backofficeSignInPerUser', username);
      if (needsRehash) await db.updateTable('staff_users').set({ password_hash: await hasher.hash(password) }).where('id', '=', staff.id).execute();
      const token = randomId();
      await db.transaction().execute(async (trx) => {
        await q.insertStaffSession(trx, {
          tokenHash: tokenHash(token),
          staffId: staff.id,
          at: now,
          expiresAt: new Date(now.getTime() + settings.sessionHours * 3600_000),
          ip: meta.ip,
        });
        await recordAudit(trx, { actorType: 'staff', actorId: staff.id, event: 'backoffice.signed_in', data: { role: staff.role, factor: secondFactor }, ip: meta.ip, at: now });
      });
      return ok({ token, mustChangePassword: staff.must_change_password });
    },

    /** The staff member behind a session cookie, or null when it is unknown, idle too long or over. */
    async authenticate(token: string | undefined): Promise<StaffSession | null> {
      if (!token || token.length > 100) return null;
      const hash = tokenHash(token);
      const row = await q.findStaffSession(db, hash);
      if (!row) return null;
      const now = clock();
      const idleLimit = new Date(row.last_seen_at.getTime() + settings.idleMinutes * 60_000);
      if (row.expires_at <= now || idleLimit <= now || row.disabled_at) {
        await q.deleteStaffSession(db, hash);
        return null;
      }
      await q.touchStaffSession(db, hash, now);
      return {
        id: row.staff_id,
        username: row.username,
        role: row.role,
        branchCode: row.branch_code,
        mustChangePassword: row.must_change_password,
        tokenHash: hash,
      };
    },

    async signOut(session: StaffSession, meta: { ip: string }) {
      await db.transaction().execute(async (trx) => {
        await q.deleteStaffSession(trx, session.tokenHash);
        await recordAudit(trx, { actorType: 'staff', actorId: session.id, event: 'backoffice.signed_out', ip: meta.ip, at: clock() });
      });
    },

    /** Replaces the one-time password (or any password) and ends the member's other sessions. */
    async changePassword(session: StaffSession, input: Record<string, unknown>, meta: { ip: string }): Promise<Result<{}, Failure>> {
      const next = input.newPassword;
      const problems = checkPassword(next, { username: session.username }, passwordPolicy);
      const fields: Partial<Record<string, MessageKey>> = {};
      if (problems.length) fields.newPassword = problems[0];
      if (typeof input.newPasswordConfirmation !== 'string' || input.newPasswordConfirmation !== next) {
        fields.newPasswordConfirmation = 'backoffice.password_mismatch';
      }
      // The current password is asked unless this is the forced change right after signing in
      // with the one-time password (just typed): a session left open must not change it.
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (!session.mustChangePassword && current === '') fields.currentPassword = 'backoffice.current_password_required';
      if (Object.keys(fields).length) return invalid(fields, 'request.invalid', problems.length > 1 ? { newPassword: problems } : undefined);
      const staff = await q.findStaffById(db, session.id);
      if (!staff) return fail('unauthenticated', 'backoffice.session_ended');
      if (!session.mustChangePassword) {
        // Counted like a sign-in attempt of this staff member.
        const tries = await deps.limiter.consume('backofficeSignInPerUser', session.username);
        if (!tries.allowed) return fail('limited', 'backoffice.signin_limited', { retryAfterSeconds: tries.retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(tries.retryAfterSeconds / 60)) } });
        if (!(await hasher.verify(staff.password_hash, current)).valid) return invalid({ currentPassword: 'backoffice.current_password_wrong' });
      }
      if ((await hasher.verify(staff.password_hash, next as string)).valid) return invalid({ newPassword: 'backoffice.password_same' });
      const hash = await hasher.hash(next as string);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await q.setStaffPassword(trx, session.id, hash, now);
        await q.deleteOtherStaffSessions(trx, session.id, session.tokenHash);
        await recordAudit(trx, { actorType: 'staff', actorId: session.id, event: 'backoffice.password_changed', ip: meta.ip, at: now });
      });
      return ok({});
    },

    purgeExpiredSessions() {
      const now = clock();
      return q.deleteExpiredStaffSessions(db, now, new Date(now.getTime() - settings.idleMinutes * 60_000));
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
