// Signing in: by username and password (or the temporary password of an SMS recovery),
// or by a one-time code sent to the registered mobile. Limits per username and per
// address come from the RATE_LIMITS table; consecutive wrong passwords lock the account
// in the database (accounts.locked_until), judged by the injected clock.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { toLatinDigits } from '../identity/digits.js';
import { maskNationalCode } from '../identity/nationalCode.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomDigits, randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { Lang, MessageKey } from '../web/i18n.js';
import type { AuthMethod, NewSession, RequiredAction, SessionKind, SessionService } from './sessions.service.js';
import * as q from './signin.queries.js';
import { parseUsername } from './username.js';

export type SigninMeta = { ip: string; lang: Lang; userAgent: string | null };

export type SignedIn = {
  accountId: string;
  session: NewSession;
  requiredActions: RequiredAction[];
};

export type SigninDeps = {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  sessions: SessionService;
  sms: SmsService;
  /** Recovery: true (and used up) when `password` is the newest unexpired temporary password of the account. */
  useTemporaryPassword: (accountId: string, password: string) => Promise<boolean>;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
};

const CODE_LENGTH = 6;
const NOT_ACTIVE: Record<'pending_verification' | 'awaiting_branch_visit', MessageKey> = {
  pending_verification: 'signin.account_pending_verification',
  awaiting_branch_visit: 'signin.account_awaiting_branch_visit',
};

export function createSigninService(deps: SigninDeps) {
  const { db, hasher, secrets, limiter, sessions, clock, logger } = deps;
  const settings = deps.config.signin;
  const codeHash = (flowId: string, code: string) => secrets.hmac('signin-code', `${flowId}:${code}`);
  const ipRule = deps.config.rateLimits.signinFailuresPerIp;
  const signins = new Counter({
    name: 'dargah_signins_total',
    help: 'Sign-in attempts by method and result',
    labelNames: ['method', 'result'] as const,
    registers: [deps.metrics.registry],
  });

  const limited = (code: MessageKey, retryAfterSeconds: number) =>
    fail('limited', code, { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });
  const lockedFailure = (until: Date) => {
    const seconds = Math.max(1, Math.ceil((until.getTime() - clock().getTime()) / 1000));
    return fail('locked', 'signin.locked', { retryAfterSeconds: seconds, params: { minutes: Math.ceil(seconds / 60) } });
  };
  const isLocked = (a: q.AccountRow) => !!a.locked_until && a.locked_until > clock();

  /** State checks once the person has proven who they are. */
  function accountRefusal(a: q.AccountRow): Failure | null {
    if (a.disabled_at) return { kind: 'forbidden', code: 'signin.account_disabled' };
    if (a.status !== 'active') return { kind: 'forbidden', code: NOT_ACTIVE[a.status] };
    return null;
  }

  async function openSession(
    a: q.AccountRow,
    method: AuthMethod,
    meta: SigninMeta & { kind: SessionKind },
  ): Promise<SignedIn> {
    const requiresPasswordChange = method === 'temporary_password';
    // The session row is the record of the sign-in (who, when, how, from where; rows are
    // ended, never deleted): no audit-chain event here, which would serialise every
    // sign-in of the country on the chain's lock.
    const session = await sessions.create(db, {
      accountId: a.id,
      kind: meta.kind,
      authMethod: method,
      requiresPasswordChange,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    signins.inc({ method, result: 'ok' });
    return {
      accountId: a.id,
      session,
      requiredActions: a.must_change_password || requiresPasswordChange ? ['change_password'] : [],
    };
  }

  return {
    /** Username + password (or the temporary password of the newest SMS recovery). */
    async signIn(input: Record<string, unknown>, meta: SigninMeta & { kind: SessionKind }): Promise<Result<SignedIn, Failure>> {
      const username = parseUsername(input.username);
      const password = typeof input.password === 'string' ? input.password : '';
      const fields: Partial<Record<string, MessageKey>> = {};
      if (!username.ok) fields.username = username.error;
      if (password === '') fields.password = 'signin.password_required';
      else if (password.length > 256) fields.password = 'signin.password_too_long';
      if (!username.ok || fields.password) return invalid(fields);

      // Failures are counted after the fact (a success costs nothing); a spent budget refuses.
      const byIp = await limiter.peek('signinFailuresPerIp', meta.ip);
      if (!byIp.allowed) return limited('signin.limited', byIp.retryAfterSeconds);
      if (byIp.remaining <= 0) return limited('signin.limited', ipRule.blockSeconds || ipRule.durationSeconds);
      const byUser = await limiter.consume('signinPerUsername', username.value.value);
      if (!byUser.allowed) return limited('signin.limited', byUser.retryAfterSeconds);

      const account = await q.findAccountByUsername(db, username.value);
      if (!account || !account.password_hash) {
        // Unknown usernames cost one argon2 verification, like known ones.
        await hasher.verifyDummy(password);
        await limiter.consume('signinFailuresPerIp', meta.ip);
        signins.inc({ method: 'password', result: 'wrong' });
        return fail('unauthenticated', 'signin.invalid_credentials');
      }
      // A locked account says so without checking the password: no guess counts while locked.
      if (isLocked(account)) {
        signins.inc({ method: 'password', result: 'locked' });
        return lockedFailure(account.locked_until!);
      }

      let method: AuthMethod | null = null;
      const checked = await hasher.verify(account.password_hash, password);
      if (checked.valid) method = 'password';
      else if (await deps.useTemporaryPassword(account.id, password)) method = 'temporary_password';

      if (!method) {
        const now = clock();
        const until = new Date(now.getTime() + settings.lockoutMinutes * 60_000);
        const { locked } = await q.recordFailedSignin(db, account.id, settings.maxFailures, until, now);
        await limiter.consume('signinFailuresPerIp', meta.ip);
        if (locked) {
          await db.transaction().execute((trx) =>
            recordAudit(trx, {
              actorType: 'system',
              accountId: account.id,
              event: 'signin.locked',
              data: { minutes: settings.lockoutMinutes, failures: settings.maxFailures },
              ip: meta.ip,
              at: now,
            }),
          );
          logger.info({ nc: maskNationalCode(account.national_code ?? '') }, 'account locked after failed sign-ins');
          signins.inc({ method: 'password', result: 'locked' });
          return lockedFailure(until);
        }
        signins.inc({ method: 'password', result: 'wrong' });
        return fail('unauthenticated', 'signin.invalid_credentials');
      }

      const refusal = accountRefusal(account);
      if (refusal) {
        signins.inc({ method, result: 'not_active' });
        return { ok: false, error: refusal };
      }
      // The insured capability's initial password (the national code) works for a limited time.
      const initialExpires = (account as { initial_password_expires_at?: Date | null }).initial_password_expires_at;
      if (method === 'password' && account.must_change_password && initialExpires && initialExpires <= clock()) {
        return fail('forbidden', 'signin.initial_password_expired');
      }

      if (account.failed_signins > 0) await q.resetFailedSignins(db, account.id);
      await limiter.reset('signinPerUsername', username.value.value);
      if (method === 'password' && checked.needsRehash) {
        await q.updatePasswordHash(db, account.id, await hasher.hash(password));
      }
      return ok(await openSession(account, method, meta));
    },

    /** One-time code by SMS, step 1: the same answer whether or not the username has an active account. */
    async startCode(input: Record<string, unknown>, meta: SigninMeta): Promise<Result<{ flowId: string }, Failure>> {
      const username = parseUsername(input.username);
      if (!username.ok) return invalid({ username: username.error });
      const byIp = await limiter.consume('signinCodePerIp', meta.ip);
      if (!byIp.allowed) return limited('signin.limited', byIp.retryAfterSeconds);
      const byUser = await limiter.consume('signinCodePerUsername', username.value.value);
      if (!byUser.allowed) return limited('signin.limited', byUser.retryAfterSeconds);

      const account = await q.findAccountByUsername(db, username.value);
      const usable = !!account && account.status === 'active' && !account.disabled_at && !!account.mobile;
      const now = clock();
      const flowId = randomId();
      const expiresAt = new Date(now.getTime() + settings.codeTtlSeconds * 1000);
      if (!usable) {
        await q.insertSigninCode(db, { id: flowId, accountId: null, mobile: null, codeHash: null, now, expiresAt });
        return ok({ flowId });
      }
      const code = randomDigits(CODE_LENGTH);
      await db.transaction().execute(async (trx) => {
        await q.insertSigninCode(trx, { id: flowId, accountId: account.id, mobile: account.mobile, codeHash: codeHash(flowId, code), now, expiresAt });
        await deps.sms.enqueue(trx, {
          to: account.mobile!,
          template: 'sms.signin_code',
          params: { code },
          lang: meta.lang,
          idempotencyKey: `signin-code:${flowId}`,
          accountId: account.id,
        });
      });
      return ok({ flowId });
    },

    /** Whether a code flow is still open (for showing its page). */
    async codeFlowOpen(flowId: string): Promise<boolean> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return false;
      const flow = await q.findSigninCode(db, flowId);
      return !!flow && !flow.consumed_at && flow.expires_at > clock();
    },

    /** One-time code, step 2. */
    async verifyCode(flowId: string, input: Record<string, unknown>, meta: SigninMeta & { kind: SessionKind }): Promise<Result<SignedIn, Failure>> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return fail('not_found', 'signin.code_flow_expired');
      const flow = await q.findSigninCode(db, flowId);
      if (!flow || flow.consumed_at) return fail('not_found', 'signin.code_flow_expired');
      const raw = typeof input.code === 'string' ? toLatinDigits(input.code).replace(/\s+/g, '') : '';
      if (raw === '') return invalid({ code: 'signin.code_required' });
      if (!/^\d{6}$/.test(raw)) return invalid({ code: 'signin.code_format' });
      const attempts = await q.countCodeAttempt(db, flow.id);
      if (attempts > settings.codeMaxAttempts) return fail('limited', 'signin.code_attempts_exceeded');
      if (flow.expires_at <= clock()) return invalid({ code: 'signin.code_expired' });
      if (!flow.code_hash || !flow.account_id || !secrets.equal(flow.code_hash, codeHash(flow.id, raw))) {
        signins.inc({ method: 'sms_code', result: 'wrong' });
        if (attempts >= settings.codeMaxAttempts) return fail('limited', 'signin.code_attempts_exceeded');
        return invalid({ code: 'signin.code_wrong' });
      }
      const consumed = await db.transaction().execute(async (trx) => {
        if (!(await q.consumeCode(trx, flow.id, clock()))) return false;
        // The code has done its work: its SMS text (kept by the development outbox) goes.
        await deps.sms.endSecretsOf(trx, { key: `signin-code:${flow.id}` });
        return true;
      });
      if (!consumed) return fail('not_found', 'signin.code_flow_expired');
      const account = await q.findAccountById(db, flow.account_id);
      if (!account) return fail('not_found', 'signin.code_flow_expired');
      if (isLocked(account)) return lockedFailure(account.locked_until!);
      const refusal = accountRefusal(account);
      if (refusal) return { ok: false, error: refusal };
      return ok(await openSession(account, 'sms_code', meta));
    },

    purgeExpiredCodes: () => q.deleteExpiredCodes(db, clock()),
  };
}

export type SigninService = ReturnType<typeof createSigninService>;
