// Password recovery. By security question (seed 000): username → the question chosen at
// registration → the answer (compared after normalisation) and a new password. By SMS
// (seed 001): username + registered mobile → a tracking code and a temporary password;
// only the newest request's password works, until it expires or a new password is set,
// and it forces a password change. Both answer the same whether or not the person exists
// (but a person who chose no question is told so, and pointed to recovery by SMS).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AccountRow, AccountsService } from '../accounts/accounts.service.js';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { parseMobile } from '../identity/mobile.js';
import { checkPassword, type PasswordPolicy } from '../identity/password.js';
import { ok, type Result } from '../identity/result.js';
import { parseSecurityAnswer } from '../identity/securityAnswer.js';
import type { SmsService } from '../notifications/sms.service.js';
import { SECURITY_QUESTIONS, type SecurityQuestion } from '../registration/securityQuestions.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomDigits, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { parseUsername } from '../signin/username.js';
import type { Lang, MessageKey } from '../messages/index.js';

export type RecoveryMeta = { ip: string; lang: Lang };
type Fields = Partial<Record<string, MessageKey>>;

/** The seed's SMS shows an 8-digit tracking code and an 8-digit password. */
const TRACKING_CODE_LENGTH = 8;
const TEMPORARY_PASSWORD_LENGTH = 8;

export function createRecoveryService(deps: {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  sms: SmsService;
  accounts: AccountsService;
  passwordPolicy: PasswordPolicy;
  logger: Logger;
  clock: () => Date;
}) {
  const { db, hasher, secrets, limiter, clock } = deps;
  const limited = (code: MessageKey, retryAfterSeconds: number) =>
    fail('limited', code, { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });

  /**
   * The question of an account that can recover by question; for anyone else a question
   * derived from the username, always the same, so the answer does not tell who exists.
   */
  function questionFor(username: string, a: AccountRow | undefined): { question: SecurityQuestion; real: boolean } {
    if (a && a.status === 'active' && !a.disabled_at && a.security_answer_hash && (SECURITY_QUESTIONS as readonly string[]).includes(a.security_question ?? '')) {
      return { question: a.security_question as SecurityQuestion, real: true };
    }
    const n = parseInt(secrets.hmac('recovery-decoy-question', username).slice(0, 6).replace(/[^A-Za-z0-9]/g, 'A'), 36);
    return { question: SECURITY_QUESTIONS[n % SECURITY_QUESTIONS.length]!, real: false };
  }

  return {
    async startQuestion(input: Record<string, unknown>, meta: RecoveryMeta): Promise<Result<{ question: SecurityQuestion; nationalCode: string }, Failure>> {
      const username = parseUsername(input.nationalCode);
      if (!username.ok) return invalid({ nationalCode: username.error });
      const byIp = await limiter.consume('recoveryQuestionPerIp', meta.ip);
      if (!byIp.allowed) return limited('recovery.limited', byIp.retryAfterSeconds);
      const a = await deps.accounts.byUsername(username.value);
      // Someone who chose no question is told so (and pointed to recovery by SMS) rather than
      // shown a question that no answer opens; unknown codes keep the decoy.
      if (a && a.status === 'active' && !a.disabled_at && !a.security_answer_hash) return fail('conflict', 'recovery.no_question');
      return ok({ question: questionFor(username.value.value, a).question, nationalCode: username.value.value });
    },

    /** The question of a national code again (re-showing a form), without counting a step. */
    async questionOf(nationalCode: unknown): Promise<{ question: SecurityQuestion; nationalCode: string } | null> {
      const username = parseUsername(nationalCode);
      if (!username.ok) return null;
      const a = await deps.accounts.byUsername(username.value);
      return { question: questionFor(username.value.value, a).question, nationalCode: username.value.value };
    },

    async completeQuestion(input: Record<string, unknown>, meta: RecoveryMeta): Promise<Result<{}, Failure>> {
      const username = parseUsername(input.nationalCode);
      const answer = parseSecurityAnswer(input.answer);
      const fields: Fields = {};
      if (!username.ok) fields.nationalCode = username.error;
      if (!answer.ok) fields.answer = answer.error;
      // Personal-information rules wait until the answer is right: before that they would tell a stranger about the account.
      const generic = checkPassword(input.newPassword, {}, deps.passwordPolicy);
      if (generic.length > 0) fields.newPassword = generic[0];
      if (typeof input.newPasswordConfirmation !== 'string' || input.newPasswordConfirmation === '') {
        fields.newPasswordConfirmation = 'account.password_confirmation_required';
      } else if (generic.length === 0 && input.newPasswordConfirmation !== input.newPassword) {
        fields.newPasswordConfirmation = 'account.password_mismatch';
      }
      if (Object.keys(fields).length > 0 || !username.ok || !answer.ok) {
        return invalid(fields, 'request.invalid', generic.length > 1 ? { newPassword: generic } : undefined);
      }
      const byIp = await limiter.consume('recoveryQuestionPerIp', meta.ip);
      if (!byIp.allowed) return limited('recovery.limited', byIp.retryAfterSeconds);
      // Counted before comparing: parallel guesses cannot exceed the daily tries.
      const tries = await limiter.consume('recoveryAnswerPerAccount', username.value.value);
      if (!tries.allowed) return limited('recovery.answer_tries_exceeded', tries.retryAfterSeconds);

      const a = await deps.accounts.byUsername(username.value);
      const { real } = questionFor(username.value.value, a);
      if (!a || !real || !a.security_answer_hash) {
        await hasher.verifyDummy(answer.value);
        return invalid({ answer: 'recovery.answer_wrong' });
      }
      if (!(await hasher.verify(a.security_answer_hash, answer.value)).valid) {
        await db.transaction().execute((trx) =>
          recordAudit(trx, { actorType: 'person', accountId: a.id, event: 'recovery.question_failed', data: {}, ip: meta.ip, at: clock() }),
        );
        return invalid({ answer: 'recovery.answer_wrong' });
      }
      const personal = checkPassword(
        input.newPassword,
        { firstName: a.first_name ?? undefined, lastName: a.last_name ?? undefined, nationalCode: a.national_code ?? a.foreign_national_id ?? undefined },
        deps.passwordPolicy,
      );
      if (personal.length > 0) return invalid({ newPassword: personal[0] }, 'request.invalid', personal.length > 1 ? { newPassword: personal } : undefined);
      const hash = await hasher.hash(input.newPassword as string);
      await db.transaction().execute((trx) =>
        deps.accounts.setPassword(trx, 'setPasswordByRecovery', { kind: 'person', accountId: a.id, ip: meta.ip, lang: meta.lang }, a.id, hash),
      );
      await limiter.reset('recoveryAnswerPerAccount', username.value.value);
      return ok({});
    },

    /** Always `{}` once the input is well-formed and within the limits, whether or not the pair matches. */
    async startSms(input: Record<string, unknown>, meta: RecoveryMeta): Promise<Result<{}, Failure>> {
      const username = parseUsername(input.nationalCode);
      const mobile = parseMobile(input.mobile);
      const fields: Fields = {};
      if (!username.ok) fields.nationalCode = username.error;
      if (!mobile.ok) fields.mobile = mobile.error;
      if (!username.ok || !mobile.ok) return invalid(fields);
      const byIp = await limiter.consume('recoverySmsPerIp', meta.ip);
      if (!byIp.allowed) return limited('recovery.limited', byIp.retryAfterSeconds);
      const a = await deps.accounts.byUsername(username.value);
      const matches = !!a && a.status === 'active' && !a.disabled_at && a.mobile === mobile.value;
      const trackingCode = randomDigits(TRACKING_CODE_LENGTH);
      const password = randomDigits(TEMPORARY_PASSWORD_LENGTH);
      // Hashed whether or not it will be used: both answers take the same time.
      const passwordHash = await hasher.hash(password);
      if (!matches) return ok({});
      // Only requests naming the registered mobile use up the quotas of the national code and
      // of the number (only they send an SMS): a stranger guessing never spends the owner's.
      for (const [name, key] of [
        ['recoverySmsPerNationalCode', username.value.value],
        ['recoverySmsPerMobile', mobile.value],
      ] as const) {
        const d = await limiter.consume(name, key);
        if (!d.allowed) return limited('recovery.limited', d.retryAfterSeconds);
      }
      await db.transaction().execute((trx) =>
        deps.accounts.issueTemporaryPassword(trx, { kind: 'person', accountId: null, ip: meta.ip, lang: meta.lang }, a, {
          trackingCode,
          password,
          passwordHash,
          ttlHours: deps.config.recovery.smsPasswordTtlHours,
        }),
      );
      return ok({});
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
