// Signing in: by username and password (or the temporary password of an SMS recovery),
// or by a one-time code sent to the registered mobile. Limits per username and per
// address come from the RATE_LIMITS table; the account's credentials, the count of its
// failures and the captcha it asks for after many belong to the accounts capability
// (no lockout: a stranger's failures never keep the owner out).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { Lang, MessageKey } from '../messages/index.js';
import type { AuthMethod, NewSession, RequiredAction, SessionKind, SessionService } from './sessions.service.js';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.js';
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
  accounts: AccountsService;
  /** The self-hosted captcha the account-wide guard asks for (ALTCHA payload). */
  verifyCaptcha: (payload: unknown) => Promise<{ ok: boolean }>;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  /** Keeps the signed-in person's profile as read by the sign-in (account.service keepProfile). */
  keepProfile: (a: AccountRow, mark: number) => void;
};

/** How long a decoy code flow reads as "sending" (about what the gateway takes). */
const DECOY_SENDING_MS = 3000;

const NOT_ACTIVE: Record<'pending_verification' | 'awaiting_branch_visit', MessageKey> = {
  pending_verification: 'signin.account_pending_verification',
  awaiting_branch_visit: 'signin.account_awaiting_branch_visit',
};

export function createSigninService(deps: SigninDeps) {
  const { db, limiter, sessions, clock, accounts } = deps;
  const settings = deps.config.signin;
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
  // Accounts locked before the lockout was replaced by a captcha keep their lock until it ends (or staff unlock).
  const isLocked = (a: AccountRow) => !!a.locked_until && a.locked_until > clock();

  /** State checks once the person has proven who they are. */
  function accountRefusal(a: AccountRow): Failure | null {
    if (a.disabled_at) return { kind: 'forbidden', code: 'signin.account_disabled' };
    if (a.status !== 'active') return { kind: 'forbidden', code: NOT_ACTIVE[a.status] };
    return null;
  }

  async function openSession(a: AccountRow, method: AuthMethod, meta: SigninMeta & { kind: SessionKind }, mark?: number): Promise<SignedIn> {
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
    }, mark === undefined ? undefined : { account: a, mark });
    if (mark !== undefined) deps.keepProfile(a, mark);
    if (meta.kind === 'web' && a.preferred_lang !== meta.lang) await accounts.rememberLanguage(a.id, meta.lang);
    signins.inc({ method, result: 'ok' });
    return {
      accountId: a.id,
      session,
      requiredActions: a.must_change_password || requiresPasswordChange ? ['change_password'] : [],
    };
  }

  /**
   * checkGuarded's work, with the recording of a right password (the counters start again)
   * left running as `recorded`, for the caller to await together with its own next writes:
   * commands to Redis issued together go out in one write (ioredis auto-pipelining).
   * `recorded` must be awaited whenever it is there.
   */
  async function checkUnderGuard(
    a: AccountRow,
    password: string,
    meta: { ip: string },
    captcha?: unknown,
  ): Promise<{
    checked: Result<{ method: 'password' | 'temporary_password'; needsRehash: boolean }, Failure & { remainingTries?: number }>;
    recorded?: Promise<void>;
  }> {
    const guard = await accounts.guard(a, meta.ip);
    if (!guard.allowed) return { checked: limited('signin.limited', guard.retryAfterSeconds) };
    if (guard.captchaRequired && !(await deps.verifyCaptcha(captcha)).ok) {
      return { checked: fail('unauthenticated', 'signin.captcha_required') };
    }
    const checked = await accounts.checkPassword(a, password);
    if (!checked.method) {
      const { remainingForAddress } = await accounts.recordFailure(a.id, meta.ip);
      const warn = remainingForAddress <= 3 ? { remainingTries: remainingForAddress, params: { tries: remainingForAddress } } : {};
      return { checked: { ok: false, error: { kind: 'unauthenticated', code: 'signin.invalid_credentials', ...warn } } };
    }
    return { checked: ok({ method: checked.method, needsRehash: checked.needsRehash }), recorded: accounts.recordSuccess(a, meta.ip) };
  }

  const service = {
    /**
     * A password of a known account checked under the guard: this address's failures on this
     * account (refused past its share), and the account-wide count (a captcha past its
     * threshold). Used by sign-in and by every current-password check of the person's pages.
     */
    async checkGuarded(
      a: AccountRow,
      password: string,
      meta: { ip: string },
      captcha?: unknown,
    ): Promise<Result<{ method: 'password' | 'temporary_password'; needsRehash: boolean }, Failure & { remainingTries?: number }>> {
      const { checked, recorded } = await checkUnderGuard(a, password, meta, captcha);
      await recorded;
      return checked;
    },

    /** Username + password (or the temporary password of the newest SMS recovery). */
    async signIn(input: Record<string, unknown>, meta: SigninMeta & { kind: SessionKind }): Promise<Result<SignedIn, Failure>> {
      const username = parseUsername(input.username);
      const password = typeof input.password === 'string' ? input.password : '';
      const fields: Partial<Record<string, MessageKey>> = {};
      if (!username.ok) fields.username = username.error;
      if (password === '') fields.password = 'signin.password_required';
      else if (password.length > 256) fields.password = 'signin.password_too_long';
      if (!username.ok || fields.password) return invalid(fields);

      // Counted before the check (consume first, then decide): parallel guesses cannot pass the table.
      // (Every attempt takes a point of the address budget; one that is not a wrong password gives it back.)
      // Both counts at once: one wait for the counters instead of two (both are this address's).
      const pair = `${username.value.value}:${meta.ip}`;
      const [byIp, byUser] = await Promise.all([limiter.consume('signinFailuresPerIp', meta.ip), limiter.consume('signinPerUsername', pair)]);
      if (!byIp.allowed) return limited('signin.limited', byIp.retryAfterSeconds);
      if (!byUser.allowed) return limited('signin.limited', byUser.retryAfterSeconds);

      // Before the account is read: the new session is kept as a copy only if no change of any
      // account was heard since (sessions.service `mark`).
      const mark = sessions.mark();
      const account = await accounts.byUsername(username.value);
      if (!account || !account.password_hash) {
        // Unknown usernames cost one argon2 verification, like known ones.
        await deps.hasher.verifyDummy(password);
        signins.inc({ method: 'password', result: 'wrong' });
        return fail('unauthenticated', 'signin.invalid_credentials');
      }
      if (isLocked(account)) {
        signins.inc({ method: 'password', result: 'locked' });
        return lockedFailure(account.locked_until!);
      }
      // The recording of a right password shares its wait (and its write to the counters) with
      // what follows: the session's insert, or the refusal's give-back.
      const { checked, recorded } = await checkUnderGuard(account, password, meta, input.captcha);
      if (!checked.ok) {
        if (checked.error.code !== 'signin.invalid_credentials') await limiter.reward('signinFailuresPerIp', meta.ip);
        signins.inc({ method: 'password', result: checked.error.code === 'signin.captcha_required' ? 'captcha' : checked.error.kind === 'limited' ? 'limited' : 'wrong' });
        return checked;
      }
      const method = checked.value.method;
      const refusal = accountRefusal(account);
      // The initial password of the insured capability (the national code) works for a limited time.
      const initialExpires = account.initial_password_expires_at;
      const expired = method === 'password' && account.must_change_password && initialExpires && initialExpires <= clock();
      if (refusal || expired) {
        await Promise.all([recorded, limiter.reward('signinFailuresPerIp', meta.ip)]);
        if (refusal) {
          signins.inc({ method, result: 'not_active' });
          return { ok: false, error: refusal };
        }
        return fail('forbidden', 'signin.initial_password_expired');
      }
      if (method === 'password' && checked.value.needsRehash) await Promise.all([recorded, accounts.rehash(account.id, password)]);
      // A right password gives back its point and clears this address's count on the
      // username, in the same wait as the session's insert. The person is signed in either
      // way: a counter that could not be updated is reported, and only costs this address
      // some of its budget until the window passes.
      const counted = (e: unknown) => deps.logger.warn({ err: e }, 'sign-in counters not updated after a right password');
      const [opened] = await Promise.all([
        openSession(account, method, meta, mark),
        recorded,
        limiter.reward('signinFailuresPerIp', meta.ip).catch(counted),
        limiter.reset('signinPerUsername', pair).catch(counted),
      ]);
      return ok(opened);
    },

    /** One-time code by SMS, step 1: the same answer whether or not the username has an active account. */
    async startCode(input: Record<string, unknown>, meta: SigninMeta): Promise<Result<{ flowId: string }, Failure>> {
      const username = parseUsername(input.username);
      if (!username.ok) return invalid({ username: username.error });
      const byIp = await limiter.consume('signinCodePerIp', meta.ip);
      if (!byIp.allowed) return limited('signin.limited', byIp.retryAfterSeconds);
      // This address's share first: a stranger's requests use up theirs, not the owner's.
      const byPair = await limiter.consume('signinCodePerUsernameAndIp', `${username.value.value}:${meta.ip}`);
      if (!byPair.allowed) return limited('signin.limited', byPair.retryAfterSeconds);
      const byUser = await limiter.consume('signinCodePerUsername', username.value.value);
      if (!byUser.allowed) return limited('signin.limited', byUser.retryAfterSeconds);

      const account = await accounts.byUsername(username.value);
      const usable = !!account && account.status === 'active' && !account.disabled_at && !!account.mobile;
      const now = clock();
      const flowId = randomId();
      const expiresAt = new Date(now.getTime() + settings.codeTtlSeconds * 1000);
      if (!usable) {
        await accounts.insertCode(db, { id: flowId, purpose: 'signin', accountId: null, mobile: null, codeHash: null, now, expiresAt });
        return ok({ flowId });
      }
      const issued = accounts.codes.issue('signin-code', flowId, settings.codeTtlSeconds);
      await db.transaction().execute(async (trx) => {
        await accounts.insertCode(trx, { id: flowId, purpose: 'signin', accountId: account.id, mobile: account.mobile, codeHash: issued.hash, now, expiresAt: issued.expiresAt });
        await deps.sms.enqueue(trx, {
          to: account.mobile!,
          template: 'sms.signin_code',
          params: { code: issued.code },
          lang: meta.lang,
          idempotencyKey: `signin-code:${flowId}`,
          accountId: account.id,
        });
      });
      return ok({ flowId });
    },

    /**
     * Whether a code flow is still open (for showing its page), and whether its SMS is still
     * on its way: a code's validity runs from when the gateway accepted it. A flow of an
     * unknown username sends nothing; it reads as sent after a few seconds, as real ones do,
     * so the page does not tell who has an account.
     */
    async codeFlow(flowId: string): Promise<{ sending: boolean } | null> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return null;
      const flow = await accounts.findCode(flowId, 'signin');
      if (!flow || flow.consumed_at) return null;
      const now = clock().getTime();
      const deliveredAt = flow.account_id ? await deps.sms.deliveredAt(`signin-code:${flow.id}`) : null;
      const expiresAt = Math.max(flow.expires_at.getTime(), deliveredAt ? deliveredAt.getTime() + settings.codeTtlSeconds * 1000 : 0);
      if (expiresAt <= now) return null;
      const sending = flow.account_id ? !deliveredAt : now - flow.created_at.getTime() < DECOY_SENDING_MS;
      return { sending };
    },

    async codeFlowOpen(flowId: string): Promise<boolean> {
      return (await service.codeFlow(flowId)) !== null;
    },

    /** One-time code, step 2. */
    async verifyCode(flowId: string, input: Record<string, unknown>, meta: SigninMeta & { kind: SessionKind }): Promise<Result<SignedIn, Failure>> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return fail('not_found', 'signin.code_flow_expired');
      const flow = await accounts.findCode(flowId, 'signin');
      if (!flow || flow.consumed_at) return fail('not_found', 'signin.code_flow_expired');
      const verdict = await accounts.codes.verify({
        purpose: 'signin-code',
        flowId: flow.id,
        input: input.code,
        stored: { hash: flow.account_id ? flow.code_hash : null, expiresAt: flow.expires_at, attempts: flow.attempts },
        maxAttempts: settings.codeMaxAttempts,
        ttlSeconds: settings.codeTtlSeconds,
        countAttempt: () => accounts.countCodeAttempt(flow.id),
        deliveredAt: await deps.sms.deliveredAt(`signin-code:${flow.id}`),
      });
      if (!verdict.ok) {
        if (verdict.error === 'wrong') signins.inc({ method: 'sms_code', result: 'wrong' });
        return CODE_FAILURES[verdict.error];
      }
      const consumed = await db.transaction().execute(async (trx) => {
        if (!(await accounts.consumeCode(trx, flow.id))) return false;
        // The code has done its work: its SMS text (kept by the development outbox) goes.
        await deps.sms.endSecretsOf(trx, { key: `signin-code:${flow.id}` });
        return true;
      });
      if (!consumed) return fail('not_found', 'signin.code_flow_expired');
      const account = await accounts.get(flow.account_id!);
      if (!account) return fail('not_found', 'signin.code_flow_expired');
      if (isLocked(account)) return lockedFailure(account.locked_until!);
      const refusal = accountRefusal(account);
      if (refusal) return { ok: false, error: refusal };
      return ok(await openSession(account, 'sms_code', meta));
    },

    purgeExpiredCodes: () => accounts.purgeExpiredCodes(),
  };
  return service;
}

const CODE_FAILURES = {
  required: invalid({ code: 'signin.code_required' }),
  format: invalid({ code: 'signin.code_format' }),
  expired: invalid({ code: 'signin.code_expired' }),
  wrong: invalid({ code: 'signin.code_wrong' }),
  attempts_exceeded: fail('limited', 'signin.code_attempts_exceeded'),
} as const;

export type SigninService = ReturnType<typeof createSigninService>;
