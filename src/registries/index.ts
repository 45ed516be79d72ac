// Entry point of the registries capability: picks the simulated or the http adapters
// from configuration and re-exports the contracts. Other capabilities import from here.

import path from 'node:path';
import { projectRoot } from '../shared/projectRoot.js';
import { withFaults, type RegistryCalls, type RegistryFaults } from './faults.js';
import { createHttpRegistries, type CircuitState, type HttpServiceOptions, type RegistryLogger } from './http.js';
import { createSimulatedRegistries } from './simulated.js';
import { createHttpMedicalCouncil, createSimulatedMedicalCouncil, loadMedicalCouncilCsv, type MedicalCouncilHandle } from './medicalCouncil.js';
import type { RegistryName, Registries } from './types.js';

export * from './types.js';
export { loadBranchesCsv, RegistryDataError, CSV_COLUMNS } from './csv.js';
export type { RegistryFault, RegistryFaults, RegistryCalls } from './faults.js';
export type { CircuitState, RegistryLogger, CircuitBreakerOptions } from './http.js';
export type { MobileOwnershipRow } from './fields.js';
export { maskIdentifier } from './fields.js';
export { createSimulatedRegistriesFromData, type SimulatedData } from './simulated.js';
export { createHttpMedicalCouncil, createSimulatedMedicalCouncil, loadMedicalCouncilCsv, parseMedicalCouncilRecord, MEDICAL_COUNCIL_COLUMNS, type MedicalCouncilHandle } from './medicalCouncil.js';

const demo = (name: string): string => path.join(projectRoot, 'demo', name);

/** Absolute paths of the demo files shipped in `demo/` (the defaults of the CSV settings). */
export const DEMO_CSV_PATHS = {
  civilRegistry: demo('civil-registry.csv'),
  mobileOwnership: demo('mobile-ownership.csv'),
  insuranceRecords: demo('insurance-records.csv'),
  branches: demo('branches.csv'),
  medicalCouncil: demo('medical-council.csv'),
} as const;

export type CreateRegistriesOptions = {
  mode: 'simulated' | 'http';
  /** Files of the simulated registries; default DEMO_CSV_PATHS. Unused in http mode. */
  csv?: { civilRegistry: string; mobileOwnership: string; insuranceRecords: string; medicalCouncil?: string };
  /** Required in http mode. */
  http?: HttpServiceOptions & { civilRegistryUrl: string; mobileOwnershipUrl: string; insuranceRecordsUrl: string; medicalCouncilUrl?: string };
  /** Fault switches (either mode), read on every call; the same object is returned as `faults`. */
  faults?: RegistryFaults;
  /** How long a `timeout` fault waits. Default 0. */
  faultDelayMs?: number;
  /** "Today" for validating birth dates in the CSV files. Default: now. */
  today?: Date;
  logger?: RegistryLogger;
};

export type RegistriesHandle = Registries & {
  mode: 'simulated' | 'http';
  faults: RegistryFaults;
  calls: RegistryCalls;
  /** Circuit state per service in http mode; always closed when simulated. */
  circuits(): Record<RegistryName, CircuitState>;
  /** The medical council registry (doctors); its fault switch is `faults.medicalCouncil`. */
  medicalCouncil: MedicalCouncilHandle;
  close(): Promise<void>;
};

/**
 * Builds the registries the portal uses. Simulated mode reads and validates the CSV files
 * (rejects with RegistryDataError naming file, line and column on the first bad row).
 */
export async function createRegistries(options: CreateRegistriesOptions): Promise<RegistriesHandle> {
  const faultOptions = { faults: options.faults ?? {}, faultDelayMs: options.faultDelayMs ?? 0 };
  if (options.mode === 'simulated') {
    const simulated = await createSimulatedRegistries(options.csv ?? DEMO_CSV_PATHS, {
      ...faultOptions,
      ...(options.today ? { today: options.today } : {}),
    });
    const doctors = await loadMedicalCouncilCsv(options.csv?.medicalCouncil ?? DEMO_CSV_PATHS.medicalCouncil);
    const medicalCouncil = createSimulatedMedicalCouncil(doctors, faultOptions);
    options.logger?.info({ ...simulated.size, medicalCouncil: doctors.length }, 'simulated registries loaded');
    return {
      medicalCouncil,
      mode: 'simulated',
      civilRegistry: simulated.civilRegistry,
      mobileOwnership: simulated.mobileOwnership,
      insuranceRecords: simulated.insuranceRecords,
      faults: simulated.faults,
      calls: simulated.calls,
      circuits: () => ({ civilRegistry: 'closed', mobileOwnership: 'closed', insuranceRecords: 'closed' }),
      close: async () => {},
    };
  }
  if (options.http === undefined) throw new Error('registries: mode "http" needs the http options (service URLs, timeout, retries)');
  if (!options.http.medicalCouncilUrl) throw new Error('registries: mode "http" needs the medical council URL');
  const http = createHttpRegistries({ ...options.http, ...(options.logger ? { logger: options.logger } : {}) });
  const guarded = withFaults(http, faultOptions);
  const medicalCouncil = createHttpMedicalCouncil({
    ...options.http,
    medicalCouncilUrl: options.http.medicalCouncilUrl,
    ...(options.logger ? { logger: options.logger } : {}),
    ...faultOptions,
  });
  return {
    medicalCouncil,
    mode: 'http',
    civilRegistry: guarded.civilRegistry,
    mobileOwnership: guarded.mobileOwnership,
    insuranceRecords: guarded.insuranceRecords,
    faults: guarded.faults,
    calls: guarded.calls,
    circuits: http.circuits,
    close: async () => {
      await http.close();
      await medicalCouncil.close();
    },
  };
}
