// The person's own account pages: profile, password (also the forced change), email,
// security question, mobile number (a code to the new number and the ownership check).
// Every change is a transition of the accounts capability, which carries its duties;
// every current-password check is a guarded sign-in attempt.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AccountRow, AccountsService, RotatedSession } from '../accounts/accounts.service.js';
import type { Config, RateLimitName } from '../config.js';
import { createAccountCopies, type ChangeFeed } from '../db/changes.js';
import type { DB } from '../db/schema.js';
import { parseOptionalEmail } from '../identity/email.js';
import { parseMobile } from '../identity/mobile.js';
import { checkPassword, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../identity/password.js';
import { ok, type Err, type Result } from '../identity/result.js';
import { parseSecurityAnswer } from '../identity/securityAnswer.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { MobileOwnership } from '../registries/types.js';
import { parseSecurityQuestion } from '../registration/securityQuestions.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { AuthMethod } from '../signin/sessions.service.js';
import type { Lang, MessageKey } from '../messages/index.js';

export type AccountMeta = { ip: string; lang: Lang };
/** The session asking: whose it is, and how it signed in. */
export type Asker = { accountId: string; sessionId: string | null; authMethod: AuthMethod };

export type Profile = {
  nationalCode: string | null;
  foreignNationalId: string | null;
  firstName: string | null;
  lastName: string | null;
  gender: 'male' | 'female' | null;
  birthDate: string | null;
  birthCertificateNumber: string | null;
  country: string | null;
  city: string | null;
  mobile: string | null;
  email: string | null;
  securityQuestion: string | null;
  status: 'pending_verification' | 'awaiting_branch_visit' | 'active';
  permissions: string[];
  mustChangePassword: boolean;
};

type Fields = Partial<Record<string, MessageKey>>;

/** A current password checked as a sign-in attempt (sign-in's guard: per address, then a captcha). */
export type CurrentPasswordCheck = (a: AccountRow, password: string, meta: { ip: string }) => Promise<Result<unknown, Failure>>;

export function createAccountService(deps: {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  accounts: AccountsService;
  checkCurrentPassword: CurrentPasswordCheck;
  sms: SmsService;
  mobileOwnership: MobileOwnership;
  logger: Logger;
  clock: () => Date;
  changes: ChangeFeed;
}) {
  const { db, hasher, limiter, accounts, sms, clock } = deps;
  // The profile every signed-in page and getMe show, by account (db/changes.ts).
  const profiles = createAccountCopies<Profile>(deps.changes, { max: 20_000, ttlMs: 60_000 });
  const passwordPolicy: PasswordPolicy = {
    ...DEFAULT_PASSWORD_POLICY,
    minLength: deps.config.password.minLength,
    minStrengthScore: deps.config.password.minStrength,
  };
  const limited = (code: MessageKey, retryAfterSeconds: number) =>
    fail('limited', code, { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });

  /** Every rule the new password breaks, for the named field; plus the confirmation. */
  function checkNewPassword(a: AccountRow, input: Record<string, unknown>, fields: Fields): PasswordErrors {
    const problems = checkPassword(
      input.newPassword,
      {
        firstName: a.first_name ?? undefined,
        lastName: a.last_name ?? undefined,
        nationalCode: a.national_code ?? a.foreign_national_id ?? undefined,
      },
      passwordPolicy,
    );
    if (problems.length > 0) fields.newPassword = problems[0];
    if (typeof input.newPasswordConfirmation !== 'string' || input.newPasswordConfirmation === '') {
      fields.newPasswordConfirmation = 'account.password_confirmation_required';
    } else if (problems.length === 0 && input.newPasswordConfirmation !== input.newPassword) {
      fields.newPasswordConfirmation = 'account.password_mismatch';
    }
    return problems;
  }
  type PasswordErrors = ReturnType<typeof checkPassword>;

  const profileOf = (a: AccountRow): Profile => ({
    nationalCode: a.national_code,
    foreignNationalId: a.foreign_national_id,
    firstName: a.first_name,
    lastName: a.last_name,
    gender: a.gender,
    birthDate: a.birth_date,
    birthCertificateNumber: a.birth_certificate_number,
    country: a.country,
    city: a.city,
    mobile: a.mobile,
    email: a.email,
    securityQuestion: a.security_question,
    status: a.status,
    permissions: a.permissions,
    mustChangePassword: a.must_change_password,
  });

  const service = {
    passwordPolicy,

    async profile(accountId: string): Promise<Profile | null> {
      return (await profiles.read(accountId, async () => {
        const a = await accounts.get(accountId);
        return a && { accountId, value: profileOf(a) };
      })) ?? null;
    },

    /**
     * Keeps the profile of an account row the caller read itself (a sign-in, with the mark it
     * took before reading), as `profile` keeps what it loads: only if no change of any account
     * was heard since. The page or getMe right after a sign-in then reads no account row.
     */
    keepProfile(a: AccountRow, mark: number) {
      profiles.keep(a.id, a.id, profileOf(a), mark);
    },

    /**
     * Password change; the current password is not asked again right after a temporary-password
     * sign-in. The asking session continues under a new id (`rotated`: the caller hands it out).
     */
    async changePassword(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{ rotated: RotatedSession | null }, Failure>> {
      const a = await accounts.get(asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const askCurrent = asker.authMethod !== 'temporary_password';
      const fields: Fields = {};
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (askCurrent && current === '') fields.currentPassword = 'account.current_password_required';
      const problems = checkNewPassword(a, input, fields);
      if (Object.keys(fields).length > 0) return invalid(fields, 'request.invalid', problems.length > 1 ? { newPassword: problems } : undefined);
      if (askCurrent) {
        const wrong = await currentPasswordRefusal(a, current, meta);
        if (wrong) return wrong;
        if (current === input.newPassword) return invalid({ newPassword: 'account.password_same_as_current' });
      } else if ((await hasher.verify(a.password_hash, input.newPassword as string)).valid) {
        return invalid({ newPassword: 'account.password_same_as_current' });
      }
      const hash = await hasher.hash(input.newPassword as string);
      const { rotated } = await db.transaction().execute((trx) =>
        accounts.setPassword(trx, 'setPasswordByPerson', { kind: 'person', accountId: a.id, ip: meta.ip, lang: meta.lang, sessionId: asker.sessionId }, a.id, hash),
      );
      return ok({ rotated });
    },

    async changeEmail(accountId: string, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      const email = parseOptionalEmail(input.email);
      if (!email.ok) return invalid({ email: email.error });
      await db.transaction().execute((trx) => accounts.changeEmail(trx, { kind: 'person', accountId, ip: meta.ip, lang: meta.lang }, accountId, email.value));
      return ok({});
    },

    async changeSecurityQuestion(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      const a = await accounts.get(asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const fields: Fields = {};
      const question = parseSecurityQuestion(input.securityQuestion);
      const answer = parseSecurityAnswer(input.securityAnswer);
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (!question.ok) fields.securityQuestion = question.error;
      if (!answer.ok) fields.securityAnswer = answer.error;
      if (current === '') fields.currentPassword = 'account.current_password_required';
      if (!question.ok || !answer.ok || current === '') return invalid(fields);
      const wrong = await currentPasswordRefusal(a, current, meta);
      if (wrong) return wrong;
      const answerHash = await hasher.hash(answer.value);
      await db.transaction().execute((trx) =>
        accounts.changeSecurityQuestion(trx, { kind: 'person', accountId: a.id, ip: meta.ip, lang: meta.lang }, a.id, question.value, answerHash),
      );
      return ok({});
    },

    /** New mobile, step 1: password again, the ownership check, then a code to the new number. */
    async startMobileChange(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{ flowId: string; mobile: string }, Failure>> {
      const a = await accounts.get(asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const fields: Fields = {};
      const mobile = parseMobile(input.mobile);
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (!mobile.ok) fields.mobile = mobile.error;
      else if (mobile.value === a.mobile) fields.mobile = 'account.mobile_same';
      if (current === '') fields.currentPassword = 'account.current_password_required';
      if (Object.keys(fields).length > 0 || !mobile.ok) return invalid(fields);
      const wrong = await currentPasswordRefusal(a, current, meta);
      if (wrong) return wrong;
      // The ownership service answers for national codes only: foreign nationals change their number at a branch.
      if (!a.national_code) return fail('forbidden', 'account.mobile_change_at_branch');
      const byAccount = await limiter.consume('mobileChangePerAccount', a.id);
      if (!byAccount.allowed) return limited('account.mobile_change_limited', byAccount.retryAfterSeconds);
      const owned = await deps.mobileOwnership.check(a.national_code, mobile.value);
      if (owned.kind === 'unavailable') {
        deps.logger.warn({ reason: owned.reason }, 'mobile ownership service unavailable');
        return fail('unavailable', 'account.ownership_unavailable');
      }
      if (owned.kind === 'mismatch') return invalid({ mobile: 'account.mobile_not_owned' });
      const flowId = randomId();
      const issued = accounts.codes.issue('mobile-change-code', flowId, deps.config.signin.codeTtlSeconds);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await accounts.insertCode(trx, { id: flowId, purpose: 'mobile_change', accountId: a.id, mobile: mobile.value, codeHash: issued.hash, now, expiresAt: issued.expiresAt });
        await sms.enqueue(trx, { to: mobile.value, template: 'sms.mobile_change_code', params: { code: issued.code }, lang: meta.lang, idempotencyKey: `mobile-change:${flowId}`, accountId: a.id });
      });
      return ok({ flowId, mobile: mobile.value });
    },

    async mobileChangeFlow(accountId: string, flowId: string): Promise<{ mobile: string } | null> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return null;
      const flow = await accounts.findCode(flowId, 'mobile_change');
      if (!flow || flow.account_id !== accountId || flow.consumed_at || flow.expires_at <= clock() || !flow.mobile) return null;
      return { mobile: flow.mobile };
    },

    /** New mobile, step 2: the code from the new number; the old number is told. */
    async confirmMobileChange(asker: Asker, flowId: string, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{ rotated: RotatedSession | null }, Failure>> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return fail('not_found', 'account.mobile_flow_expired');
      const flow = await accounts.findCode(flowId, 'mobile_change');
      if (!flow || flow.account_id !== asker.accountId || flow.consumed_at || !flow.mobile) return fail('not_found', 'account.mobile_flow_expired');
      const verdict = await accounts.codes.verify({
        purpose: 'mobile-change-code',
        flowId: flow.id,
        input: input.code,
        stored: { hash: flow.code_hash, expiresAt: flow.expires_at, attempts: flow.attempts },
        maxAttempts: deps.config.signin.codeMaxAttempts,
        ttlSeconds: deps.config.signin.codeTtlSeconds,
        countAttempt: () => accounts.countCodeAttempt(flow.id),
        deliveredAt: await sms.deliveredAt(`mobile-change:${flow.id}`),
      });
      if (!verdict.ok) return MOBILE_CODE_FAILURES[verdict.error];
      const newMobile = flow.mobile;
      const done = await db.transaction().execute(async (trx) => {
        if (!(await accounts.consumeCode(trx, flow.id))) return null;
        await sms.endSecretsOf(trx, { key: `mobile-change:${flow.id}` });
        return accounts.setMobile(trx, 'setMobileByPerson', { kind: 'person', accountId: asker.accountId, ip: meta.ip, lang: meta.lang, sessionId: asker.sessionId }, asker.accountId, newMobile);
      });
      if (!done) return fail('not_found', 'account.mobile_flow_expired');
      return ok({ rotated: done.rotated });
    },
  };

  /** A wrong current password is a failed sign-in (counted per address, then a captcha); null when right. */
  async function currentPasswordRefusal(a: AccountRow, current: string, meta: AccountMeta): Promise<Err<Failure> | null> {
    const checked = await deps.checkCurrentPassword(a, current, meta);
    if (checked.ok) return null;
    if (checked.error.code === 'signin.invalid_credentials') return invalid({ currentPassword: 'account.current_password_wrong' });
    return { ok: false, error: checked.error };
  }

  return service;
}

const MOBILE_CODE_FAILURES = {
  required: invalid({ code: 'account.code_required' }),
  format: invalid({ code: 'account.code_format' }),
  expired: invalid({ code: 'account.code_expired' }),
  wrong: invalid({ code: 'account.code_wrong' }),
  attempts_exceeded: fail('limited', 'account.code_attempts_exceeded'),
} as const;

export type AccountService = ReturnType<typeof createAccountService>;
