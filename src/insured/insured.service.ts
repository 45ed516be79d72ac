// Insured-person (SAMT) registration, seed 001: terms, identifier (national code or
// foreign national id), branch, insurance number, optional contacts and a captcha;
// checked against the insurance records; the account is created active with an initial
// password that must be changed at first sign-in. After that change the general
// permissions are granted (grantGeneralPermissionsAfterFirstChange, called by sign-in).
// A national code's civil-registry identity (name, birth date, gender) is attached at
// registration; when the registry does not answer, a job attaches it later, with retries.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Config, RateLimitName } from '../config.js';
import type { DB } from '../db/schema.js';
import { parseOptionalEmail } from '../identity/email.js';
import { parseForeignNationalId } from '../identity/foreignNationalId.js';
import { parseInsuranceNumber } from '../identity/insuranceNumber.js';
import { maskMobile, parseMobile } from '../identity/mobile.js';
import { maskNationalCode, parseNationalCode } from '../identity/nationalCode.js';
import { ok, type Result } from '../identity/result.js';
import type { SmsService } from '../notifications/sms.service.js';
import { maskIdentifier, type InsuranceRecords, type PersonId } from '../registries/index.js';
import type { CivilRegistry, CivilRecord } from '../registries/types.js';
import type { JobQueue } from '../jobs/queue.js';
import { jalaliToGregorianIso, parseJalaliIso } from '../identity/jalali.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { RateLimiter } from '../security/rateLimits.js';
import { randomDigits } from '../security/secrets.js';
import { fail, invalid, type Failure } from '../shared/failure.js';
import { t, type Lang, type MessageKey } from '../messages/index.js';
import type { BranchService } from './branches.service.js';
import type { CaptchaService } from './captcha.service.js';

export type InsuredDeps = {
  db: Kysely<DB>;
  config: Config;
  insuranceRecords: InsuranceRecords;
  civilRegistry: CivilRegistry;
  accounts: AccountsService;
  queue: JobQueue;
  branches: BranchService;
  captcha: CaptchaService;
  sms: SmsService;
  hasher: PasswordHasher;
  limiter: RateLimiter<RateLimitName>;
  logger: Logger;
  clock: () => Date;
};

export type RequestMeta = { ip: string; lang: Lang };

export type InsuredRegistered = {
  username: string;
  initialPassword: 'identifier' | 'sms';
  initialPasswordDays: number;
};

type Fields = Partial<Record<string, MessageKey>>;

/** Length of the random initial password sent by SMS (digits, like the seed's). */
const SMS_PASSWORD_LENGTH = 10;

/** Checkboxes and JSON booleans alike. */
export function isChecked(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.trim().toLowerCase()));
}

/** Attaches the civil registry's identity to an insured account when the registry was down at registration. */
export const INSURED_IDENTITY_QUEUE = {
  name: 'insured-identity',
  retryLimit: 20,
  retryDelaySeconds: 60,
  retryBackoff: true,
  retryDelayMaxSeconds: 3600,
  expireInSeconds: 120,
};

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export function createInsuredService(deps: InsuredDeps) {
  const { db, config, clock, limiter, logger } = deps;
  const settings = config.insured;
  const openGroups = new Set<string>(settings.groups);

  const maskPerson = (p: PersonId) => ('nationalCode' in p ? { nationalCode: maskNationalCode(p.nationalCode) } : { foreignNationalId: maskIdentifier(p.foreignNationalId) });

  /** Which insurance-records answer refuses the registration, and why (null: accepted). */
  function checkRecords(records: { insuranceNumber: string; branchCode: string; insuranceGroup: string }[], insuranceNumber: string, branchCode: string, lang: Lang): Failure | null {
    const withNumber = records.filter((r) => r.insuranceNumber === insuranceNumber);
    if (withNumber.length === 0) return { kind: 'invalid', code: 'insured.insurance_number_mismatch', fields: { insuranceNumber: 'insured.insurance_number_mismatch' } };
    const atBranch = withNumber.filter((r) => r.branchCode === branchCode);
    if (atBranch.length === 0) return { kind: 'invalid', code: 'insured.branch_mismatch', fields: { branchCode: 'insured.branch_mismatch' } };
    if (!atBranch.some((r) => openGroups.has(r.insuranceGroup))) {
      const group = atBranch[0]!.insuranceGroup;
      return { kind: 'forbidden', code: 'insured.group_closed', params: { group: t(lang, `insured.group.${group}` as MessageKey) } };
    }
    return null;
  }

  const service = {
    /** Whether a mobile number is required (the initial password goes by SMS). */
    mobileRequired: settings.initialPassword === 'sms',

    async register(input: Record<string, unknown>, meta: RequestMeta): Promise<Result<InsuredRegistered, Failure>> {
      const fields: Fields = {};
      if (!isChecked(input.acceptTerms)) fields.acceptTerms = 'insured.terms_required';
      const foreign = isChecked(input.isForeignNational);
      let person: PersonId | undefined;
      if (foreign) {
        const id = parseForeignNationalId(input.foreignNationalId);
        if (id.ok) person = { foreignNationalId: id.value };
        else fields.foreignNationalId = id.error;
      } else {
        const code = parseNationalCode(input.nationalCode);
        if (code.ok) person = { nationalCode: code.value };
        else fields.nationalCode = code.error;
      }
      const branchCode = typeof input.branchCode === 'string' ? input.branchCode.trim() : '';
      if (branchCode === '') fields.branchCode = 'insured.branch_required';
      else if (!/^\d{1,10}$/.test(branchCode) || !(await deps.branches.find(branchCode))) fields.branchCode = 'insured.branch_unknown';
      const insuranceNumber = parseInsuranceNumber(input.insuranceNumber);
      if (!insuranceNumber.ok) fields.insuranceNumber = insuranceNumber.error;
      let mobile: string | null = null;
      if (isBlank(input.mobile)) {
        if (settings.initialPassword === 'sms') fields.mobile = 'insured.mobile_required_for_sms';
      } else {
        const m = parseMobile(input.mobile);
        if (m.ok) mobile = m.value;
        else fields.mobile = m.error;
      }
      const email = parseOptionalEmail(input.email);
      if (!email.ok) fields.email = email.error;
      if (isBlank(input.captcha)) fields.captcha = 'captcha.required';
      if (Object.keys(fields).length > 0 || !person || !insuranceNumber.ok || !email.ok) return invalid(fields);

      const byIp = await limiter.consume('insuredRegistrationPerIp', meta.ip);
      if (!byIp.allowed) {
        const s = byIp.retryAfterSeconds;
        return fail('limited', 'insured.rate_limited', { retryAfterSeconds: s, params: { minutes: Math.max(1, Math.ceil(s / 60)) } });
      }
      // The captcha is used up here, whatever happens next: every attempt costs one.
      const captcha = await deps.captcha.verify(input.captcha);
      if (!captcha.ok) return invalid({ captcha: captcha.error }, captcha.error);

      if (await deps.accounts.exists(person)) return fail('conflict', 'insured.already_registered');

      const found = await deps.insuranceRecords.findByPerson(person);
      if (found.kind === 'unavailable') {
        logger.warn({ reason: found.reason }, 'insurance records unavailable');
        return fail('unavailable', 'insured.records_unavailable');
      }
      if (found.kind === 'not_found') return fail('invalid', 'insured.not_insured');
      const refusal = checkRecords(found.records, insuranceNumber.value, branchCode, meta.lang);
      if (refusal) {
        logger.info({ ...maskPerson(person), refusal: refusal.code }, 'insured registration refused');
        return { ok: false, error: refusal };
      }

      const username = 'nationalCode' in person ? person.nationalCode : person.foreignNationalId;
      const smsPassword = settings.initialPassword === 'sms' ? randomDigits(SMS_PASSWORD_LENGTH) : null;
      // Hash before the transaction: argon2 is slow and must not hold a connection.
      const passwordHash = await deps.hasher.hash(smsPassword ?? username);
      const now = clock();
      const days = settings.initialPasswordDays;
      // The civil registry's identity for a national code; a registry that does not answer is asked again by a job.
      const civil = 'nationalCode' in person ? await deps.civilRegistry.lookup(person.nationalCode) : null;
      const identity = civil?.kind === 'found' ? identityOf(civil.record) : null;
      if (civil?.kind === 'not_found') logger.warn(maskPerson(person), 'insured person not in the civil registry: no identity attached');
      const accountId = await db.transaction().execute(async (trx) => {
        const id = await deps.accounts.create(
          trx,
          'registerInsured',
          { kind: 'person', accountId: null, ip: meta.ip, lang: meta.lang },
          {
            nationalCode: 'nationalCode' in person ? person.nationalCode : null,
            foreignNationalId: 'foreignNationalId' in person ? person.foreignNationalId : null,
            status: 'active',
            origin: 'insured',
            mobile,
            email: email.value,
            passwordHash,
            mustChangePassword: true,
            initialPasswordExpiresAt: new Date(now.getTime() + days * 86_400_000),
            branchCode,
            preferredLang: meta.lang,
            ...(identity ?? {}),
            createdAt: now,
          },
          {
            ...maskPerson(person),
            branchCode,
            initialPassword: settings.initialPassword,
            identity: identity ? 'civil_registry' : civil?.kind === 'unavailable' ? 'pending' : 'none',
            ...(mobile ? { mobile: maskMobile(mobile) } : {}),
          },
        );
        if (!id) return null;
        if (civil?.kind === 'unavailable') {
          await deps.queue.send(INSURED_IDENTITY_QUEUE.name, { accountId: id }, { trx, singletonKey: `insured-identity:${id}` });
        }
        if (smsPassword && mobile) {
          await deps.sms.enqueue(trx, {
            to: mobile,
            template: 'sms.insured_initial_password',
            params: { password: smsPassword, days },
            lang: meta.lang,
            idempotencyKey: `insured-initial-password:${id}`,
            accountId: id,
          });
        }
        return id;
      });
      if (!accountId) return fail('conflict', 'insured.already_registered');
      logger.info(maskPerson(person), 'insured registration completed');
      return ok({ username, initialPassword: settings.initialPassword, initialPasswordDays: days });
    },

    /**
     * Call inside the transaction that completes the first (forced) password change.
     * An insured account gets the general permissions it lacks, with an audit event;
     * other accounts and repeated calls change nothing. Answers what was granted.
     */
    async grantGeneralPermissionsAfterFirstChange(trx: Kysely<DB>, accountId: string): Promise<string[]> {
      const account = await deps.accounts.get(accountId, trx);
      if (!account || account.origin !== 'insured' || account.status !== 'active') return [];
      return deps.accounts.grantPermissions(trx, accountId, settings.generalPermissions, { clearInitialPassword: true });
    },

    /**
     * Insured accounts still without the civil registry's identity (registered before it was
     * attached, or while it was down and the job gave up): a job each, at most `limit` a run.
     */
    async backfillIdentities(limit = 500): Promise<number> {
      const rows = await deps.accounts.insuredWithoutIdentity(limit);
      for (const r of rows) await deps.queue.send(INSURED_IDENTITY_QUEUE.name, { accountId: r.id }, { singletonKey: `insured-identity:${r.id}` });
      return rows.length;
    },

    /** The job: the civil registry asked again for an insured account registered while it was down. */
    async attachIdentityLater(accountId: string): Promise<void> {
      const a = await deps.accounts.get(accountId);
      if (!a || !a.national_code || a.first_name) return;
      const civil = await deps.civilRegistry.lookup(a.national_code);
      if (civil.kind === 'unavailable') throw new Error(`civil registry unavailable: ${civil.reason}`);
      if (civil.kind === 'not_found') {
        logger.warn({ accountId }, 'insured person not in the civil registry: no identity attached');
        return;
      }
      await db.transaction().execute((trx) => deps.accounts.attachIdentity(trx, accountId, identityOf(civil.record)));
    },
  };
  deps.queue.define<{ accountId: string }>(INSURED_IDENTITY_QUEUE, (job) => service.attachIdentityLater(job.data.accountId));
  return service;
}

function identityOf(r: CivilRecord) {
  const jalali = parseJalaliIso(r.birthDate, new Date());
  return {
    firstName: r.firstName,
    lastName: r.lastName,
    gender: r.gender,
    birthDate: jalali.ok ? jalaliToGregorianIso(jalali.value) : null,
  } as { firstName: string; lastName: string; gender: 'male' | 'female'; birthDate: string };
}

export type InsuredService = ReturnType<typeof createInsuredService>;
