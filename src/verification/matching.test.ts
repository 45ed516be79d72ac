// Matching rules: folded names, exact birth date across calendars, certificate data, and
// the order in which outcomes are decided.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_DIFFERENT, POLICY_EQUAL } from '../identity/namesMatching.examples.js';
import type { CivilRecord } from '../registries/types.js';
import {
  compareWithCivilRecord,
  decide,
  registryBirthDateToGregorian,
  sameCertificateNumber,
  sameCertificateSerial,
  sameCertificateSeries,
  type ClaimedIdentity,
} from './matching.js';

const record: CivilRecord = {
  nationalCode: '3864391784',
  firstName: 'علي',
  lastName: 'كاظمی‌نژاد',
  birthDate: '1375-12-30',
  gender: 'male',
  birthCertificateNumber: '0048818593',
  birthCertificateSerial: '514429',
  birthCertificateSeries: 'ج/21',
  alive: true,
};
const claimed: ClaimedIdentity = {
  firstName: 'علی',
  lastName: 'کاظمی نژاد',
  birthDate: '1997-03-20',
  gender: 'male',
  birthCertificateNumber: '48818593',
  birthCertificateSerial: '514429',
  birthCertificateSeries: 'ج/21',
};
const found = { kind: 'found' as const, record };
const owned = { kind: 'match' as const, requiresBranchVisit: false };

test('registry Jalali birth dates convert exactly (leap day 1375-12-30 = 1997-03-20); invalid ones never match', () => {
  assert.equal(registryBirthDateToGregorian('1375-12-30'), '1997-03-20');
  assert.equal(registryBirthDateToGregorian('۱۳۷۰-۰۱-۱۵'), '1991-04-04');
  assert.equal(registryBirthDateToGregorian('1402-12-30'), null, '1402 is not a leap year');
  assert.equal(registryBirthDateToGregorian('1370/01/15'), null);
});

test('Arabic letters, ZWNJ vs space, leading zeros of the certificate number: a match', () => {
  assert.deepEqual(compareWithCivilRecord(claimed, record), []);
  assert.deepEqual(compareWithCivilRecord({ ...claimed, lastName: 'کاظمینژاد', birthCertificateSeries: '21 ج' }, record), []);
});

test('each differing field is named, and only those', () => {
  assert.deepEqual(compareWithCivilRecord({ ...claimed, birthDate: '1997-03-21' }, record), ['birthDate']);
  assert.deepEqual(compareWithCivilRecord({ ...claimed, firstName: 'علیرضا', gender: 'female' }, record), ['firstName', 'gender']);
  assert.deepEqual(
    compareWithCivilRecord({ ...claimed, birthCertificateNumber: '48818594', birthCertificateSerial: '514428', birthCertificateSeries: 'ج/22' }, record),
    ['birthCertificateNumber', 'birthCertificateSerial', 'birthCertificateSeries'],
  );
  assert.deepEqual(compareWithCivilRecord({ ...claimed, birthCertificateSeries: 'د/21' }, record), ['birthCertificateSeries']);
});

test('decision order: no record, deceased (before any comparison), details, mobile, then branch visit rules', () => {
  const input = { claimed, civil: found, ownership: owned, mobileProven: true, rules: ['mobile_not_proven' as const] };
  assert.deepEqual(decide(input), { outcome: 'active' });
  assert.deepEqual(decide({ ...input, civil: { kind: 'not_found' } }), { outcome: 'rejected', reason: 'not_in_civil_registry', fields: [] });
  assert.deepEqual(
    decide({ ...input, civil: { kind: 'found', record: { ...record, alive: false } }, claimed: { ...claimed, gender: 'female' } }),
    { outcome: 'rejected', reason: 'deceased', fields: [] },
  );
  assert.deepEqual(decide({ ...input, claimed: { ...claimed, gender: 'female' }, ownership: { kind: 'mismatch' } }), {
    outcome: 'rejected',
    reason: 'details_mismatch',
    fields: ['gender'],
  });
  assert.deepEqual(decide({ ...input, ownership: { kind: 'mismatch' } }), { outcome: 'rejected', reason: 'mobile_not_owned', fields: [] });
  assert.deepEqual(decide({ ...input, ownership: { kind: 'match', requiresBranchVisit: true } }), { outcome: 'awaiting_branch_visit', causes: ['ownership_service'] });
  assert.deepEqual(decide({ ...input, mobileProven: false }), { outcome: 'awaiting_branch_visit', causes: ['mobile_not_proven'] });
  assert.deepEqual(decide({ ...input, mobileProven: false, rules: [] }), { outcome: 'active' });
  assert.deepEqual(decide({ ...input, rules: ['always'] }), { outcome: 'awaiting_branch_visit', causes: ['always'] });
});

// The certificate examples of the policy (DOMAIN.md), one row each.
const SERIES_EQUAL: [string, string][] = [
  ['12/الف', 'الف/12'],
  ['الف/12', 'الف 12'],
  ['الف 12', 'الف۱۲'],
  ['12/الف', 'الف۱۲'],
  ['۱۲ الف', 'الف/12'],
  ['الف/05', 'الف/5'],
  ['5/الف', 'الف/05'],
  ['ج/21', '21 ج'],
];
const SERIES_DIFFERENT: [string, string][] = [
  ['الف/12', 'الف/21'],
  ['الف/12', 'ب/12'],
  ['الف/12', 'الف/1'],
  ['nonsense', 'nonsense'],
];

test('certificate series: number-first or letter-first, with or without «/», spaces or a leading zero', () => {
  for (const [a, b] of SERIES_EQUAL) {
    assert.equal(sameCertificateSeries(a, b), true, `${a} = ${b}`);
    assert.equal(sameCertificateSeries(b, a), true, `${b} = ${a}`);
  }
  for (const [a, b] of SERIES_DIFFERENT) assert.equal(sameCertificateSeries(a, b), false, `${a} ≠ ${b}`);
});

test('certificate number: compared without leading zeros; a different number is different', () => {
  assert.equal(sameCertificateNumber('0048818593', '48818593'), true);
  assert.equal(sameCertificateNumber('۰۰۴۸۸۱۸۵۹۳', '48818593'), true);
  assert.equal(sameCertificateNumber('48818593', '48818594'), false);
  assert.equal(sameCertificateNumber('4881859', '48818590'), false, 'trailing zeros count');
});

test('certificate serial: exactly (digits in any script), a leading zero counts', () => {
  assert.equal(sameCertificateSerial('514429', '۵۱۴۴۲۹'), true);
  assert.equal(sameCertificateSerial('014429', '14429'), false);
  assert.equal(sameCertificateSerial('514429', '514428'), false);
});

test('the name policy is what the comparison uses (honorific, listed spelling, «ة», «اله»)', () => {
  const r = { ...record, firstName: 'سید عبدالله', lastName: 'عزة' };
  assert.deepEqual(compareWithCivilRecord({ ...claimed, firstName: 'عبداله', lastName: 'عزت' }, r), []);
  assert.deepEqual(compareWithCivilRecord({ ...claimed, firstName: 'میر عبداله', lastName: 'عزه زاده' }, r), ['firstName', 'lastName']);
  assert.deepEqual(compareWithCivilRecord({ ...claimed, firstName: 'مصطفا' }, { ...record, firstName: 'مصطفى' }), []);
});

test('every name example of the policy, through the whole comparison: the right field, and only it', () => {
  for (const row of POLICY_EQUAL) {
    assert.deepEqual(compareWithCivilRecord({ ...claimed, [row.part]: row.a }, { ...record, [row.part]: row.b }), [], `${row.rule}: ${row.a} = ${row.b}`);
  }
  for (const row of POLICY_DIFFERENT) {
    assert.deepEqual(compareWithCivilRecord({ ...claimed, [row.part]: row.a }, { ...record, [row.part]: row.b }), [row.part], `${row.rule}: ${row.a} ≠ ${row.b}`);
  }
});
