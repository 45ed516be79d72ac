// Password recovery. By security question (seed 000): username → the question chosen at
// registration → the answer (compared after normalisation) and a new password. By SMS
// (seed 001): username + registered mobile → a tracking code and a temporary password;
// only the newest request's password works, once, until it expires, and it forces a
// password change. Both answer the same whether or not the person exists.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AccountService } from '../account/account.service.js';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { maskMobile, parseMobile } from '../identity/mobile.js';
import { checkPassword } from '../identity/password.js';
import { ok, type Result } from '../identity/result.js';
import { parseSecurityAnswer } from '../identity/securityAnswer.js';
import type { SmsService } from '../notifications/sms.service.js';
import { SECURITY_QUESTIONS, type SecurityQuestion } from '../registration/securityQuestions.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomDigits, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { parseUsername } from '../signin/username.js';
import type { Lang, MessageKey } from '../web/i18n.js';
import * as q from './recovery.queries.js';

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
  accounts: AccountService;
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
  function questionFor(username: string, a: q.AccountRowLike | undefined): { question: SecurityQuestion; real: boolean } {
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
      const a = await q.findAccountByUsername(db, username.value);
      return ok({ question: questionFor(username.value.value, a).question, nationalCode: username.value.value });
    },

    /** The question of a national code again (re-showing a form), without counting a step. */
    async questionOf(nationalCode: unknown): Promise<{ question: SecurityQuestion; nationalCode: string } | null> {
      const username = parseUsername(nationalCode);
      if (!username.ok) return null;
      const a = await q.findAccountByUsername(db, username.value);
      return { question: questionFor(username.value.value, a).question, nationalCode: username.value.value };
    },

    async completeQuestion(input: Record<string, unknown>, meta: RecoveryMeta): Promise<Result<{}, Failure>> {
      const username = parseUsername(input.nationalCode);
      const answer = parseSecurityAnswer(input.answer);
      const fields: Fields = {};
      if (!username.ok) fields.nationalCode = username.error;
      if (!answer.ok) fields.answer = answer.error;
      // Personal-information rules wait until the answer is right: before that they would tell a stranger about the account.
      const generic = checkPassword(input.newPassword, {}, deps.accounts.passwordPolicy);
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

      const a = await q.findAccountByUsername(db, username.value);
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
        deps.accounts.passwordPolicy,
      );
      if (personal.length > 0) return invalid({ newPassword: personal[0] }, 'request.invalid', personal.length > 1 ? { newPassword: personal } : undefined);
      const hash = await hasher.hash(input.newPassword as string);
      await db.transaction().execute(async (trx) => {
        const locked = (await q.findAccountForUpdate(trx, a.id)) ?? a;
        await deps.accounts.applyNewPassword(trx, locked, hash, { keepSessionId: null, event: 'recovery.question_completed', meta });
      });
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
      for (const [name, key] of [
        ['recoverySmsPerIp', meta.ip],
        ['recoverySmsPerNationalCode', username.value.value],
        ['recoverySmsPerMobile', mobile.value],
      ] as const) {
        const d = await limiter.consume(name, key);
        if (!d.allowed) return limited('recovery.limited', d.retryAfterSeconds);
      }
      const a = await q.findAccountByUsername(db, username.value);
      const matches = !!a && a.status === 'active' && !a.disabled_at && a.mobile === mobile.value;
      const trackingCode = randomDigits(TRACKING_CODE_LENGTH);
      const password = randomDigits(TEMPORARY_PASSWORD_LENGTH);
      // Hashed whether or not it will be used: both answers take the same time.
      const passwordHash = await hasher.hash(password);
      if (!matches) return ok({});
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await q.insertSmsRecovery(trx, {
          accountId: a.id,
          trackingCode,
          passwordHash,
          now,
          expiresAt: new Date(now.getTime() + deps.config.recovery.smsPasswordTtlHours * 3600_000),
        });
        await deps.sms.enqueue(trx, {
          to: a.mobile!,
          template: 'sms.recovery_password',
          params: { trackingCode, password, hours: deps.config.recovery.smsPasswordTtlHours },
          lang: meta.lang,
          idempotencyKey: `recovery-sms:${a.id}:${trackingCode}`,
          accountId: a.id,
        });
        await recordAudit(trx, {
          actorType: 'person',
          accountId: a.id,
          event: 'recovery.sms_sent',
          data: { trackingCode, mobile: maskMobile(a.mobile!) },
          ip: meta.ip,
          at: now,
        });
      });
      return ok({});
    },

    /** For sign-in: true, and used up, when `password` is the newest recovery's unexpired, unused password. */
    async useTemporaryPassword(accountId: string, password: string): Promise<boolean> {
      const latest = await q.latestSmsRecovery(db, accountId);
      if (!latest || latest.used_at || latest.expires_at <= clock()) return false;
      if (!/^\d{8}$/.test(password)) return false;
      if (!(await hasher.verify(latest.password_hash, password)).valid) return false;
      return q.markRecoveryUsed(db, latest.id, clock());
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
