// The simulated registries over the shipped demo people: answers, fault switches flipped
// at run time ("registry down, then up"), call counters, and isolation of the store.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { createRegistries, createSimulatedRegistriesFromData, DEMO_CSV_PATHS, type RegistriesHandle } from './index.js';
import type { CivilRecord } from './types.js';

/** The demo people this suite relies on, read from the shipped files by what is special about them. */
async function demoPeople() {
  const rows = async (file: string) =>
    (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
  const civil = await rows(DEMO_CSV_PATHS.civilRegistry);
  const mobiles = await rows(DEMO_CSV_PATHS.mobileOwnership);
  const insurance = await rows(DEMO_CSV_PATHS.insuranceRecords);
  const code = (predicate: (row: string[]) => boolean) => civil.find(predicate)?.[0] ?? assert.fail('demo person missing');
  const activates = code((r) => r[1] === 'علی' && r[2] === 'رضایی');
  return {
    activates,
    activatesMobile: mobiles.find((m) => m[0] === activates)?.[1] ?? assert.fail(),
    branchVisit: mobiles.find((m) => m[2] === 'true') ?? assert.fail(),
    arabicLetters: code((r) => r[1] === 'علي'),
    deceased: code((r) => r[8] === 'false'),
    noMobile: code((r) => r[1] === 'رضا' && r[2] === 'صادقی'),
    insuredTwice: insurance.find((r, i) => r[0] !== '' && insurance.findIndex((s) => s[0] === r[0]) !== i)?.[0] ?? assert.fail(),
    foreign: insurance.find((r) => r[1] !== '')?.[1] ?? assert.fail(),
  };
}

describe('simulated registries over the demo people', () => {
  let registries: RegistriesHandle;
  let people: Awaited<ReturnType<typeof demoPeople>>;
  before(async () => {
    registries = await createRegistries({ mode: 'simulated' });
    people = await demoPeople();
  });

  it('civil registry: found (any digit script) and not_found', async () => {
    const found = await registries.civilRegistry.lookup(people.activates);
    assert.equal(found.kind, 'found');
    assert.equal(found.kind === 'found' && found.record.firstName, 'علی');
    const persian = people.activates.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    assert.deepEqual(await registries.civilRegistry.lookup(persian), found);
    assert.deepEqual(await registries.civilRegistry.lookup('0499370899'), { kind: 'not_found' });
    assert.deepEqual(await registries.civilRegistry.lookup('not a code'), { kind: 'not_found' });
  });

  it('civil registry keeps the Arabic-letter spelling and the deceased flag', async () => {
    const arabic = await registries.civilRegistry.lookup(people.arabicLetters);
    assert.equal(arabic.kind === 'found' && arabic.record.firstName, 'علي');
    const dead = await registries.civilRegistry.lookup(people.deceased);
    assert.equal(dead.kind === 'found' && dead.record.alive, false);
  });

  it('mobile ownership: match, match needing a branch visit, mismatch', async () => {
    assert.deepEqual(await registries.mobileOwnership.check(people.activates, people.activatesMobile), { kind: 'match', requiresBranchVisit: false });
    // Any accepted spelling of the number.
    assert.deepEqual(await registries.mobileOwnership.check(people.activates, `+98${people.activatesMobile.slice(1)}`), {
      kind: 'match',
      requiresBranchVisit: false,
    });
    const [code, mobile] = people.branchVisit as [string, string];
    assert.deepEqual(await registries.mobileOwnership.check(code, mobile), { kind: 'match', requiresBranchVisit: true });
    assert.deepEqual(await registries.mobileOwnership.check(people.noMobile, people.activatesMobile), { kind: 'mismatch' });
    assert.deepEqual(await registries.mobileOwnership.check(people.activates, 'garbage'), { kind: 'mismatch' });
  });

  it('insurance records: two records, a foreign national, nobody', async () => {
    const twice = await registries.insuranceRecords.findByPerson({ nationalCode: people.insuredTwice });
    assert.equal(twice.kind === 'found' && twice.records.length, 2);
    const foreign = await registries.insuranceRecords.findByPerson({ foreignNationalId: people.foreign });
    assert.equal(foreign.kind === 'found' && foreign.records[0]?.nationalCode, null);
    assert.deepEqual(await registries.insuranceRecords.findByPerson({ nationalCode: people.noMobile }), { kind: 'not_found' });
  });

  it('answers are copies: a caller cannot change the registry', async () => {
    const first = await registries.civilRegistry.lookup(people.activates);
    if (first.kind === 'found') first.record.firstName = 'changed';
    const second = await registries.civilRegistry.lookup(people.activates);
    assert.equal(second.kind === 'found' && second.record.firstName, 'علی');
  });
});

describe('fault injection', () => {
  it('registry down, then up: flipping the switch at run time; calls are counted', async () => {
    const faults = { civilRegistry: null, mobileOwnership: null, insuranceRecords: null } as {
      civilRegistry: 'unavailable' | 'timeout' | null;
      mobileOwnership: 'unavailable' | 'timeout' | null;
      insuranceRecords: 'unavailable' | 'timeout' | null;
    };
    const registries = await createRegistries({ mode: 'simulated', csv: DEMO_CSV_PATHS, faults, faultDelayMs: 5 });
    const { activates, activatesMobile } = await demoPeople();
    assert.equal(registries.faults, faults, 'the caller keeps the switches');

    assert.equal((await registries.civilRegistry.lookup(activates)).kind, 'found');
    faults.civilRegistry = 'unavailable';
    assert.deepEqual(await registries.civilRegistry.lookup(activates), { kind: 'unavailable', reason: 'simulated_outage' });
    faults.civilRegistry = 'timeout';
    assert.deepEqual(await registries.civilRegistry.lookup(activates), { kind: 'unavailable', reason: 'timeout' });
    faults.civilRegistry = null;
    assert.equal((await registries.civilRegistry.lookup(activates)).kind, 'found');
    assert.equal(registries.calls.civilRegistry, 4);

    // One registry's fault leaves the others answering.
    registries.faults.mobileOwnership = 'unavailable';
    assert.deepEqual(await registries.mobileOwnership.check(activates, activatesMobile), { kind: 'unavailable', reason: 'simulated_outage' });
    assert.equal((await registries.insuranceRecords.findByPerson({ nationalCode: activates })).kind, 'not_found');
    registries.faults.mobileOwnership = null;
    assert.equal((await registries.mobileOwnership.check(activates, activatesMobile)).kind, 'match');
    assert.deepEqual(registries.calls, { civilRegistry: 4, mobileOwnership: 2, insuranceRecords: 1 });
  });

  it('in-memory data for tests that bring their own people', async () => {
    const person: CivilRecord = {
      nationalCode: '0014789663',
      firstName: 'علی',
      lastName: 'رضایی',
      birthDate: '1362-04-18',
      gender: 'male',
      birthCertificateNumber: '37042',
      birthCertificateSerial: '983341',
      birthCertificateSeries: 'ج/50',
      alive: true,
    };
    const registries = createSimulatedRegistriesFromData(
      {
        civilRecords: [person],
        mobileOwnership: [{ nationalCode: person.nationalCode, mobile: '09121234567', requiresBranchVisit: true }],
        insuranceRecords: [],
      },
      { faults: { insuranceRecords: 'unavailable' } },
    );
    assert.deepEqual(await registries.civilRegistry.lookup(person.nationalCode), { kind: 'found', record: person });
    assert.deepEqual(await registries.mobileOwnership.check(person.nationalCode, '09121234567'), { kind: 'match', requiresBranchVisit: true });
    assert.equal((await registries.insuranceRecords.findByPerson({ nationalCode: person.nationalCode })).kind, 'unavailable');
    assert.deepEqual(registries.size, { civilRecords: 1, mobileOwnership: 1, insuranceRecords: 0 });
  });
});
