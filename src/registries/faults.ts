// Fault injection and call counting around any registry bundle, so tests (and a demo
// operator) can show "registry down, then up" without touching data. The switches are
// read on every call: flip them at run time.

import { unavailable, type RegistryName, type Registries } from './types.js';

/** `unavailable`: answers at once as down; `timeout`: waits `faultDelayMs`, then answers as timed out. */
export type RegistryFault = 'unavailable' | 'timeout' | null;

/** Mutable switches, one per registry; missing means "no fault". */
export type RegistryFaults = { [K in RegistryName | 'medicalCouncil']?: RegistryFault };

/** How many times each registry was asked (faulted calls included). */
export type RegistryCalls = Record<RegistryName, number>;

export type FaultControl = {
  faults: RegistryFaults;
  calls: RegistryCalls;
};

export function withFaults(
  inner: Registries,
  options: { faults?: RegistryFaults; faultDelayMs?: number } = {},
): Registries & FaultControl {
  // Keep the caller's object: flipping a switch on it takes effect on the next call.
  const faults = options.faults ?? {};
  const calls: RegistryCalls = { civilRegistry: 0, mobileOwnership: 0, insuranceRecords: 0 };
  const delay = options.faultDelayMs ?? 0;

  async function guard<T>(name: RegistryName, call: () => Promise<T>) {
    calls[name] += 1;
    const fault = faults[name] ?? null;
    if (fault === 'unavailable') return unavailable('simulated_outage');
    if (fault === 'timeout') {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return unavailable('timeout');
    }
    return call();
  }

  return {
    faults,
    calls,
    civilRegistry: { lookup: (nationalCode) => guard('civilRegistry', () => inner.civilRegistry.lookup(nationalCode)) },
    mobileOwnership: {
      check: (nationalCode, mobile) => guard('mobileOwnership', () => inner.mobileOwnership.check(nationalCode, mobile)),
    },
    insuranceRecords: { findByPerson: (id) => guard('insuranceRecords', () => inner.insuranceRecords.findByPerson(id)) },
  };
}
