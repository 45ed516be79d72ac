// The composition root: opens the database, the queue, the counters and the registries,
// and wires every capability's service with its explicit dependencies. Web, worker, CLI
// and tests all start from here.
import { Redis } from 'ioredis';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { createChangeFeed } from './db/changes.js';
import { migrateToLatest } from './db/migrate.js';
import { createHousekeeping } from './jobs/housekeeping.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { createSmsProvider, type SmsProvider } from './notifications/providers.js';
import { createSmsService } from './notifications/sms.service.js';
import { applySmsTemplatesFile } from './notifications/templates.js';
import { createMetrics } from './observability/metrics.js';
import { createBranchService } from './insured/branches.service.js';
import { createCaptchaService } from './insured/captcha.service.js';
import { createInsuredService } from './insured/insured.service.js';
import { createRegistrationService } from './registration/registration.service.js';
import { createRegistries, type RegistriesHandle, type RegistryFaults } from './registries/index.js';
import { createPasswordHasher } from './security/passwords.js';
import { createRateLimiter } from './security/rateLimits.js';
import { createAccountService } from './account/account.service.js';
import { createAccountsService } from './accounts/accounts.service.js';
import { createRecoveryService } from './recovery/recovery.service.js';
import { createSessionService } from './signin/sessions.service.js';
import { createSigninService } from './signin/signin.service.js';
import { createSecrets, resolveSecretKey } from './security/secrets.js';
import { createVerificationService } from './verification/verification.service.js';
import { createBackofficeService } from './backoffice/backoffice.service.js';
import { createStaffService } from './backoffice/staff.service.js';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';
import { createSsoService } from './sso/sso.service.js';
import { defineSsoLogoutJob } from './sso/sso.jobs.js';
import { createPasskeyService } from './passkeys/passkeys.service.js';
import { createDoctorsService } from './doctors/doctors.service.js';

export type PlatformOptions = {
  config: Config;
  logger: Logger;
  /** Injected time (tests move it forward). */
  clock?: () => Date;
  /** Test-only: PGlite in memory (or an open one the caller owns), a PostgreSQL schema, a Redis key prefix. */
  database?: { memory?: boolean; schema?: string; loadDataDir?: Blob; pglite?: PGlite };
  redisPrefix?: string;
  registryFaults?: RegistryFaults;
  smsProvider?: SmsProvider;
};

export async function createPlatform(options: PlatformOptions) {
  const { config, logger } = options;
  const clock = options.clock ?? (() => new Date());
  // Operator SMS wording is checked before anything opens: a bad file stops the start.
  if (config.sms.templatesFile) {
    const overridden = applySmsTemplatesFile(config.sms.templatesFile);
    logger.info({ templates: overridden }, 'SMS wording overridden by SMS_TEMPLATES_FILE');
  }
  const secrets = createSecrets(resolveSecretKey(config.secretKey, config.dataDir));
  // A schema for the tests (PlatformOptions), or DATABASE_SCHEMA for a real process.
  const schema = options.database?.schema ?? (config.databaseUrl ? config.databaseSchema : undefined);
  const database: Database = await openDatabase({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    ...(options.database?.memory ? { memory: true } : {}),
    ...(schema ? { schema } : {}),
    ...(options.database?.loadDataDir ? { loadDataDir: options.database.loadDataDir } : {}),
    ...(options.database?.pglite ? { pglite: options.database.pglite } : {}),
    // A lost connection is survived (the pool opens another); /readyz reports the database meanwhile.
    onConnectionError: (e) => logger.warn({ err: { message: e.message, code: (e as { code?: string }).code } }, 'database connection lost'),
    onTemplateFallback: (e) => logger.warn({ err: e }, 'new embedded data folder made from the template tarball: the unpacked template could not be copied'),
  });
  // Processes starting together on an empty database take turns (PostgreSQL advisory lock):
  // migrations here, the one-time creation of a signing key and the branch list below.
  const applied = await database.withLock('startup', () => migrateToLatest(database.db, config.databaseUrl ? schema : undefined));
  if (applied.length) logger.info({ applied }, 'migrations applied');

  // Notices of account changes: web processes listen (buildApp) and keep copies meanwhile.
  const changes = createChangeFeed({ database, schema: schema ?? 'public', logger });
  const metrics = createMetrics();
  const queue: JobQueue = createJobQueue({
    database,
    schema: schema ? `${schema}_jobs` : 'pgboss',
    logger,
    metrics,
  });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true }) : undefined;
  redis?.on('error', (e) => logger.warn({ err: e }, 'redis error'));
  const limiter = createRateLimiter({
    rules: config.rateLimits,
    ...(redis ? { redis } : {}),
    prefix: options.redisPrefix ?? 'dargah',
    hashKey: (key) => secrets.hmac('rate-limit', key),
    onRefused: (name) => metrics.rateLimited.inc({ limit: name }),
    registry: metrics.registry,
    logger,
  });
  const registries: RegistriesHandle = await createRegistries({
    mode: config.registries.mode,
    csv: config.registries.csv,
    ...(config.registries.mode === 'http'
      ? {
          http: {
            civilRegistryUrl: config.registries.http.civilRegistryUrl!,
            mobileOwnershipUrl: config.registries.http.mobileOwnershipUrl!,
            insuranceRecordsUrl: config.registries.http.insuranceRecordsUrl!,
            medicalCouncilUrl: config.registries.http.medicalCouncilUrl!,
            timeoutMs: config.registries.http.timeoutMs,
            retries: config.registries.http.retries,
            ...(config.registries.http.apiKey ? { apiKey: config.registries.http.apiKey } : {}),
          },
        }
      : {}),
    ...(options.registryFaults ? { faults: options.registryFaults } : {}),
    logger,
  });
  const hasher = createPasswordHasher(config.argon2);
  const db = database.db;

  const sms = createSmsService({
    db,
    queue,
    provider: options.smsProvider ?? createSmsProvider(config.sms),
    metrics,
    logger,
    clock,
    retry: {
      retryLimit: config.sms.retryLimit,
      retryDelaySeconds: config.sms.retryDelaySeconds,
      retryDelayMaxSeconds: Math.max(config.sms.retryDelayMaxSeconds, config.sms.retryDelaySeconds),
    },
    secretRetentionSeconds: config.sms.secretRetentionSeconds,
    sendTimeoutMs: config.sms.timeoutMs,
    batchSize: config.worker.batchSize,
  });
  // The owner of the account and its credentials: every capability below changes an account through it.
  const accounts = createAccountsService({ db, config, hasher, secrets, limiter, sms, logger, clock, changes });
  const verification = createVerificationService({ db, queue, config, registries, sms, accounts, metrics, logger, clock });
  const registration = createRegistrationService({
    db,
    config,
    mobileOwnership: registries.mobileOwnership,
    sms,
    hasher,
    secrets,
    limiter,
    metrics,
    logger,
    clock,
    scheduleVerification: verification.schedule,
    accounts,
  });
  verification.setRejectionMemory(registration.rememberRejections);
  // Sign-in, sessions, the person's own account and recovery (issue 4).
  const sessions = createSessionService({ db, config, secrets, clock, changes });
  const captcha = createCaptchaService({ db, secrets, clock, cost: config.captcha.cost, ttlSeconds: config.captcha.ttlSeconds });
  const signin = createSigninService({
    db,
    config,
    hasher,
    secrets,
    limiter,
    sessions,
    sms,
    accounts,
    verifyCaptcha: async (payload) => ({ ok: (await captcha.verify(payload)).ok }),
    metrics,
    logger,
    clock,
    keepProfile: (a, mark) => account.keepProfile(a, mark),
  });
  const account = createAccountService({
    db,
    config,
    hasher,
    secrets,
    limiter,
    accounts,
    checkCurrentPassword: (a, password, meta) => signin.checkGuarded(a, password, meta),
    sms,
    mobileOwnership: registries.mobileOwnership,
    logger,
    clock,
    changes,
  });
  const recovery = createRecoveryService({ db, config, hasher, secrets, limiter, sms, accounts, passwordPolicy: account.passwordPolicy, logger, clock });
  // Passkeys (issue 16): WebAuthn sign-in and the person's passkey list.
  const passkeys = createPasskeyService({ db, config, secrets, limiter, sessions, sms, accounts, logger, clock });
  // Doctors' registration (issue 13). The `doctor` permission lives on the account: the
  // accounts capability grants and takes it back, in the doctors check's transaction.
  const doctors = createDoctorsService({
    db,
    queue,
    config,
    medicalCouncil: registries.medicalCouncil,
    sms,
    limiter,
    metrics,
    logger,
    clock,
    changes,
    findPerson: async (accountId) => {
      const p = await account.profile(accountId);
      return p && { status: p.status, nationalCode: p.nationalCode, firstName: p.firstName, lastName: p.lastName, gender: p.gender, mobile: p.mobile };
    },
    grantPermission: async (trx, accountId, permission) => {
      await accounts.grantPermissions(trx, accountId, [permission]);
    },
    revokePermission: async (trx, accountId, permission) => {
      await accounts.revokePermissions(trx, accountId, [permission]);
    },
  });
  const sso = createSsoService({ db, config, secrets, clock, logger, doctorClaims: doctors.claimsOf, changes });
  const branches = createBranchService({ db, clock });
  await database.withLock('startup', async () => {
    await sso.init();
    const seededBranches = await branches.seedIfEmpty(config.registries.csv.branches);
    if (seededBranches) logger.info({ branches: seededBranches }, 'branch list seeded');
  });
  const insured = createInsuredService({
    db,
    config,
    insuranceRecords: registries.insuranceRecords,
    civilRegistry: registries.civilRegistry,
    accounts,
    queue,
    branches,
    captcha,
    sms,
    hasher,
    limiter,
    logger,
    clock,
  });
  // The duties of the account's transitions that other capabilities carry out, in the
  // transition's transaction: sessions end (or the asking one continues under a new id),
  // and every single sign-on grant ends (back-channel logout once committed).
  const ssoLogout = defineSsoLogoutJob(queue, sso);
  accounts.setCredentialRetirers({
    endSessions: (trx, accountId, reason, keepId) => sessions.endAllOf(trx, accountId, reason, keepId),
    rotateSession: (trx, sessionId) => sessions.rotate(trx, sessionId),
    endSingleSignOn: (trx, accountId) => ssoLogout.schedule(trx as Kysely<DB>, accountId),
    removePasskeys: (trx, accountId, actor) =>
      passkeys.removeAllOf(
        trx,
        accountId,
        actor.kind === 'staff'
          ? { type: 'staff', id: actor.staff.id, username: actor.staff.username, reason: actor.reason, ip: actor.ip }
          : { type: 'system' },
      ),
  });
  // Seed 001: the general permissions follow the first password change, in its transaction
  // (the grant is idempotent and only for insured accounts).
  accounts.onPasswordSet((trx, e) => insured.grantGeneralPermissionsAfterFirstChange(trx, e.accountId).then(() => undefined));
  // A new password ends every flow a temporary or initial password was sent for: those texts go.
  accounts.onPasswordSet((trx, e) => sms.endSecretsOf(trx, { accountId: e.accountId }).then(() => undefined));

  // Branch back office (issue 7): staff sign-in and the actions staff take on accounts.
  const staff = createStaffService({
    db,
    config,
    hasher,
    secrets,
    limiter,
    logger,
    clock,
    // The branches table (seeded from BRANCHES_CSV, updated by `branches import`).
    branchExists: async (code) => (await branches.find(code)) !== undefined,
    verifyPasskey: passkeys.staff.verify,
  });
  const backoffice = createBackofficeService({
    db,
    config,
    sms,
    queue,
    hasher,
    logger,
    clock,
    rememberRejection: registration.rememberRejection,
    accounts,
    mobileOwnership: registries.mobileOwnership,
    verificationRejectionKey: verification.rejectionKey,
  });

  // Purges, each on a pg-boss cron schedule (src/jobs/housekeeping.ts; scheduled by workers).
  const housekeeping = createHousekeeping({
    queue,
    logger,
    tasks: [
      { name: 'sms-secrets', cron: '*/5 * * * *', run: () => sms.purgeSecrets() },
      { name: 'registration-flows', cron: '*/10 * * * *', run: () => registration.purgeExpiredFlows() },
      { name: 'signin-codes', cron: '*/10 * * * *', run: () => signin.purgeExpiredCodes() },
      { name: 'sso-artifacts', cron: '*/10 * * * *', run: () => sso.purgeExpired() },
      { name: 'captcha-uses', cron: '*/10 * * * *', run: () => captcha.purgeExpired() },
      // Insured accounts registered before the civil registry's identity was attached get it.
      { name: 'insured-identities', cron: '17 3 * * *', run: () => insured.backfillIdentities() },
      { name: 'staff-sessions', cron: '*/10 * * * *', run: () => staff.purgeExpiredSessions() },
      { name: 'verification-rejections', cron: '23 3 * * *', run: () => verification.purgeOldRejections() },
      { name: 'passkey-challenges', cron: '*/10 * * * *', run: () => passkeys.purgeExpiredChallenges() },
      // Licences end: re-check verified doctors whose licence ended (renewed, or the permission goes).
      { name: 'doctor-licences', cron: '20 0 * * *', run: () => doctors.recheckEndedLicences() },
    ],
  });

  return {
    config,
    logger,
    clock,
    database,
    db,
    changes,
    queue,
    metrics,
    secrets,
    limiter,
    registries,
    hasher,
    sms,
    accounts,
    registration,
    verification,
    staff,
    backoffice,
    sessions,
    signin,
    passkeys,
    account,
    recovery,
    sso,
    branches,
    captcha,
    insured,
    doctors,
    housekeeping,
    /**
     * What /readyz reports: the database answers, and Redis when REDIS_URL is set (each within
     * a second). A process that is not ready still runs and recovers by itself.
     */
    async readiness(): Promise<{ ready: boolean; database: boolean; redis?: boolean }> {
      const within = <T>(p: Promise<T>, fallback: T) =>
        Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), 1000).unref())]);
      const [dbOk, redisOk] = await Promise.all([
        within(database.ping(), false),
        redis ? within(redis.status === 'ready' ? redis.ping().then((r) => r === 'PONG', () => false) : Promise.resolve(false), false) : undefined,
      ]);
      return { ready: dbOk && redisOk !== false, database: dbOk, ...(redis ? { redis: redisOk === true } : {}) };
    },
    /** Stops everything; jobs in hand get up to `timeoutMs` to finish (SHUTDOWN_TIMEOUT_SECONDS). */
    async close(closeOptions: { timeoutMs?: number } = {}) {
      await queue.stop(closeOptions);
      await changes.close();
      await registries.close();
      redis?.disconnect();
      await database.close();
    },
  };
}

export type Platform = Awaited<ReturnType<typeof createPlatform>>;
