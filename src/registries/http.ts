// http adapters: the real civil registry, mobile-ownership service and insurance records
// reached over the network. Each call has a time limit; transient failures are retried
// with exponential backoff and jitter (p-retry); each service has its own circuit
// breaker (opossum) so a dead service is not hammered and callers get an immediate
// `unavailable` instead of waiting. Every failure becomes a result value.
//
// Wire format (our definition; a gateway in front of the government services speaks it).
// JSON in and out. Requests carry `Content-Type: application/json`,
// `Accept: application/json` and, when an API key is configured,
// `Authorization: Bearer <apiKey>`. Identifiers travel in request bodies, never in URLs,
// because URLs end up in proxy and access logs. Digits are ASCII.
//
//   Civil registry     POST {civilRegistryUrl}/persons/lookup
//                      {"nationalCode":"0499370899"}
//     200 {"nationalCode":"0499370899","firstName":"علی","lastName":"رضایی",
//          "birthDate":"1370-01-15","gender":"male"|"female","birthCertificateNumber":"0499370899",
//          "birthCertificateSerial":"123456","birthCertificateSeries":"الف/12","alive":true}
//     404 → not_found
//
//   Mobile ownership   POST {mobileOwnershipUrl}/ownership
//                      {"nationalCode":"0499370899","mobile":"09121234567"}
//     200 {"matched":true,"requiresBranchVisit":false} → match
//     200 {"matched":false}                             → mismatch
//
//   Insurance records  POST {insuranceRecordsUrl}/insured/search
//                      {"nationalCode":"0499370899"} or {"foreignNationalId":"123456789012"}
//     200 {"records":[{"nationalCode":"0499370899"|null,"foreignNationalId":null|"…",
//          "insuranceNumber":"0012345678","branchCode":"112","insuranceGroup":"self_employed"}]}
//     200 with an empty list, or 404 → not_found
//
//   Any service: 5xx, 429, a timeout or a network error is retried (`retries` times);
//   any other status is final — a 4xx not listed above is `unavailable: rejected` (our
//   request or key is wrong; retrying will not help); an answer not in the format above is
//   `unavailable: bad_response`. Fields the portal does not need are dropped here.

import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import { isValidNationalCode } from '../identity/nationalCode.js';
import { parseMobile } from '../identity/mobile.js';
import {
  foreignNationalIdField,
  maskIdentifier,
  nationalCodeField,
  parseCivilRecord,
  parseInsuranceRecord,
  toAsciiDigits,
} from './fields.js';
import {
  unavailable,
  type CivilLookupResult,
  type CivilRegistry,
  type InsuranceLookupResult,
  type InsuranceRecord,
  type InsuranceRecords,
  type MobileOwnership,
  type MobileOwnershipResult,
  type RegistryName,
  type Registries,
  type Unavailable,
  type UnavailableReason,
} from './types.js';

/** pino-compatible. Receives masked identifiers only. */
export type RegistryLogger = {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
};

export type CircuitBreakerOptions = {
  /** Share of failed calls in the rolling window that opens the circuit. Default 50 (%). */
  errorThresholdPercentage?: number;
  /** Calls needed in the window before the circuit may open at all. Default 5. */
  volumeThreshold?: number;
  /** How long an open circuit waits before letting one trial call through. Default 30 000 ms. */
  resetTimeoutMs?: number;
  /** Length of the rolling window of statistics. Default 10 000 ms. */
  rollingWindowMs?: number;
};

export type HttpServiceOptions = {
  /** Optional secret sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Time limit of ONE attempt (connect + answer + body). */
  timeoutMs: number;
  /** Retries after the first attempt, for transient failures only. */
  retries: number;
  /** First backoff delay; doubles each retry, times a random factor in [1, 2). Default 100 ms. */
  retryMinDelayMs?: number;
  /** Upper bound of one backoff delay. Default 2 000 ms. */
  retryMaxDelayMs?: number;
  circuitBreaker?: CircuitBreakerOptions;
  logger?: RegistryLogger;
  /** "Today" for validating birth dates in answers. Default: now. */
  today?: () => Date;
};

export type HttpRegistriesOptions = HttpServiceOptions & {
  civilRegistryUrl: string;
  mobileOwnershipUrl: string;
  insuranceRecordsUrl: string;
};

export type CircuitState = 'closed' | 'open' | 'half_open';

/** The registries the portal calls over http (the medical council is wired on its own). */
export type ServiceName = RegistryName | 'medicalCouncil';

/** A service's answer that is final (not retried): its status and JSON body (undefined if not JSON). */
export type Answer = { status: number; body: unknown };

type TransientReason = Extract<UnavailableReason, 'timeout' | 'network_error' | 'server_error' | 'rate_limited'>;

/** A failure worth retrying; after the last retry it is what the circuit breaker counts. */
class TransientFailure extends Error {
  constructor(readonly reason: TransientReason) {
    super(reason);
  }
}

/** One remote service behind its time limit, retries and circuit breaker. */
export type ServiceClient = {
  post(path: string, payload: Record<string, string>, subject: string): Promise<Answer | Unavailable>;
  state(): CircuitState;
  shutdown(): void;
};

const silent: RegistryLogger = { warn() {}, info() {} };

function baseUrl(name: ServiceName, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`registries: ${name} URL "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`registries: ${name} URL must be http(s), got ${parsed.protocol}`);
  }
  // Relative paths resolve below the base only when it ends with a slash.
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

export function createServiceClient(name: ServiceName, url: string, options: HttpServiceOptions): ServiceClient {
  const base = baseUrl(name, url);
  const logger = options.logger ?? silent;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  async function attempt(path: string, payload: Record<string, string>): Promise<Answer> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(new URL(path, base), {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = response.status;
      // Read the body under the same time limit, and always, so the connection is reused.
      text = await response.text();
    } catch (error) {
      const errorName = (error as Error).name;
      throw new TransientFailure(errorName === 'TimeoutError' || errorName === 'AbortError' ? 'timeout' : 'network_error');
    }
    if (status >= 500) throw new TransientFailure('server_error');
    if (status === 429) throw new TransientFailure('rate_limited');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status, body };
  }

  const send = (path: string, payload: Record<string, string>): Promise<Answer> =>
    pRetry(() => attempt(path, payload), {
      retries: options.retries,
      factor: 2,
      minTimeout: options.retryMinDelayMs ?? 100,
      maxTimeout: options.retryMaxDelayMs ?? 2_000,
      randomize: true,
      unref: true,
      shouldRetry: ({ error }) => error instanceof TransientFailure,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0) logger.info({ registry: name, attempt: attemptNumber, error: error.message }, 'registry call failed, retrying');
      },
    });

  const cb = options.circuitBreaker ?? {};
  const breaker = new CircuitBreaker(send, {
    name,
    // Time limits are per attempt (AbortSignal.timeout); the breaker only counts outcomes.
    timeout: false,
    errorThresholdPercentage: cb.errorThresholdPercentage ?? 50,
    volumeThreshold: cb.volumeThreshold ?? 5,
    resetTimeout: cb.resetTimeoutMs ?? 30_000,
    rollingCountTimeout: cb.rollingWindowMs ?? 10_000,
    rollingCountBuckets: 10,
  });
  breaker.on('open', () => logger.warn({ registry: name }, 'registry circuit opened: failing fast'));
  breaker.on('halfOpen', () => logger.info({ registry: name }, 'registry circuit half-open: trying one call'));
  breaker.on('close', () => logger.info({ registry: name }, 'registry circuit closed: service answers again'));

  return {
    async post(path, payload, subject) {
      try {
        return await breaker.fire(path, payload);
      } catch (error) {
        const reason: UnavailableReason =
          error instanceof TransientFailure
            ? error.reason
            : (error as { code?: unknown }).code === 'EOPENBREAKER'
              ? 'circuit_open'
              : 'adapter_error';
        logger.warn({ registry: name, reason, subject: maskIdentifier(subject) }, 'registry unavailable');
        return unavailable(reason);
      }
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}

/** Turns a JSON object's values into the text form the field rules read. */
export function asRow(body: unknown, columns: readonly string[]): Record<string, string> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const row: Record<string, string> = {};
  for (const column of columns) {
    const value = (body as Record<string, unknown>)[column];
    // Identifiers must be strings: a number would have lost its leading zeros.
    row[column] = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : '';
  }
  return row;
}

export function rejectedOrBad(name: ServiceName, answer: Answer, logger: RegistryLogger, detail: string): Unavailable {
  const reason: UnavailableReason = answer.status >= 200 && answer.status < 300 ? 'bad_response' : 'rejected';
  logger.warn({ registry: name, status: answer.status, reason, detail }, 'registry answer not usable');
  return unavailable(reason);
}

const CIVIL_COLUMNS = [
  'nationalCode',
  'firstName',
  'lastName',
  'birthDate',
  'gender',
  'birthCertificateNumber',
  'birthCertificateSerial',
  'birthCertificateSeries',
  'alive',
] as const;
const INSURANCE_COLUMNS = ['nationalCode', 'foreignNationalId', 'insuranceNumber', 'branchCode', 'insuranceGroup'] as const;

function civilRegistryOver(client: ServiceClient, options: HttpServiceOptions): CivilRegistry {
  const logger = options.logger ?? silent;
  const today = options.today ?? (() => new Date());
  return {
    async lookup(input): Promise<CivilLookupResult> {
      const nationalCode = toAsciiDigits(input.trim());
      // No person can have an invalid code: answer without asking.
      if (!isValidNationalCode(nationalCode)) return { kind: 'not_found' };
      const answer = await client.post('persons/lookup', { nationalCode }, nationalCode);
      if ('kind' in answer) return answer;
      if (answer.status === 404) return { kind: 'not_found' };
      if (answer.status !== 200) return rejectedOrBad('civilRegistry', answer, logger, 'status');
      const row = asRow(answer.body, CIVIL_COLUMNS);
      if (row === null) return rejectedOrBad('civilRegistry', answer, logger, 'not an object');
      const record = parseCivilRecord(row, today());
      // Only the column is logged: the values are personal data.
      if (!record.ok) return rejectedOrBad('civilRegistry', answer, logger, `field ${record.error.column}`);
      if (record.value.nationalCode !== nationalCode) return rejectedOrBad('civilRegistry', answer, logger, 'another person');
      return { kind: 'found', record: record.value };
    },
  };
}

function mobileOwnershipOver(client: ServiceClient, options: HttpServiceOptions): MobileOwnership {
  const logger = options.logger ?? silent;
  return {
    async check(inputCode, inputMobile): Promise<MobileOwnershipResult> {
      const nationalCode = toAsciiDigits(inputCode.trim());
      const mobile = parseMobile(inputMobile);
      if (!isValidNationalCode(nationalCode) || !mobile.ok) return { kind: 'mismatch' };
      const answer = await client.post('ownership', { nationalCode, mobile: mobile.value }, nationalCode);
      if ('kind' in answer) return answer;
      if (answer.status !== 200) return rejectedOrBad('mobileOwnership', answer, logger, 'status');
      const body = answer.body as { matched?: unknown; requiresBranchVisit?: unknown } | undefined;
      if (body?.matched === false) return { kind: 'mismatch' };
      // A match must say whether a branch visit is needed: guessing "no" would activate
      // accounts the organization wants checked in person.
      if (body?.matched === true && typeof body.requiresBranchVisit === 'boolean') {
        return { kind: 'match', requiresBranchVisit: body.requiresBranchVisit };
      }
      return rejectedOrBad('mobileOwnership', answer, logger, 'matched/requiresBranchVisit');
    },
  };
}

function insuranceRecordsOver(client: ServiceClient, options: HttpServiceOptions): InsuranceRecords {
  const logger = options.logger ?? silent;
  return {
    async findByPerson(id): Promise<InsuranceLookupResult> {
      const parsedId = 'nationalCode' in id ? nationalCodeField(id.nationalCode) : foreignNationalIdField(id.foreignNationalId);
      if (!parsedId.ok) return { kind: 'not_found' };
      const payload: Record<string, string> =
        'nationalCode' in id ? { nationalCode: parsedId.value } : { foreignNationalId: parsedId.value };
      const answer = await client.post('insured/search', payload, parsedId.value);
      if ('kind' in answer) return answer;
      if (answer.status === 404) return { kind: 'not_found' };
      if (answer.status !== 200) return rejectedOrBad('insuranceRecords', answer, logger, 'status');
      const list = (answer.body as { records?: unknown } | undefined)?.records;
      if (!Array.isArray(list)) return rejectedOrBad('insuranceRecords', answer, logger, 'records');
      const records: InsuranceRecord[] = [];
      for (const item of list) {
        const row = asRow(item, INSURANCE_COLUMNS);
        const record = row === null ? null : parseInsuranceRecord(row);
        if (record === null || !record.ok) return rejectedOrBad('insuranceRecords', answer, logger, 'record');
        const owner = 'nationalCode' in payload ? record.value.nationalCode : record.value.foreignNationalId;
        if (owner !== parsedId.value) return rejectedOrBad('insuranceRecords', answer, logger, 'another person');
        records.push(record.value);
      }
      return records.length === 0 ? { kind: 'not_found' } : { kind: 'found', records };
    },
  };
}

export type HttpRegistries = Registries & {
  /** Circuit state per service, for /readyz and metrics. */
  circuits(): Record<RegistryName, CircuitState>;
  /** Stops the breakers' timers. */
  close(): Promise<void>;
};

export function createHttpRegistries(options: HttpRegistriesOptions): HttpRegistries {
  const clients: Record<RegistryName, ServiceClient> = {
    civilRegistry: createServiceClient('civilRegistry', options.civilRegistryUrl, options),
    mobileOwnership: createServiceClient('mobileOwnership', options.mobileOwnershipUrl, options),
    insuranceRecords: createServiceClient('insuranceRecords', options.insuranceRecordsUrl, options),
  };
  return {
    civilRegistry: civilRegistryOver(clients.civilRegistry, options),
    mobileOwnership: mobileOwnershipOver(clients.mobileOwnership, options),
    insuranceRecords: insuranceRecordsOver(clients.insuranceRecords, options),
    circuits: () => ({
      civilRegistry: clients.civilRegistry.state(),
      mobileOwnership: clients.mobileOwnership.state(),
      insuranceRecords: clients.insuranceRecords.state(),
    }),
    async close() {
      for (const client of Object.values(clients)) client.shutdown();
    },
  };
}
