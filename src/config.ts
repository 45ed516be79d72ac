// One validated configuration object, read from the environment with documented defaults.
// A bad value stops the start with one line naming the variable and what it allows.
import { isIP } from 'node:net';
import path from 'node:path';
import { projectRoot as root } from './shared/projectRoot.js';

const demo = (file: string) => path.join(root, 'demo', file);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function readString(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function readOptional(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}="${raw}" is not a whole number (allowed: ${min}..${max})`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}=${n} is out of range (allowed: ${min}..${max})`);
  return n;
}

function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name}="${raw}" is not allowed (allowed: ${allowed.join(', ')})`);
  }
  return raw as T;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name}="${raw}" is not a switch (allowed: true, false)`);
}

function readUrl(env: Env, name: string, fallback: string | undefined, protocols: string[]): string | undefined {
  const raw = readOptional(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL (expected ${protocols.join(' or ')}//…)`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//`);
  }
  return raw.replace(/\/+$/, '');
}

export const INSURANCE_GROUP_CODES = [
  'compulsory',
  'voluntary',
  'self_employed',
  'drivers',
  'carpet_weavers',
  'construction_workers',
  'domestic_workers',
] as const;
export type InsuranceGroupCode = (typeof INSURANCE_GROUP_CODES)[number];

function readGroups(env: Env, name: string, fallback: InsuranceGroupCode[]): InsuranceGroupCode[] {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) {
    if (!(INSURANCE_GROUP_CODES as readonly string[]).includes(p)) {
      throw new ConfigError(`${name} has unknown group "${p}" (allowed: ${INSURANCE_GROUP_CODES.join(', ')})`);
    }
  }
  if (parts.length === 0) throw new ConfigError(`${name} is empty (allowed: ${INSURANCE_GROUP_CODES.join(', ')})`);
  return parts as InsuranceGroupCode[];
}

/** Always the seed's general permissions, plus the configured ones. */
function readPermissions(env: Env, name: string, base: string[]): string[] {
  const raw = readOptional(env, name);
  const extra = raw === undefined ? [] : raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of extra) {
    if (!/^[a-z][a-z0-9_]{1,63}$/.test(p)) throw new ConfigError(`${name} has an invalid permission "${p}" (allowed: lower-case letters, digits, _)`);
  }
  return [...new Set([...base, ...extra])];
}

export const BRANCH_VISIT_RULES = ['mobile_not_proven', 'always'] as const;
export type BranchVisitRule = (typeof BRANCH_VISIT_RULES)[number];

/** Comma-separated rules; `none` alone turns them all off. */
function readBranchVisitRules(env: Env, name: string, fallback: BranchVisitRule[]): BranchVisitRule[] {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'none') return [];
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) {
    if (!(BRANCH_VISIT_RULES as readonly string[]).includes(p)) {
      throw new ConfigError(`${name} has unknown rule "${p}" (allowed: ${BRANCH_VISIT_RULES.join(', ')}, or none)`);
    }
  }
  return [...new Set(parts)] as BranchVisitRule[];
}

/**
 * One row per limited action. `points` attempts per `durationSeconds`; past that the
 * action is refused for `blockSeconds` (0 = until the window ends). Keys say what is
 * counted: per national code, per mobile, per client address.
 */
export type RateLimitRule = { points: number; durationSeconds: number; blockSeconds: number };
export const RATE_LIMITS = {
  /** Registration starts from one address. */
  registrationStartPerIp: { points: 20, durationSeconds: 3600, blockSeconds: 0 },
  /** Mobile-code SMS sends to one mobile number, per day. */
  registrationCodePerMobile: { points: 6, durationSeconds: 86400, blockSeconds: 0 },
  /** Status look-ups from one address. */
  registrationStatusPerIp: { points: 30, durationSeconds: 3600, blockSeconds: 0 },
  /** Insured (SAMT) registration attempts from one address. */
  insuredRegistrationPerIp: { points: 30, durationSeconds: 3600, blockSeconds: 0 },
  /** Captcha challenges handed to one address. */
  captchaPerIp: { points: 120, durationSeconds: 3600, blockSeconds: 0 },
  /** Branch-name searches from one address (suggestions as one types). */
  branchSearchPerIp: { points: 600, durationSeconds: 3600, blockSeconds: 0 },
  /** Back-office sign-in attempts from one address. */
  backofficeSignInPerIp: { points: 30, durationSeconds: 900, blockSeconds: 900 },
  /** Back-office sign-in attempts for one staff username (password or code wrong). */
  backofficeSignInPerUser: { points: 5, durationSeconds: 900, blockSeconds: 900 },
  /** Wrong passwords from one address (any usernames); then refused for the block time. */
  signinFailuresPerIp: { points: 30, durationSeconds: 900, blockSeconds: 900 },
  /** Sign-in attempts on one username from one address (known or not). */
  signinPerUsername: { points: 10, durationSeconds: 900, blockSeconds: 900 },
  /**
   * Wrong passwords (also current-password checks on the person's own pages) for one account
   * from one address: then that address is refused for the block time — other addresses,
   * the owner's among them, are not.
   */
  signinFailuresPerAccountAndIp: { points: 10, durationSeconds: 900, blockSeconds: 900 },
  /** Sign-in codes by SMS asked for one username, per day (all addresses together; well above one address's share). */
  signinCodePerUsername: { points: 20, durationSeconds: 86400, blockSeconds: 0 },
  /** Sign-in codes by SMS asked for one username from one address, per day. */
  signinCodePerUsernameAndIp: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
  /** Sign-in codes by SMS asked from one address, per hour. */
  signinCodePerIp: { points: 30, durationSeconds: 3600, blockSeconds: 0 },
  /** Security-question answers tried for one national code, per day. */
  recoveryAnswerPerAccount: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
  /** Security-question recovery steps from one address, per hour. */
  recoveryQuestionPerIp: { points: 30, durationSeconds: 3600, blockSeconds: 0 },
  /** SMS recoveries sent for one national code, per day (only requests whose mobile matches count). */
  recoverySmsPerNationalCode: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
  /** SMS recoveries sent to one mobile number, per day (only requests whose national code matches count). */
  recoverySmsPerMobile: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
  /** SMS recovery requests from one address, per day. */
  recoverySmsPerIp: { points: 20, durationSeconds: 86400, blockSeconds: 0 },
  /** Codes sent to a new mobile number by one account, per day. */
  mobileChangePerAccount: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
  /** Passkey ceremonies started from one address, per hour: the sign-in page starts one per view where
   *  the browser offers passkeys in its autofill, and many people may share one address. */
  passkeyOptionsPerIp: { points: 1200, durationSeconds: 3600, blockSeconds: 0 },
  /** Doctors' registration requests (each asks the medical council) by one account, per day. */
  doctorRegistrationPerAccount: { points: 5, durationSeconds: 86400, blockSeconds: 0 },
} satisfies Record<string, RateLimitRule>;
export type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * TRUST_PROXY (API.md): `false` (default; X-Forwarded-For ignored), a hop count such as `1`,
 * or comma-separated address ranges of the balancers (CIDR, or proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`). Handed to Fastify's trustProxy (proxy-addr).
 * `true` (trust every hop: the client's own left-most entry wins) is refused.
 */
export type TrustProxy = false | number | string[];
const TRUST_PROXY_FORMS = 'false, a hop count such as 1, or the balancers\' address ranges such as 10.0.0.0/8,192.168.1.5';
function readTrustProxy(env: Env, name: string): TrustProxy {
  const raw = readOptional(env, name);
  if (raw === undefined || ['false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) {
    throw new ConfigError(`${name}=${raw} would let any client choose its address through X-Forwarded-For; use ${TRUST_PROXY_FORMS}`);
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError(`${name}=${hops} is out of range (allowed: ${TRUST_PROXY_FORMS}; at most 10 hops)`);
    return hops === 0 ? false : hops;
  }
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) {
    if (!isTrustedRange(p)) throw new ConfigError(`${name} has an invalid address range "${p}" (allowed: ${TRUST_PROXY_FORMS})`);
  }
  if (parts.length === 0) throw new ConfigError(`${name} is empty (allowed: ${TRUST_PROXY_FORMS})`);
  return parts;
}
function isTrustedRange(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [addr, bits, extra] = value.split('/');
  if (extra !== undefined || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** A window of RATE_LIMITS: whole seconds, minutes, hours or days (`30s`, `15m`, `1h`, `1d`). */
const WINDOW_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
/**
 * RATE_LIMITS (API.md): comma-separated `name=attempts/window` overriding rows of the table.
 * A row that blocks once its budget is spent (the sign-in rows) then blocks for the new window.
 */
function readRateLimits(env: Env, name: string): Record<RateLimitName, RateLimitRule> {
  const table: Record<RateLimitName, RateLimitRule> = { ...RATE_LIMITS };
  const raw = readOptional(env, name);
  if (raw === undefined) return table;
  const forms = 'name=attempts/window, window like 15m, 1h or 1d';
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)\s*=\s*(\d{1,7})\s*\/\s*(\d{1,5})([smhd])$/.exec(entry);
    const rowName = entry.split('=')[0]!.trim();
    if (!(rowName in RATE_LIMITS)) {
      throw new ConfigError(`${name} has an unknown limit "${rowName}" (allowed: ${Object.keys(RATE_LIMITS).join(', ')})`);
    }
    if (!m) throw new ConfigError(`${name} has a bad value "${entry}" (expected ${forms})`);
    const points = Number(m[2]);
    const durationSeconds = Number(m[3]) * WINDOW_UNITS[m[4]!]!;
    if (points < 1 || durationSeconds < 1 || durationSeconds > 30 * 86400) {
      throw new ConfigError(`${name} has a bad value "${entry}" (attempts at least 1, window from 1s to 30d)`);
    }
    const row = RATE_LIMITS[rowName as RateLimitName];
    table[rowName as RateLimitName] = { points, durationSeconds, blockSeconds: row.blockSeconds ? durationSeconds : 0 };
  }
  return table;
}

export function loadConfig(env: Env = process.env) {
  const production = env.NODE_ENV === 'production';
  const port = readInt(env, 'PORT', 3000, 1, 65535);
  const dataDir = path.resolve(readString(env, 'DATA_DIR', './data'));
  const secretKey = readOptional(env, 'SECRET_KEY');
  if (production && (secretKey === undefined || secretKey.length < 32)) {
    throw new ConfigError('SECRET_KEY must be set to at least 32 random characters in production');
  }
  if (secretKey !== undefined && secretKey.length < 32) {
    throw new ConfigError('SECRET_KEY is too short (at least 32 characters)');
  }
  const smsProvider = readEnum(env, 'SMS_PROVIDER', ['outbox', 'kavenegar', 'http'] as const, 'outbox');
  const config = {
    /** `production` turns development helpers off and requires SECRET_KEY. */
    production,
    /** Where the web server listens. */
    port,
    host: readString(env, 'HOST', '127.0.0.1'),
    /** The portal's external URL; also the OpenID Connect issuer. */
    publicUrl: readUrl(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:'])!,
    /** Embedded database and local files. */
    dataDir,
    /** PostgreSQL; when set, the embedded database is not used. */
    databaseUrl: readUrl(env, 'DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    /** Size of the PostgreSQL connection pool of one process. */
    databasePoolSize: readInt(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    /** PostgreSQL schema of the tables (created if missing; pg-boss uses `<schema>_jobs`). Unset: the connection's search_path and `pgboss`. */
    databaseSchema: readSchemaName(env, 'DATABASE_SCHEMA'),
    /** Seconds a stopping process (SIGTERM) may take to finish in-flight requests and jobs before it exits anyway. */
    shutdownTimeoutSeconds: readInt(env, 'SHUTDOWN_TIMEOUT_SECONDS', 25, 1, 600),
    /** Shared rate-limit counters; in-process when unset. */
    redisUrl: readUrl(env, 'REDIS_URL', undefined, ['redis:', 'rediss:']),
    /** Signs cookies and keys lookup hashes. Generated and kept in DATA_DIR when unset (development). */
    secretKey,
    logLevel: readEnum(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    sms: {
      provider: smsProvider,
      kavenegarApiKey: readOptional(env, 'KAVENEGAR_API_KEY'),
      kavenegarSender: readOptional(env, 'KAVENEGAR_SENDER'),
      kavenegarUrl: readUrl(env, 'KAVENEGAR_URL', 'https://api.kavenegar.com', ['http:', 'https:'])!,
      httpUrl: readUrl(env, 'SMS_HTTP_URL', undefined, ['http:', 'https:']),
      httpSecret: readOptional(env, 'SMS_HTTP_SECRET'),
      /** Milliseconds one gateway call may take; a slower call counts as failed and is retried. */
      timeoutMs: readInt(env, 'SMS_TIMEOUT_MS', 10000, 100, 120000),
      /** Delivery attempts after the first; past the last one a message is dead (listed for the back office). */
      retryLimit: readInt(env, 'SMS_RETRY_LIMIT', 8, 0, 50),
      /** Seconds before the first retry; doubles (with jitter) up to SMS_RETRY_DELAY_MAX_SECONDS. */
      retryDelaySeconds: readInt(env, 'SMS_RETRY_DELAY_SECONDS', 5, 1, 3600),
      retryDelayMaxSeconds: readInt(env, 'SMS_RETRY_DELAY_MAX_SECONDS', 1800, 1, 86400),
      /**
       * Seconds a one-time code or temporary password may stay in clear in sms_messages when
       * nothing redacted it earlier (a gateway's delivery, a dead message, the end of its flow):
       * the development outbox keeps codes this long for /dev/sms; the housekeeping purge then
       * redacts any secret text older than this, whatever the provider. A secret still queued
       * by then is not sent (its code has expired): keep it longer than the retry schedule.
       */
      secretRetentionSeconds: readInt(env, 'SMS_SECRET_RETENTION_SECONDS', 3600, 60, 7 * 86400),
      /** JSON file `{"fa": {"sms.key": "text"}, "en": {…}}` of operator wording over the shipped SMS texts; checked at start. */
      templatesFile: readOptional(env, 'SMS_TEMPLATES_FILE') === undefined ? undefined : path.resolve(readOptional(env, 'SMS_TEMPLATES_FILE')!),
    },
    registries: {
      mode: readEnum(env, 'REGISTRY_MODE', ['simulated', 'http'] as const, 'simulated'),
      csv: {
        civilRegistry: path.resolve(readString(env, 'CIVIL_REGISTRY_CSV', demo('civil-registry.csv'))),
        mobileOwnership: path.resolve(readString(env, 'MOBILE_OWNERSHIP_CSV', demo('mobile-ownership.csv'))),
        insuranceRecords: path.resolve(readString(env, 'INSURANCE_RECORDS_CSV', demo('insurance-records.csv'))),
        branches: path.resolve(readString(env, 'BRANCHES_CSV', demo('branches.csv'))),
        /** The medical council registry of doctors' registration (API.md). */
        medicalCouncil: path.resolve(readString(env, 'MEDICAL_COUNCIL_CSV', demo('medical-council.csv'))),
      },
      http: {
        civilRegistryUrl: readUrl(env, 'CIVIL_REGISTRY_URL', undefined, ['http:', 'https:']),
        mobileOwnershipUrl: readUrl(env, 'MOBILE_OWNERSHIP_URL', undefined, ['http:', 'https:']),
        insuranceRecordsUrl: readUrl(env, 'INSURANCE_RECORDS_URL', undefined, ['http:', 'https:']),
        medicalCouncilUrl: readUrl(env, 'MEDICAL_COUNCIL_URL', undefined, ['http:', 'https:']),
        apiKey: readOptional(env, 'REGISTRY_API_KEY'),
        timeoutMs: readInt(env, 'REGISTRY_TIMEOUT_MS', 5000, 100, 120000),
        retries: readInt(env, 'REGISTRY_RETRIES', 2, 0, 10),
      },
    },
    registration: {
      /** Prove possession of the phone with an SMS code before step 2. */
      mobileCodeRequired: readBool(env, 'REGISTRATION_MOBILE_CODE', true),
      /** Minutes a registration flow stays open. */
      flowTtlMinutes: readInt(env, 'REGISTRATION_FLOW_TTL_MINUTES', 30, 5, 24 * 60),
      /** Seconds a mobile code is valid. */
      mobileCodeTtlSeconds: readInt(env, 'REGISTRATION_CODE_TTL_SECONDS', 180, 30, 3600),
      /** Wrong codes allowed before the flow must restart. */
      mobileCodeMaxAttempts: readInt(env, 'REGISTRATION_CODE_MAX_ATTEMPTS', 5, 1, 20),
      /** Codes sent per flow (the first one included). */
      mobileCodeMaxSends: readInt(env, 'REGISTRATION_CODE_MAX_SENDS', 3, 1, 10),
      /** Seconds before another code may be requested. */
      mobileCodeResendSeconds: readInt(env, 'REGISTRATION_CODE_RESEND_SECONDS', 60, 0, 3600),
    },
    verification: {
      /** How long after submission a registration is checked against the registries. */
      delaySeconds: readInt(env, 'VERIFICATION_DELAY_SECONDS', 60, 0, 7 * 24 * 3600),
      /** The promise made to the person; requests older than this without an outcome are overdue. */
      promiseHours: readInt(env, 'VERIFICATION_PROMISE_HOURS', 48, 1, 24 * 30),
      /** Seconds before re-asking a registry that did not answer; doubles (with jitter) up to the maximum. */
      retryDelaySeconds: readInt(env, 'VERIFICATION_RETRY_DELAY_SECONDS', 30, 1, 3600),
      retryDelayMaxSeconds: readInt(env, 'VERIFICATION_RETRY_DELAY_MAX_SECONDS', 3600, 1, 86400),
      /**
       * When a matching identity still ends in awaiting_branch_visit, besides the mobile-ownership
       * service asking for it: `mobile_not_proven` (the phone was not proven by SMS code, i.e.
       * REGISTRATION_MOBILE_CODE=false), `always` (every activation at a branch), or `none`.
       */
      branchVisitRules: readBranchVisitRules(env, 'VERIFICATION_BRANCH_VISIT', ['mobile_not_proven']),
    },
    insured: {
      /** Insurance groups allowed to use insured (SAMT) registration. */
      groups: readGroups(env, 'INSURED_REGISTRATION_GROUPS', ['self_employed', 'voluntary', 'drivers', 'carpet_weavers', 'construction_workers', 'domestic_workers']),
      /** `identifier`: the initial password is the national code / foreign identifier (as the seed says); `sms`: a random one sent by SMS (mobile then required). */
      initialPassword: readEnum(env, 'INSURED_INITIAL_PASSWORD', ['identifier', 'sms'] as const, 'identifier'),
      /** Days the initial password works; after that only a branch or SMS recovery helps. */
      initialPasswordDays: readInt(env, 'INSURED_INITIAL_PASSWORD_DAYS', 7, 1, 365),
      /** Registration terms shown before the form; paragraphs separated by a blank line. Unset: the shipped text. */
      termsFa: readOptional(env, 'INSURED_TERMS_FA'),
      termsEn: readOptional(env, 'INSURED_TERMS_EN'),
      /** Permissions granted after the first password change: the seed's two plus any listed (comma-separated, [a-z0-9_]). */
      generalPermissions: readPermissions(env, 'GENERAL_PERMISSIONS', ['payment_slip_issue', 'payment_slip_receive']),
    },
    captcha: {
      /** PBKDF2 iterations per attempt of the ALTCHA proof of work (about 256 attempts are needed on average). */
      cost: readInt(env, 'CAPTCHA_COST', 5000, 1, 1_000_000),
      /** Seconds a captcha challenge may be solved and submitted in. */
      ttlSeconds: readInt(env, 'CAPTCHA_TTL_SECONDS', 600, 30, 3600),
    },
    signin: {
      /** Minutes without a request after which a session ends. */
      sessionIdleMinutes: readInt(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
      /** Hours after sign-in at which a session ends whatever the activity. */
      sessionAbsoluteHours: readInt(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
      /**
       * Failed password checks of one account, from any addresses, after which every sign-in
       * to it also needs a captcha (never a lockout: a stranger cannot lock the owner out).
       * Well above what one address may try (signinFailuresPerAccountAndIp).
       */
      captchaAfterFailures: readInt(env, 'SIGNIN_CAPTCHA_AFTER_FAILURES', 20, 1, 10000),
      /** Hours over which an account's failed password checks are counted. */
      failureWindowHours: readInt(env, 'SIGNIN_FAILURE_WINDOW_HOURS', 24, 1, 24 * 30),
      /** Seconds a one-time sign-in (or new-mobile) code is valid. */
      codeTtlSeconds: readInt(env, 'SIGNIN_CODE_TTL_SECONDS', 180, 30, 3600),
      /** Wrong codes allowed per code before it stops working. */
      codeMaxAttempts: readInt(env, 'SIGNIN_CODE_MAX_ATTEMPTS', 5, 1, 20),
    },
    recovery: {
      /** Hours the temporary password of an SMS recovery works (once, and only the newest). */
      smsPasswordTtlHours: readInt(env, 'RECOVERY_SMS_TTL_HOURS', 24, 1, 24 * 14),
    },
    password: {
      minLength: readInt(env, 'PASSWORD_MIN_LENGTH', 8, 6, 64),
      /** zxcvbn score (0–4) a new password must reach. */
      minStrength: readInt(env, 'PASSWORD_MIN_STRENGTH', 3, 0, 4) as 0 | 1 | 2 | 3 | 4,
    },
    argon2: {
      /** OWASP minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
      memoryCost: readInt(env, 'ARGON2_MEMORY_KIB', 19456, 8192, 1048576),
      timeCost: readInt(env, 'ARGON2_TIME_COST', 2, 1, 10),
      parallelism: readInt(env, 'ARGON2_PARALLELISM', 1, 1, 8),
    },
    backoffice: {
      /** Minutes without a request after which a staff session ends. */
      idleMinutes: readInt(env, 'BACKOFFICE_IDLE_MINUTES', 15, 1, 240),
      /** Hours after which a staff session ends whatever the activity. */
      sessionHours: readInt(env, 'BACKOFFICE_SESSION_HOURS', 10, 1, 24),
      /** Issuer shown in staff authenticator apps. */
      totpIssuer: readString(env, 'BACKOFFICE_TOTP_ISSUER', 'Dargah back office'),
    },
    worker: {
      /** Jobs a worker fetches at once per queue (verification settles a batch in one transaction). */
      batchSize: readInt(env, 'WORKER_BATCH_SIZE', 50, 1, 500),
      /** Parallel pollers per queue in one worker process. */
      concurrency: readInt(env, 'WORKER_CONCURRENCY', 2, 1, 64),
    },
    rateLimits: readRateLimits(env, 'RATE_LIMITS'),
    /** Proxies whose X-Forwarded-For entries are believed (see readTrustProxy). */
    trustProxy: readTrustProxy(env, 'TRUST_PROXY'),
    /** Bearer token /metrics asks for; unset in production: /metrics is refused. */
    metricsToken: readOptional(env, 'METRICS_TOKEN'),
    sso: {
      /** Lifetime of access tokens (opaque, checked by introspection or userinfo). */
      accessTokenTtlSeconds: readInt(env, 'SSO_ACCESS_TOKEN_TTL_SECONDS', 600, 60, 86400),
      /** Lifetime of ID tokens. */
      idTokenTtlSeconds: readInt(env, 'SSO_ID_TOKEN_TTL_SECONDS', 3600, 60, 86400),
      /** Lifetime of a refresh token (each use gives a new one; all end with the sign-in session). */
      refreshTokenTtlSeconds: readInt(env, 'SSO_REFRESH_TOKEN_TTL_SECONDS', 12 * 3600, 300, 30 * 86400),
      /** Lifetime of the single sign-on session (never longer in practice than the portal session). */
      sessionTtlSeconds: readInt(env, 'SSO_SESSION_TTL_SECONDS', 12 * 3600, 300, 30 * 86400),
      /** How long a retired signing key stays published after `keys rotate` (at least the ID token lifetime). */
      keyRetentionSeconds: readInt(env, 'SSO_KEY_RETENTION_SECONDS', 24 * 3600, 60, 90 * 86400),
      /** How often a running server re-reads signing keys and registered services. */
      refreshSeconds: readInt(env, 'SSO_REFRESH_SECONDS', 60, 1, 3600),
    },
  };
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN is too short (at least 16 characters)');
  }
  if (smsProvider === 'kavenegar' && (!config.sms.kavenegarApiKey || !config.sms.kavenegarSender)) {
    throw new ConfigError('SMS_PROVIDER=kavenegar needs KAVENEGAR_API_KEY and KAVENEGAR_SENDER');
  }
  if (smsProvider === 'http' && (!config.sms.httpUrl || !config.sms.httpSecret)) {
    throw new ConfigError('SMS_PROVIDER=http needs SMS_HTTP_URL and SMS_HTTP_SECRET');
  }
  if (config.registries.mode === 'http') {
    const h = config.registries.http;
    if (!h.civilRegistryUrl || !h.mobileOwnershipUrl || !h.insuranceRecordsUrl) {
      throw new ConfigError('REGISTRY_MODE=http needs CIVIL_REGISTRY_URL, MOBILE_OWNERSHIP_URL and INSURANCE_RECORDS_URL');
    }
    if (!h.medicalCouncilUrl) throw new ConfigError('REGISTRY_MODE=http needs MEDICAL_COUNCIL_URL (the medical council registry of doctors\' registration)');
  }
  return config;
}

export type Config = ReturnType<typeof loadConfig>;

function readSchemaName(env: Env, name: string): string | undefined {
  const value = readOptional(env, name);
  if (value !== undefined && !/^[a-z_][a-z0-9_]{0,50}$/.test(value)) {
    throw new ConfigError(`${name} must be a lower-case PostgreSQL name (letters, digits, _), got "${value}"`);
  }
  return value;
}
/** Whether development helpers (/dev/sms, /dev/verification/run) are on. */
export const devHelpersEnabled = (c: Config) => !c.production && c.sms.provider === 'outbox';
