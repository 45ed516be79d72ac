// Simulated registries: deterministic in-memory stand-ins for the government services,
// loaded once from the CSV files (demo people by default). Lookups are O(1) map reads.
// Fault switches and call counters come from ./faults.ts.

import { parseMobile } from '../identity/mobile.js';
import { loadCivilRegistryCsv, loadInsuranceRecordsCsv, loadMobileOwnershipCsv, type CsvLoadOptions } from './csv.js';
import { withFaults, type FaultControl, type RegistryFaults } from './faults.js';
import { toAsciiDigits, type MobileOwnershipRow } from './fields.js';
import type {
  CivilLookupResult,
  CivilRecord,
  InsuranceLookupResult,
  InsuranceRecord,
  MobileOwnershipResult,
  Registries,
} from './types.js';

export type SimulatedData = {
  civilRecords: readonly CivilRecord[];
  mobileOwnership: readonly MobileOwnershipRow[];
  insuranceRecords: readonly InsuranceRecord[];
};

export type SimulatedOptions = {
  /** Switches read on every call; pass your own object to flip them later (or use the returned `faults`). */
  faults?: RegistryFaults;
  /** How long a `timeout` fault waits before answering. Default 0. */
  faultDelayMs?: number;
};

export type SimulatedRegistries = Registries &
  FaultControl & {
    /** How many rows each table holds (for start-up logs and tests). */
    size: { civilRecords: number; mobileOwnership: number; insuranceRecords: number };
  };

/** Builds the simulators from rows already in memory (tests that want their own people). */
export function createSimulatedRegistriesFromData(data: SimulatedData, options: SimulatedOptions = {}): SimulatedRegistries {
  const civil = new Map<string, CivilRecord>();
  for (const record of data.civilRecords) civil.set(record.nationalCode, record);

  // key: nationalCode + ':' + mobile
  const ownership = new Map<string, MobileOwnershipRow>();
  for (const row of data.mobileOwnership) ownership.set(`${row.nationalCode}:${row.mobile}`, row);

  const byNationalCode = new Map<string, InsuranceRecord[]>();
  const byForeignNationalId = new Map<string, InsuranceRecord[]>();
  for (const record of data.insuranceRecords) {
    const [index, key] =
      record.nationalCode !== null ? [byNationalCode, record.nationalCode] : [byForeignNationalId, record.foreignNationalId ?? ''];
    const list = index.get(key) ?? [];
    list.push(record);
    index.set(key, list);
  }

  const inner: Registries = {
    civilRegistry: {
      async lookup(nationalCode): Promise<CivilLookupResult> {
        const record = civil.get(toAsciiDigits(nationalCode.trim()));
        return record === undefined ? { kind: 'not_found' } : { kind: 'found', record: { ...record } };
      },
    },
    mobileOwnership: {
      async check(nationalCode, mobile): Promise<MobileOwnershipResult> {
        const parsed = parseMobile(mobile);
        const row = parsed.ok ? ownership.get(`${toAsciiDigits(nationalCode.trim())}:${parsed.value}`) : undefined;
        return row === undefined ? { kind: 'mismatch' } : { kind: 'match', requiresBranchVisit: row.requiresBranchVisit };
      },
    },
    insuranceRecords: {
      async findByPerson(id): Promise<InsuranceLookupResult> {
        const records =
          'nationalCode' in id
            ? byNationalCode.get(toAsciiDigits(id.nationalCode.trim()))
            : byForeignNationalId.get(toAsciiDigits(id.foreignNationalId.trim()));
        return records === undefined ? { kind: 'not_found' } : { kind: 'found', records: records.map((r) => ({ ...r })) };
      },
    },
  };

  return {
    ...withFaults(inner, options),
    size: {
      civilRecords: civil.size,
      mobileOwnership: ownership.size,
      insuranceRecords: data.insuranceRecords.length,
    },
  };
}

export type SimulatedFiles = {
  civilRegistry: string;
  mobileOwnership: string;
  insuranceRecords: string;
};

/** Reads and validates the three CSV files (throws RegistryDataError naming file/line/column). */
export async function createSimulatedRegistries(
  files: SimulatedFiles,
  options: SimulatedOptions & CsvLoadOptions = {},
): Promise<SimulatedRegistries> {
  // One after the other, so that with several bad files the error reported is always the same one.
  const civilRecords = await loadCivilRegistryCsv(files.civilRegistry, options);
  const mobileOwnership = await loadMobileOwnershipCsv(files.mobileOwnership);
  const insuranceRecords = await loadInsuranceRecordsCsv(files.insuranceRecords);
  return createSimulatedRegistriesFromData({ civilRecords, mobileOwnership, insuranceRecords }, options);
}
