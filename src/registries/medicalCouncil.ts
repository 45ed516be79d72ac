// The medical council registry (doctors' licences): the rules of one record, the CSV
// file of the simulated registry (MEDICAL_COUNCIL_CSV), the simulated adapter, and the
// http adapter for the real service. Like the other registries, every adapter answers
// with values and never throws; `unavailable` is never a "no".
//
// Wire format of the http adapter (our definition, like the other registries: JSON in and
// out, identifiers in the body, never in the URL, ASCII digits):
//
//   Medical council    POST {medicalCouncilUrl}/doctors/lookup
//                      {"medicalCouncilNumber":"12345"}
//     200 {"medicalCouncilNumber":"12345","nationalCode":"0014789663","firstName":"علی",
//          "lastName":"رضایی","specialty":"جراحی عمومی","licenceValidUntil":"1408-12-29"}
//     404 → not_found
//
//   5xx, 429, a timeout or a network error is retried (`retries` times) and counted by the
//   circuit breaker; any other status is `unavailable: rejected`; an answer not in this
//   format (or about another number) is `unavailable: bad_response`.

import { parseMedicalCouncilNumber } from '../identity/medicalCouncilNumber.js';
import { err, ok, type Result } from '../identity/result.js';
import { readCsv } from './csv.js';
import type { RegistryFaults } from './faults.js';
import { toLatinDigits } from '../identity/digits.js';
import { formatJalaliIso, isValidJalaliDate } from '../identity/jalali.js';
import { nameField, nationalCodeField, type FieldProblem } from './fields.js';
import { asRow, createServiceClient, rejectedOrBad, type CircuitState, type HttpServiceOptions, type RegistryLogger } from './http.js';
import { RegistryDataError } from './csv.js';
import { unavailable, type MedicalCouncil, type MedicalCouncilLookupResult, type MedicalCouncilRecord } from './types.js';

/** The header of MEDICAL_COUNCIL_CSV (API.md). */
export const MEDICAL_COUNCIL_COLUMNS = ['medicalCouncilNumber', 'nationalCode', 'firstName', 'lastName', 'specialty', 'licenceValidUntil'] as const;

/** A calendar date (not a birth date: any valid Jalali day, past or future), canonical `YYYY-MM-DD`. */
function licenceDateField(raw: string): Result<string, string> {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(toLatinDigits(raw.trim()));
  const date = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!date || !isValidJalaliDate(date)) return err(`"${raw.trim()}" is not a valid Jalali date YYYY-MM-DD`);
  return ok(formatJalaliIso(date));
}

function specialtyField(raw: string): Result<string, string> {
  const value = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (value === '') return err('is empty');
  if (value.length > 80) return err('is longer than 80 characters');
  return ok(value);
}

/** One record, field by field, stopping at the first problem (same rules for the file and the wire). */
export function parseMedicalCouncilRecord(row: Readonly<Record<string, string>>): Result<MedicalCouncilRecord, FieldProblem> {
  const rules: { [K in keyof MedicalCouncilRecord]: (raw: string) => Result<string, string> } = {
    medicalCouncilNumber: (raw) => {
      const parsed = parseMedicalCouncilNumber(raw);
      return parsed.ok ? parsed : err(`"${raw.trim()}" is not a medical council number of 1–8 digits`);
    },
    nationalCode: nationalCodeField,
    firstName: nameField,
    lastName: nameField,
    specialty: specialtyField,
    licenceValidUntil: licenceDateField,
  };
  const out: Partial<MedicalCouncilRecord> = {};
  for (const column of MEDICAL_COUNCIL_COLUMNS) {
    const parsed = rules[column](row[column] ?? '');
    if (!parsed.ok) return err({ column, message: parsed.error });
    out[column] = parsed.value;
  }
  return ok(out as MedicalCouncilRecord);
}

/** Reads and validates MEDICAL_COUNCIL_CSV (throws RegistryDataError naming file, line and column). */
export async function loadMedicalCouncilCsv(file: string): Promise<MedicalCouncilRecord[]> {
  const { header, rows } = await readCsv(file, MEDICAL_COUNCIL_COLUMNS, parseMedicalCouncilRecord);
  const seen = new Map<string, number>();
  for (const { line, value } of rows) {
    const first = seen.get(value.medicalCouncilNumber);
    if (first !== undefined) {
      const index = header.indexOf('medicalCouncilNumber') + 1;
      throw new RegistryDataError(file, line, { index, name: 'medicalCouncilNumber' }, `medical council number ${value.medicalCouncilNumber} already appears on line ${first}`);
    }
    seen.set(value.medicalCouncilNumber, line);
  }
  return rows.map((r) => r.value);
}

/** The fault switches of the registries (`faults.medicalCouncil`), read on every call. */
export type FaultSwitchOptions = { faults?: RegistryFaults; faultDelayMs?: number };

/** The look-up behind its fault switch, counting calls (as faults.ts does for the other registries). */
function withFaultSwitch(lookup: MedicalCouncil['lookup'], options: FaultSwitchOptions) {
  const faults = options.faults ?? {};
  const delay = options.faultDelayMs ?? 0;
  let count = 0;
  return {
    calls: () => count,
    async call(medicalCouncilNumber: string): Promise<MedicalCouncilLookupResult> {
      count += 1;
      const fault = faults.medicalCouncil ?? null;
      if (fault === 'unavailable') return unavailable('simulated_outage');
      if (fault === 'timeout') {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        return unavailable('timeout');
      }
      try {
        return await lookup(medicalCouncilNumber);
      } catch {
        // A defect in an adapter is still an answer: "could not ask", never a "no".
        return unavailable('adapter_error');
      }
    },
  };
}

export type MedicalCouncilHandle = MedicalCouncil & {
  /** Fault switch (`faults.medicalCouncil`) and call counter, as the other registries have. */
  calls(): number;
  circuit(): CircuitState;
  close(): Promise<void>;
};

/** The simulated registry over records in memory (O(1) look-ups by number). */
export function createSimulatedMedicalCouncil(records: readonly MedicalCouncilRecord[], options: FaultSwitchOptions = {}): MedicalCouncilHandle {
  const byNumber = new Map(records.map((r) => [r.medicalCouncilNumber, r]));
  const inner: MedicalCouncil = {
    async lookup(input): Promise<MedicalCouncilLookupResult> {
      const number = parseMedicalCouncilNumber(input);
      const record = number.ok ? byNumber.get(number.value) : undefined;
      return record === undefined ? { kind: 'not_found' } : { kind: 'found', record: { ...record } };
    },
  };
  const guarded = withFaultSwitch(inner.lookup, options);
  return { lookup: guarded.call, calls: guarded.calls, circuit: () => 'closed', close: async () => {} };
}

export type HttpMedicalCouncilOptions = HttpServiceOptions & { medicalCouncilUrl: string };

/** The real registry over http: time limit per attempt, retries with backoff, a circuit breaker. */
export function createHttpMedicalCouncil(options: HttpMedicalCouncilOptions & FaultSwitchOptions): MedicalCouncilHandle {
  const client = createServiceClient('medicalCouncil', options.medicalCouncilUrl, options);
  const logger: RegistryLogger = options.logger ?? { warn() {}, info() {} };
  const lookup = async (input: string): Promise<MedicalCouncilLookupResult> => {
    const number = parseMedicalCouncilNumber(input);
    // No doctor can hold a malformed number: answer without asking.
    if (!number.ok) return { kind: 'not_found' };
    const answer = await client.post('doctors/lookup', { medicalCouncilNumber: number.value }, number.value);
    if ('kind' in answer) return answer;
    if (answer.status === 404) return { kind: 'not_found' };
    if (answer.status !== 200) return rejectedOrBad('medicalCouncil', answer, logger, 'status');
    const row = asRow(answer.body, MEDICAL_COUNCIL_COLUMNS);
    if (row === null) return rejectedOrBad('medicalCouncil', answer, logger, 'not an object');
    const record = parseMedicalCouncilRecord(row);
    if (!record.ok) return rejectedOrBad('medicalCouncil', answer, logger, `field ${record.error.column}`);
    if (record.value.medicalCouncilNumber !== number.value) return rejectedOrBad('medicalCouncil', answer, logger, 'another number');
    return { kind: 'found', record: record.value };
  };
  const guarded = withFaultSwitch(lookup, options);
  return {
    lookup: guarded.call,
    calls: guarded.calls,
    circuit: () => client.state(),
    close: async () => client.shutdown(),
  };
}
