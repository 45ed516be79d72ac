// Entry point of the registries capability: picks the simulated or the http adapters
// from configuration and re-exports the contracts. Other capabilities import from here.

import { fileURLToPath } from 'node:url';
import { withFaults, type RegistryCalls, type RegistryFaults } from './faults.js';
import { createHttpRegistries, type CircuitState, type HttpServiceOptions, type RegistryLogger } from './http.js';
import { createSimulatedRegistries } from './simulated.js';
import type { RegistryName, Registries } from './types.js';

export * from './types.js';
export { loadBranchesCsv, RegistryDataError, CSV_COLUMNS } from './csv.js';
export type { RegistryFault, RegistryFaults, RegistryCalls } from './faults.js';
export type { CircuitState, RegistryLogger, CircuitBreakerOptions } from './http.js';
export type { MobileOwnershipRow } from './fields.js';
export { maskIdentifier } from './fields.js';
export { createSimulatedRegistriesFromData, type SimulatedData } from './simulated.js';

const demo = (name: string): string => fileURLToPath(new URL(`../../demo/${name}`, import.meta.url));

/** Absolute paths of the demo files shipped in `demo/` (the defaults of the CSV settings). */
export const DEMO_CSV_PATHS = {
  civilRegistry: demo('civil-registry.csv'),
  mobileOwnership: demo('mobile-ownership.csv'),
  insuranceRecords: demo('insurance-records.csv'),
  branches: demo('branches.csv'),
} as const;

export type CreateRegistriesOptions = {
  mode: 'simulated' | 'http';
  /** Files of the simulated registries; default DEMO_CSV_PATHS. Unused in http mode. */
  csv?: { civilRegistry: string; mobileOwnership: string; insuranceRecords: string };
  /** Required in http mode. */
  http?: HttpServiceOptions & { civilRegistryUrl: string; mobileOwnershipUrl: string; insuranceRecordsUrl: string };
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
    options.logger?.info({ ...simulated.size }, 'simulated registries loaded');
    return {
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
  const http = createHttpRegistries({ ...options.http, ...(options.logger ? { logger: options.logger } : {}) });
  const guarded = withFaults(http, faultOptions);
  return {
    mode: 'http',
    civilRegistry: guarded.civilRegistry,
    mobileOwnership: guarded.mobileOwnership,
    insuranceRecords: guarded.insuranceRecords,
    faults: guarded.faults,
    calls: guarded.calls,
    circuits: http.circuits,
    close: http.close,
  };
}
