// The person's own account: profile, password (also the forced change), email, security
// question, mobile number (a code to the new number and the ownership check), and the
// one place where a new password is stored — which also ends the person's other
// sessions and tells them by SMS, in the same transaction.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import type { Config, RateLimitName } from '../config.js';
import type { Queryable } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { toLatinDigits } from '../identity/digits.js';
import { parseOptionalEmail } from '../identity/email.js';
import { maskMobile, operatorOfMobile, parseMobile } from '../identity/mobile.js';
import { checkPassword, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../identity/password.js';
import { ok, type Result } from '../identity/result.js';
import { parseSecurityAnswer } from '../identity/securityAnswer.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { MobileOwnership } from '../registries/types.js';
import { parseSecurityQuestion } from '../registration/securityQuestions.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomDigits, randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { AuthMethod, SessionService } from '../signin/sessions.service.js';
import type { Lang, MessageKey } from '../web/i18n.js';
import * as q from './account.queries.js';

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

/** Called in the transaction of every password change (e.g. insured accounts get their permissions after the first one). */
export type PasswordChangedListener = (trx: Kysely<DB>, e: { accountId: string; wasForced: boolean; at: Date }) => Promise<void>;

type Fields = Partial<Record<string, MessageKey>>;
const CODE_LENGTH = 6;

export function createAccountService(deps: {
  db: Kysely<DB>;
  config: Config;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  sessions: SessionService;
  sms: SmsService;
  mobileOwnership: MobileOwnership;
  logger: Logger;
  clock: () => Date;
}) {
  const { db, hasher, secrets, limiter, sessions, sms, clock } = deps;
  const passwordPolicy: PasswordPolicy = {
    ...DEFAULT_PASSWORD_POLICY,
    minLength: deps.config.password.minLength,
    minStrengthScore: deps.config.password.minStrength,
  };
  const listeners: PasswordChangedListener[] = [];
  const codeHash = (flowId: string, code: string) => secrets.hmac('mobile-change-code', `${flowId}:${code}`);
  const limited = (code: MessageKey, retryAfterSeconds: number) =>
    fail('limited', code, { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } });

  /** Every rule the new password breaks, for the named field; plus the confirmation. */
  function checkNewPassword(a: q.AccountRow, input: Record<string, unknown>, fields: Fields): PasswordErrors {
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

  const service = {
    passwordPolicy,

    onPasswordChanged(listener: PasswordChangedListener) {
      listeners.push(listener);
    },

    /**
     * Stores a new password hash in `trx`: clears the forced change and any lockout,
     * retires temporary passwords, ends every other session, audits, and sends the SMS notice.
     */
    async applyNewPassword(
      trx: Kysely<DB>,
      a: q.AccountRow,
      passwordHash: string,
      how: { keepSessionId: string | null; event: 'account.password_changed' | 'recovery.question_completed'; meta: AccountMeta },
    ) {
      const now = clock();
      await q.setPassword(trx, a.id, passwordHash, now);
      await q.retireTemporaryPasswords(trx, a.id, now);
      const ended = await sessions.endAllOf(trx, a.id, 'password_changed', how.keepSessionId ?? undefined);
      if (how.keepSessionId) await sessions.passwordChanged(trx, how.keepSessionId);
      for (const listener of listeners) await listener(trx, { accountId: a.id, wasForced: a.must_change_password, at: now });
      await recordAudit(trx, {
        actorType: 'person',
        actorId: a.id,
        accountId: a.id,
        event: how.event,
        data: { endedSessions: ended, wasForced: a.must_change_password },
        ip: how.meta.ip,
        at: now,
      });
      if (a.mobile) {
        await sms.enqueue(trx, {
          to: a.mobile,
          template: 'sms.password_changed',
          params: {},
          lang: how.meta.lang,
          idempotencyKey: `password-changed:${a.id}:${now.getTime()}:${randomId().slice(0, 8)}`,
          accountId: a.id,
        });
      }
    },

    async profile(accountId: string): Promise<Profile | null> {
      const a = await q.findAccount(db, accountId);
      if (!a) return null;
      return {
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
      };
    },

    /** Password change; the current password is not asked again right after a temporary-password sign-in. */
    async changePassword(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      const a = await q.findAccount(db, asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const askCurrent = asker.authMethod !== 'temporary_password';
      const fields: Fields = {};
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (askCurrent && current === '') fields.currentPassword = 'account.current_password_required';
      const problems = checkNewPassword(a, input, fields);
      if (Object.keys(fields).length > 0) return invalid(fields, 'request.invalid', problems.length > 1 ? { newPassword: problems } : undefined);
      if (askCurrent) {
        const checked = await hasher.verify(a.password_hash, current);
        if (!checked.valid) return invalid({ currentPassword: 'account.current_password_wrong' });
        if (current === input.newPassword) return invalid({ newPassword: 'account.password_same_as_current' });
      } else if ((await hasher.verify(a.password_hash, input.newPassword as string)).valid) {
        return invalid({ newPassword: 'account.password_same_as_current' });
      }
      const hash = await hasher.hash(input.newPassword as string);
      await db.transaction().execute(async (trx) => {
        const locked = await q.findAccountForUpdate(trx, a.id);
        await service.applyNewPassword(trx, locked ?? a, hash, { keepSessionId: asker.sessionId, event: 'account.password_changed', meta });
      });
      return ok({});
    },

    async changeEmail(accountId: string, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      const email = parseOptionalEmail(input.email);
      if (!email.ok) return invalid({ email: email.error });
      await db.transaction().execute(async (trx) => {
        const now = clock();
        await q.setEmail(trx, accountId, email.value, now);
        await recordAudit(trx, { actorType: 'person', actorId: accountId, accountId, event: 'account.email_changed', data: { set: email.value !== null }, ip: meta.ip, at: now });
      });
      return ok({});
    },

    async changeSecurityQuestion(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      const a = await q.findAccount(db, asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const fields: Fields = {};
      const question = parseSecurityQuestion(input.securityQuestion);
      const answer = parseSecurityAnswer(input.securityAnswer);
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (!question.ok) fields.securityQuestion = question.error;
      if (!answer.ok) fields.securityAnswer = answer.error;
      if (current === '') fields.currentPassword = 'account.current_password_required';
      if (!question.ok || !answer.ok || current === '') return invalid(fields);
      if (!(await hasher.verify(a.password_hash, current)).valid) return invalid({ currentPassword: 'account.current_password_wrong' });
      const answerHash = await hasher.hash(answer.value);
      await db.transaction().execute(async (trx) => {
        const now = clock();
        await q.setSecurityQuestion(trx, a.id, question.value, answerHash, now);
        await recordAudit(trx, { actorType: 'person', actorId: a.id, accountId: a.id, event: 'account.security_question_changed', data: {}, ip: meta.ip, at: now });
      });
      return ok({});
    },

    /** New mobile, step 1: password again, the ownership check, then a code to the new number. */
    async startMobileChange(asker: Asker, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{ flowId: string; mobile: string }, Failure>> {
      const a = await q.findAccount(db, asker.accountId);
      if (!a || !a.password_hash) return fail('unauthenticated', 'session.required');
      const fields: Fields = {};
      const mobile = parseMobile(input.mobile);
      const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
      if (!mobile.ok) fields.mobile = mobile.error;
      else if (mobile.value === a.mobile) fields.mobile = 'account.mobile_same';
      if (current === '') fields.currentPassword = 'account.current_password_required';
      if (Object.keys(fields).length > 0 || !mobile.ok) return invalid(fields);
      if (!(await hasher.verify(a.password_hash, current)).valid) return invalid({ currentPassword: 'account.current_password_wrong' });
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
      const code = randomDigits(CODE_LENGTH);
      const now = clock();
      await db.transaction().execute(async (trx) => {
        await q.insertMobileCode(trx, {
          id: flowId,
          accountId: a.id,
          mobile: mobile.value,
          codeHash: codeHash(flowId, code),
          now,
          expiresAt: new Date(now.getTime() + deps.config.signin.codeTtlSeconds * 1000),
        });
        await sms.enqueue(trx, { to: mobile.value, template: 'sms.mobile_change_code', params: { code }, lang: meta.lang, idempotencyKey: `mobile-change:${flowId}`, accountId: a.id });
      });
      return ok({ flowId, mobile: mobile.value });
    },

    async mobileChangeFlow(accountId: string, flowId: string): Promise<{ mobile: string } | null> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return null;
      const flow = await q.findMobileCode(db, flowId, accountId);
      if (!flow || flow.consumed_at || flow.expires_at <= clock() || !flow.mobile) return null;
      return { mobile: flow.mobile };
    },

    /** New mobile, step 2: the code from the new number; the old number is told. */
    async confirmMobileChange(asker: Asker, flowId: string, input: Record<string, unknown>, meta: AccountMeta): Promise<Result<{}, Failure>> {
      if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return fail('not_found', 'account.mobile_flow_expired');
      const flow = await q.findMobileCode(db, flowId, asker.accountId);
      if (!flow || flow.consumed_at || !flow.mobile) return fail('not_found', 'account.mobile_flow_expired');
      const raw = typeof input.code === 'string' ? toLatinDigits(input.code).replace(/\s+/g, '') : '';
      if (raw === '') return invalid({ code: 'account.code_required' });
      if (!/^\d{6}$/.test(raw)) return invalid({ code: 'account.code_format' });
      const max = deps.config.signin.codeMaxAttempts;
      const attempts = await q.countCodeAttempt(db, flow.id);
      if (attempts > max) return fail('limited', 'account.code_attempts_exceeded');
      if (flow.expires_at <= clock()) return invalid({ code: 'account.code_expired' });
      if (!flow.code_hash || !secrets.equal(flow.code_hash, codeHash(flow.id, raw))) {
        if (attempts >= max) return fail('limited', 'account.code_attempts_exceeded');
        return invalid({ code: 'account.code_wrong' });
      }
      const newMobile = flow.mobile;
      const done = await db.transaction().execute(async (trx) => {
        const now = clock();
        if (!(await q.consumeCode(trx, flow.id, now))) return false;
        await sms.endSecretsOf(trx, { key: `mobile-change:${flow.id}` });
        const a = await q.findAccountForUpdate(trx, asker.accountId);
        if (!a) return false;
        const network = operatorOfMobile(newMobile);
        await q.setMobile(trx, a.id, newMobile, network, now);
        await recordAudit(trx, {
          actorType: 'person',
          actorId: a.id,
          accountId: a.id,
          event: 'account.mobile_changed',
          data: { from: a.mobile ? maskMobile(a.mobile) : null, to: maskMobile(newMobile) },
          ip: meta.ip,
          at: now,
        });
        if (a.mobile) {
          await sms.enqueue(trx, { to: a.mobile, template: 'sms.mobile_changed', params: { mobile: maskMobile(newMobile) }, lang: meta.lang, idempotencyKey: `mobile-changed:${flow.id}`, accountId: a.id });
        }
        return true;
      });
      if (!done) return fail('not_found', 'account.mobile_flow_expired');
      return ok({});
    },
  };
  return service;
}

export type AccountService = ReturnType<typeof createAccountService>;
