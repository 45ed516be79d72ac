// Tests of the doctor decision: each reason, its order, name folding and the licence's last day.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MedicalCouncilRecord } from '../registries/types.js';
import { decideDoctor, jalaliToday } from './doctors.rules.js';

const RECORD: MedicalCouncilRecord = {
  medicalCouncilNumber: '141751',
  nationalCode: '3864391784',
  firstName: 'علي',
  lastName: 'كاظمی',
  specialty: 'قلب و عروق',
  licenceValidUntil: '1405-06-31',
};
const claimed = { nationalCode: '3864391784', firstName: 'علی', lastName: 'کاظمی' };
const found = (r: Partial<MedicalCouncilRecord> = {}) => ({ kind: 'found' as const, record: { ...RECORD, ...r } });

describe('decideDoctor', () => {
  it('verifies a match (Arabic and Persian letters are the same name)', () => {
    assert.deepEqual(decideDoctor({ claimed, registry: found(), today: '1404-01-01' }), { outcome: 'verified', specialty: 'قلب و عروق', licenceValidUntil: '1405-06-31' });
  });
  it('still verifies on the licence\'s last day, not the day after', () => {
    assert.equal(decideDoctor({ claimed, registry: found(), today: '1405-06-31' }).outcome, 'verified');
    assert.deepEqual(decideDoctor({ claimed, registry: found(), today: '1405-07-01' }), { outcome: 'rejected', reason: 'licence_expired' });
  });
  it('follows the name policy of identity proofing: «سید» on one side, عبداله = عبدالله; one letter more is another name', () => {
    const r = found({ firstName: 'سید عبدالله', lastName: 'کاظمی' });
    assert.equal(decideDoctor({ claimed: { ...claimed, firstName: 'عبداله' }, registry: r, today: '1404-01-01' }).outcome, 'verified');
    assert.deepEqual(decideDoctor({ claimed: { ...claimed, lastName: 'کاظمیان' }, registry: found(), today: '1404-01-01' }), { outcome: 'rejected', reason: 'name_mismatch' });
  });
  it('ignores spaces and ZWNJ in names', () => {
    const r = found({ firstName: 'محمد رضا', lastName: 'نیک‌نام' });
    assert.equal(decideDoctor({ claimed: { ...claimed, firstName: 'محمدرضا', lastName: 'نیک نام' }, registry: r, today: '1404-01-01' }).outcome, 'verified');
  });
  it('refuses in order: not found, another national code, another name, expired licence', () => {
    assert.deepEqual(decideDoctor({ claimed, registry: { kind: 'not_found' }, today: '1404-01-01' }), { outcome: 'rejected', reason: 'not_in_registry' });
    assert.deepEqual(
      decideDoctor({ claimed, registry: found({ nationalCode: '0014789663', lastName: 'رضایی', licenceValidUntil: '1400-01-01' }), today: '1404-01-01' }),
      { outcome: 'rejected', reason: 'national_code_mismatch' },
    );
    assert.deepEqual(decideDoctor({ claimed, registry: found({ lastName: 'کاظمی‌نژاد', licenceValidUntil: '1400-01-01' }), today: '1404-01-01' }), {
      outcome: 'rejected',
      reason: 'name_mismatch',
    });
    assert.deepEqual(decideDoctor({ claimed: { ...claimed, firstName: null }, registry: found(), today: '1404-01-01' }), { outcome: 'rejected', reason: 'name_mismatch' });
  });
  it('reads today in Tehran', () => {
    // 20:31 UTC on 20 March 2025 is already 1 Farvardin 1404 in Tehran (+03:30).
    assert.equal(jalaliToday(new Date('2025-03-20T20:31:00Z')), '1404-01-01');
    assert.equal(jalaliToday(new Date('2025-03-20T20:29:00Z')), '1403-12-30');
  });
});
