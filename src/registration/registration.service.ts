// Central registration (seed 000): step 1 (national code, operator, mobile, ownership),
// proof of the phone by SMS code, step 2 (identity details, password, security question),
// then a pending account and its verification request, written in one transaction.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DB } from '../db/schema.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import { parseBirthCertificateNumber, parseBirthCertificateSerial, parseBirthCertificateSeries, formatBirthCertificateSeries } from '../identity/birthCertificate.js';
import { parseOptionalEmail } from '../identity/email.js';
import { parseGender } from '../identity/gender.js';
import { jalaliToGregorianIso, parseJalaliIso } from '../identity/jalali.js';
import { maskMobile, parseMobile, parseMobileOperator } from '../identity/mobile.js';
import { parsePersonName, parsePlaceName } from '../identity/names.js';
import { maskNationalCode, parseNationalCode } from '../identity/nationalCode.js';
import { checkPassword, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../identity/password.js';
import { ok, type Result } from '../identity/result.js';
import { parseSecurityAnswer } from '../identity/securityAnswer.js';
import type { Metrics } from '../observability/metrics.js';
import type { MobileOwnership } from '../registries/types.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomId, type Secrets } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import type { SmsService } from '../notifications/sms.service.js';
import type { Lang, MessageKey } from '../messages/index.js';
import type { RateLimitName } from '../config.js';
import { parseCountry } from './countries.js';
import { parseSecurityQuestion } from './securityQuestions.js';
import * as q from './registration.queries.js';

export type RegistrationDeps = {
  db: Kysely<DB>;
  config: Config;
  mobileOwnership: MobileOwnership;
  sms: SmsService;
  hasher: PasswordHasher;
  secrets: Secrets;
  limiter: RateLimiter<RateLimitName>;
  metrics: Metrics;
  logger: Logger;
  clock: () => Date;
  /** Schedules the identity check of a new registration, inside the same transaction. */
  scheduleVerification: (trx: Kysely<DB>, requestId: string, dueInSeconds: number) => Promise<void>;
  accounts: AccountsService;
};

export type RequestMeta = { ip: string; lang: Lang };

export type FlowView = {
  id: string;
  state: 'mobile_code' | 'details' | 'completed';
  nationalCode: string;
  mobile: string;
  mobileOperator: string;
  codeExpiresAt: Date | null;
};

export type RegistrationStatus = 'none' | 'pending_verification' | 'awaiting_branch_visit' | 'active' | 'rejected';

type Fields = Partial<Record<string, MessageKey>>;

const CODE_FAILURES = {
  required: invalid({ code: 'registration.code_required' }),
  format: invalid({ code: 'registration.code_format' }),
  expired: invalid({ code: 'registration.code_expired' }),
  wrong: invalid({ code: 'registration.code_wrong' }),
  attempts_exceeded: fail('limited', 'registration.code_attempts_exceeded'),
} as const;

export function createRegistrationService(deps: RegistrationDeps) {
  const { db, config, secrets, clock, limiter, metrics, logger } = deps;
  const settings = config.registration;
  const passwordPolicy: PasswordPolicy = {
    ...DEFAULT_PASSWORD_POLICY,
    minLength: config.password.minLength,
    minStrengthScore: config.password.minStrength,
  };
  const rejectionKey = (nationalCode: string, mobile: string) => secrets.hmac('registration-rejection', `${nationalCode}:${mobile}`);

  const limited = (code: MessageKey, retryAfterSeconds: number) =>
    fail('limited', code, { retryAfterSeconds, params: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)), seconds: retryAfterSeconds } });

  /** Loads a flow that is still open; expired or unknown flows are the same to the caller. */
  async function openFlow(flowId: string): Promise<Result<q.FlowRow, Failure>> {
    if (typeof flowId !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return fail('not_found', 'registration.flow_expired');
    const flow = await q.findFlow(db, flowId);
    if (!flow || flow.expires_at <= clock()) return fail('not_found', 'registration.flow_expired');
    return ok(flow);
  }

  /** Creates a code, stores its hash and enqueues the SMS in one transaction. */
  async function sendCode(flow: { id: string; mobile: string }, lang: Lang) {
    const issued = deps.accounts.codes.issue('registration-code', flow.id, settings.mobileCodeTtlSeconds);
    const now = clock();
    await db.transaction().execute(async (trx) => {
      await q.setFlowCode(trx, flow.id, issued.hash, now, issued.expiresAt);
      await deps.sms.enqueue(trx, {
        to: flow.mobile,
        template: 'sms.registration_code',
        params: { code: issued.code },
        lang,
        // Never the code itself: the key is stored and sent to the gateway in clear.
        idempotencyKey: `registration-code:${flow.id}:${now.getTime()}:${randomId().slice(0, 8)}`,
      });
    });
  }

  const view = (f: q.FlowRow): FlowView => ({
    id: f.id,
    state: f.state,
    nationalCode: f.national_code,
    mobile: f.mobile,
    mobileOperator: f.mobile_operator,
    codeExpiresAt: f.code_expires_at,
  });

  return {
    passwordPolicy,

    /** Step 1. */
    async start(input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ flowId: string; mobileCodeSent: boolean }, Failure>> {
      const nationalCode = parseNationalCode(input.nationalCode);
      const operator = parseMobileOperator(input.mobileOperator);
      const mobile = parseMobile(input.mobile);
      const fields: Fields = {};
      if (!nationalCode.ok) fields.nationalCode = nationalCode.error;
      if (!operator.ok) fields.mobileOperator = operator.error;
      if (!mobile.ok) fields.mobile = mobile.error;
      if (!nationalCode.ok || !operator.ok || !mobile.ok) {
        metrics.registrations.inc({ step: 'start', result: 'invalid' });
        return invalid(fields);
      }
      const byIp = await limiter.consume('registrationStartPerIp', meta.ip);
      if (!byIp.allowed) return limited('registration.rate_limited', byIp.retryAfterSeconds);

      if (await deps.accounts.exists({ nationalCode: nationalCode.value })) {
        metrics.registrations.inc({ step: 'start', result: 'already_registered' });
        return fail('conflict', 'registration.already_registered');
      }
      const ownership = await deps.mobileOwnership.check(nationalCode.value, mobile.value);
      if (ownership.kind === 'unavailable') {
        logger.warn({ reason: ownership.reason }, 'mobile ownership service unavailable');
        metrics.registrations.inc({ step: 'start', result: 'ownership_unavailable' });
        return fail('unavailable', 'registration.ownership_unavailable');
      }
      if (ownership.kind === 'mismatch') {
        metrics.registrations.inc({ step: 'start', result: 'mismatch' });
        return fail('invalid', 'registration.identity_mismatch');
      }
      if (settings.mobileCodeRequired) {
        const byMobile = await limiter.consume('registrationCodePerMobile', mobile.value);
        if (!byMobile.allowed) return limited('registration.rate_limited', byMobile.retryAfterSeconds);
      }
      const now = clock();
      const flowId = randomId();
      await q.insertFlow(db, {
        id: flowId,
        state: settings.mobileCodeRequired ? 'mobile_code' : 'details',
        nationalCode: nationalCode.value,
        mobile: mobile.value,
        mobileOperator: operator.value,
        requiresBranchVisit: ownership.requiresBranchVisit,
        createdAt: now,
        expiresAt: new Date(now.getTime() + settings.flowTtlMinutes * 60_000),
      });
      if (settings.mobileCodeRequired) await sendCode({ id: flowId, mobile: mobile.value }, meta.lang);
      metrics.registrations.inc({ step: 'start', result: 'ok' });
      logger.info({ nc: maskNationalCode(nationalCode.value), m: maskMobile(mobile.value) }, 'registration started');
      return ok({ flowId, mobileCodeSent: settings.mobileCodeRequired });
    },

    async getFlow(flowId: string): Promise<Result<FlowView, Failure>> {
      const flow = await openFlow(flowId);
      return flow.ok ? ok(view(flow.value)) : flow;
    },

    async resendCode(flowId: string, meta: RequestMeta): Promise<Result<{}, Failure>> {
      const found = await openFlow(flowId);
      if (!found.ok) return found;
      const flow = found.value;
      if (flow.state !== 'mobile_code') return fail('conflict', 'registration.flow_wrong_step');
      if (flow.code_sends >= settings.mobileCodeMaxSends) return fail('limited', 'registration.code_sends_exceeded');
      const waited = flow.code_sent_at ? (clock().getTime() - flow.code_sent_at.getTime()) / 1000 : Infinity;
      if (waited < settings.mobileCodeResendSeconds) {
        const seconds = Math.ceil(settings.mobileCodeResendSeconds - waited);
        return limited('registration.code_resend_wait', seconds);
      }
      const byMobile = await limiter.consume('registrationCodePerMobile', flow.mobile);
      if (!byMobile.allowed) return limited('registration.rate_limited', byMobile.retryAfterSeconds);
      await sendCode(flow, meta.lang);
      return ok({});
    },

    async verifyCode(flowId: string, input: Record<string, unknown>): Promise<Result<{}, Failure>> {
      const found = await openFlow(flowId);
      if (!found.ok) return found;
      const flow = found.value;
      if (flow.state !== 'mobile_code') return fail('conflict', 'registration.flow_wrong_step');
      const verdict = await deps.accounts.codes.verify({
        purpose: 'registration-code',
        flowId: flow.id,
        input: input.code,
        stored: { hash: flow.code_hash, expiresAt: flow.code_expires_at, attempts: flow.code_attempts },
        maxAttempts: settings.mobileCodeMaxAttempts,
        ttlSeconds: settings.mobileCodeTtlSeconds,
        // Counted before comparing, so parallel guesses cannot exceed the limit.
        countAttempt: () => q.countFlowCodeAttempt(db, flow.id),
      });
      if (!verdict.ok) {
        if (verdict.error === 'wrong') metrics.registrations.inc({ step: 'code', result: 'wrong' });
        return CODE_FAILURES[verdict.error];
      }
      await db.transaction().execute(async (trx) => {
        await q.setFlowState(trx, flow.id, 'details');
        // The code has done its work: its SMS text (kept by the development outbox) goes.
        await deps.sms.endSecretsOf(trx, { prefix: `registration-code:${flow.id}:` });
      });
      metrics.registrations.inc({ step: 'code', result: 'ok' });
      return ok({});
    },

    /** Step 2: validates every field at once, then creates the pending account. */
    async complete(flowId: string, input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ status: 'pending_verification' }, Failure>> {
      const found = await openFlow(flowId);
      if (!found.ok) return found;
      const flow = found.value;
      if (flow.state === 'mobile_code') return fail('conflict', 'registration.flow_wrong_step');
      if (flow.state === 'completed') return fail('conflict', 'registration.flow_wrong_step');

      const now = clock();
      const fields: Fields = {};
      const firstName = parsePersonName(input.firstName, 'first_name');
      const lastName = parsePersonName(input.lastName, 'last_name');
      const certNumber = parseBirthCertificateNumber(input.birthCertificateNumber);
      const certSerial = parseBirthCertificateSerial(input.birthCertificateSerial);
      const certSeries = parseBirthCertificateSeries(input.birthCertificateSeries);
      const birthDate = parseJalaliIso(input.birthDate, now);
      const gender = parseGender(input.gender);
      const country = parseCountry(input.country);
      const city = parsePlaceName(input.city, 'city');
      const email = parseOptionalEmail(input.email);
      const question = parseSecurityQuestion(input.securityQuestion);
      const answer = parseSecurityAnswer(input.securityAnswer);
      if (!firstName.ok) fields.firstName = firstName.error;
      if (!lastName.ok) fields.lastName = lastName.error;
      if (!certNumber.ok) fields.birthCertificateNumber = certNumber.error;
      if (!certSerial.ok) fields.birthCertificateSerial = certSerial.error;
      if (!certSeries.ok) fields.birthCertificateSeries = certSeries.error;
      if (!birthDate.ok) fields.birthDate = birthDate.error;
      if (!gender.ok) fields.gender = gender.error;
      if (!country.ok) fields.country = country.error;
      if (!city.ok) fields.city = city.error;
      if (!email.ok) fields.email = email.error;
      if (!question.ok) fields.securityQuestion = question.error;
      if (!answer.ok) fields.securityAnswer = answer.error;
      const passwordErrors = checkPassword(
        input.password,
        {
          firstName: firstName.ok ? firstName.value : undefined,
          lastName: lastName.ok ? lastName.value : undefined,
          nationalCode: flow.national_code,
        },
        passwordPolicy,
      );
      if (passwordErrors.length > 0) fields.password = passwordErrors[0];
      if (typeof input.passwordConfirmation !== 'string' || input.passwordConfirmation === '') {
        fields.passwordConfirmation = 'registration.password_confirmation_required';
      } else if (passwordErrors.length === 0 && input.passwordConfirmation !== input.password) {
        fields.passwordConfirmation = 'registration.password_mismatch';
      }
      if (Object.keys(fields).length > 0) {
        metrics.registrations.inc({ step: 'details', result: 'invalid' });
        return invalid(fields, 'request.invalid', passwordErrors.length > 1 ? { password: passwordErrors } : undefined);
      }
      // Narrowed above: every parser succeeded.
      const v = {
        firstName: (firstName as { value: string }).value,
        lastName: (lastName as { value: string }).value,
        birthCertificateNumber: (certNumber as { value: string }).value,
        birthCertificateSerial: (certSerial as { value: string }).value,
        birthCertificateSeries: formatBirthCertificateSeries((certSeries as { value: Parameters<typeof formatBirthCertificateSeries>[0] }).value),
        birthDate: jalaliToGregorianIso((birthDate as { value: Parameters<typeof jalaliToGregorianIso>[0] }).value),
        gender: (gender as { value: 'male' | 'female' }).value,
        country: (country as { value: string }).value,
        city: (city as { value: string }).value,
        email: (email as { value: string | null }).value,
        securityQuestion: (question as { value: string }).value,
        securityAnswer: (answer as { value: string }).value,
      };
      // Hash before the transaction: argon2 is slow and must not hold a database connection.
      const [passwordHash, securityAnswerHash] = await Promise.all([
        deps.hasher.hash(input.password as string),
        deps.hasher.hash(v.securityAnswer),
      ]);

      const outcome = await db.transaction().execute(async (trx) => {
        const locked = await q.findFlowForUpdate(trx, flow.id);
        if (!locked || locked.state !== 'details' || locked.expires_at <= clock()) return 'stale' as const;
        const accountId = await deps.accounts.create(
          trx,
          'submit',
          { kind: 'person', accountId: null, ip: meta.ip, lang: meta.lang },
          {
            nationalCode: flow.national_code,
            foreignNationalId: null,
            status: 'pending_verification',
            origin: 'central',
            mobile: flow.mobile,
            mobileOperator: flow.mobile_operator,
            mobileVerifiedAt: settings.mobileCodeRequired ? now : null,
            firstName: v.firstName,
            lastName: v.lastName,
            gender: v.gender,
            birthDate: v.birthDate,
            birthCertificateNumber: v.birthCertificateNumber,
            birthCertificateSerial: v.birthCertificateSerial,
            birthCertificateSeries: v.birthCertificateSeries,
            country: v.country,
            city: v.city,
            email: v.email,
            passwordHash,
            mustChangePassword: false,
            securityQuestion: v.securityQuestion,
            securityAnswerHash,
            preferredLang: meta.lang,
            createdAt: now,
          },
          {
            nationalCode: maskNationalCode(flow.national_code),
            mobile: maskMobile(flow.mobile),
            mobileVerified: settings.mobileCodeRequired,
            ownershipRequiresBranchVisit: flow.requires_branch_visit,
          },
        );
        if (!accountId) return 'exists' as const;
        const requestId = await q.insertVerificationRequest(trx, accountId, now, new Date(now.getTime() + config.verification.delaySeconds * 1000));
        await deps.scheduleVerification(trx, requestId, config.verification.delaySeconds);
        await q.setFlowState(trx, flow.id, 'completed', accountId);
        await q.deleteRejection(trx, rejectionKey(flow.national_code, flow.mobile));
        return 'created' as const;
      });
      if (outcome === 'stale') return fail('conflict', 'registration.flow_wrong_step');
      if (outcome === 'exists') return fail('conflict', 'registration.already_registered');
      metrics.registrations.inc({ step: 'details', result: 'ok' });
      return ok({ status: 'pending_verification' });
    },

    /** The status page: the same answer ("none") for unknown people and wrong mobiles. */
    async status(input: Record<string, unknown>, meta: RequestMeta): Promise<Result<{ status: RegistrationStatus }, Failure>> {
      const nationalCode = parseNationalCode(input.nationalCode);
      const mobile = parseMobile(input.mobile);
      const fields: Fields = {};
      if (!nationalCode.ok) fields.nationalCode = nationalCode.error;
      if (!mobile.ok) fields.mobile = mobile.error;
      if (!nationalCode.ok || !mobile.ok) return invalid(fields);
      const byIp = await limiter.consume('registrationStatusPerIp', meta.ip);
      if (!byIp.allowed) return limited('registration.rate_limited', byIp.retryAfterSeconds);
      const status = await deps.accounts.statusOf(nationalCode.value, mobile.value);
      if (status) return ok({ status });
      if (await q.isRejected(db, rejectionKey(nationalCode.value, mobile.value))) return ok({ status: 'rejected' });
      return ok({ status: 'none' });
    },

    /** For verification: remember a rejection without keeping the personal data. */
    rememberRejection(trx: Kysely<DB>, nationalCode: string, mobile: string) {
      return q.upsertRejection(trx, rejectionKey(nationalCode, mobile), clock());
    },
    /** `rememberRejection` for several people in one statement (a batch of verifications). */
    rememberRejections(trx: Kysely<DB>, people: readonly { nationalCode: string; mobile: string }[]) {
      return q.upsertRejections(trx, people.map((p) => rejectionKey(p.nationalCode, p.mobile)), clock());
    },

    purgeExpiredFlows: () => q.deleteExpiredFlows(db, clock()),
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
