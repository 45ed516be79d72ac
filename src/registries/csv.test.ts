// The CSV loader: the shipped demo files load and hold the situations testers need;
// a bad file stops the start with one error naming file, line and column; the demo
// files are exactly what the generator produces.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isValidNationalCode } from '../identity/nationalCode.js';
import {
  loadBranchesCsv,
  loadCivilRegistryCsv,
  loadInsuranceRecordsCsv,
  loadMobileOwnershipCsv,
  RegistryDataError,
} from './csv.js';
import type { MobileOwnershipRow } from './fields.js';
import { DEMO_CSV_PATHS } from './index.js';
import { INSURANCE_GROUPS, type Branch, type CivilRecord, type InsuranceRecord } from './types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('shipped demo files', () => {
  let civil: CivilRecord[];
  let ownership: MobileOwnershipRow[];
  let insurance: InsuranceRecord[];
  let branches: Branch[];
  const byCode = new Map<string, CivilRecord>();

  before(async () => {
    // Loading validates every row; a bad one would throw here.
    civil = await loadCivilRegistryCsv(DEMO_CSV_PATHS.civilRegistry);
    ownership = await loadMobileOwnershipCsv(DEMO_CSV_PATHS.mobileOwnership);
    insurance = await loadInsuranceRecordsCsv(DEMO_CSV_PATHS.insuranceRecords);
    branches = await loadBranchesCsv(DEMO_CSV_PATHS.branches);
    for (const record of civil) byCode.set(record.nationalCode, record);
  });

  it('have the expected sizes', () => {
    assert.ok(civil.length >= 60, `civil registry: ${civil.length}`);
    assert.ok(ownership.length >= 50, `mobile ownership: ${ownership.length}`);
    const insuredPeople = new Set(insurance.map((r) => r.nationalCode ?? r.foreignNationalId));
    assert.ok(insuredPeople.size >= 28 && insuredPeople.size <= 40, `insured people: ${insuredPeople.size}`);
    assert.ok(branches.length >= 25 && branches.length <= 40, `branches: ${branches.length}`);
  });

  it('use the exact headers of the public contract', async () => {
    const header = async (file: string) => (await readFile(file, 'utf8')).split('\n')[0];
    assert.equal(
      await header(DEMO_CSV_PATHS.civilRegistry),
      'nationalCode,firstName,lastName,birthDate,gender,birthCertificateNumber,birthCertificateSerial,birthCertificateSeries,alive',
    );
    assert.equal(await header(DEMO_CSV_PATHS.mobileOwnership), 'nationalCode,mobile,requiresBranchVisit');
    assert.equal(await header(DEMO_CSV_PATHS.insuranceRecords), 'nationalCode,foreignNationalId,insuranceNumber,branchCode,insuranceGroup');
    // The optional `nameEn` column after the fixed ones (API.md's header stays valid without it).
    assert.equal(await header(DEMO_CSV_PATHS.branches), 'code,name,province,city,nameEn');
  });

  it('civil records follow the certificate conventions', () => {
    for (const r of civil) {
      assert.ok(isValidNationalCode(r.nationalCode), r.nationalCode);
      const year = Number(r.birthDate.slice(0, 4));
      assert.ok((year >= 1310 && year <= 1385) || r.birthDate === '1399-12-30' || r.birthDate === '1403-12-30', r.birthDate);
      if (year >= 1368) assert.equal(r.birthCertificateNumber, r.nationalCode, `certificate of ${r.nationalCode}`);
      else assert.ok(r.birthCertificateNumber.length <= 6, `short certificate number for ${r.nationalCode}`);
      assert.match(r.birthCertificateSerial, /^\d{6}$/);
      assert.match(r.birthCertificateSeries, /^[\u0600-\u06FF]+\/\d{2}$/u);
    }
    assert.ok(civil.some((r) => r.gender === 'male') && civil.some((r) => r.gender === 'female'));
  });

  it('hold the tricky rows', () => {
    const names = civil.map((r) => `${r.firstName} ${r.lastName}`);
    assert.ok(names.some((n) => n.includes('\u064A')), 'an Arabic yeh ي');
    assert.ok(names.some((n) => n.includes('\u0643')), 'an Arabic kaf ك');
    for (const surname of ['حسین‌زاده', 'میر‌محمدی', 'نیک‌نام']) {
      assert.ok(civil.some((r) => r.lastName === surname), `ZWNJ surname ${surname}`);
    }
    assert.ok(civil.some((r) => r.firstName === 'محمد رضا'), 'compound first name with a space');
    assert.ok(civil.some((r) => r.birthDate === '1375-12-30'), 'leap day 1375-12-30');
    assert.ok(civil.some((r) => r.birthDate === '1399-12-30' || r.birthDate === '1403-12-30'), 'a recent leap day');
    assert.ok(civil.filter((r) => r.nationalCode.startsWith('00')).length >= 3, 'codes starting with 00');
    assert.ok(civil.some((r) => Number(r.birthDate.slice(0, 4)) < 1320), 'somebody born before 1320');
  });

  it('one deceased person, who still has a mobile', () => {
    const dead = civil.filter((r) => !r.alive);
    assert.equal(dead.length, 1);
    assert.ok(ownership.some((row) => row.nationalCode === dead[0]?.nationalCode));
  });

  it('mobile ownership: varied operators, branch visits, people without and with two numbers', () => {
    for (const prefix of ['0912', '0935', '0921', '0998', '0999']) {
      assert.ok(ownership.some((row) => row.mobile.startsWith(prefix)), `an operator prefix ${prefix}`);
    }
    assert.ok(ownership.filter((row) => row.requiresBranchVisit).length >= 3, 'several branch visits');
    const owners = new Map<string, number>();
    for (const row of ownership) owners.set(row.nationalCode, (owners.get(row.nationalCode) ?? 0) + 1);
    const withoutNumber = civil.filter((r) => !owners.has(r.nationalCode));
    assert.ok(withoutNumber.length >= 2 && withoutNumber.length <= 8, `people without a number: ${withoutNumber.length}`);
    assert.ok([...owners.values()].some((count) => count === 2), 'a person with two numbers');
    assert.ok([...owners.keys()].some((code) => !byCode.has(code)), 'a number whose owner is not in the civil registry');
  });

  it('insurance records: all groups, two-record people, foreign nationals, known branches and people', () => {
    const groups = new Set(insurance.map((r) => r.insuranceGroup));
    for (const group of INSURANCE_GROUPS) assert.ok(groups.has(group), `group ${group}`);
    const count = (g: string) => insurance.filter((r) => r.insuranceGroup === g).length;
    for (const common of ['self_employed', 'voluntary', 'compulsory']) assert.ok(count(common) >= 5, common);

    const foreign = insurance.filter((r) => r.foreignNationalId !== null);
    assert.equal(foreign.length, 4);
    for (const r of foreign) {
      assert.match(r.foreignNationalId ?? '', /^\d{12}$/);
      assert.equal(r.nationalCode, null);
    }
    const perPerson = new Map<string, number>();
    for (const r of insurance) perPerson.set(r.nationalCode ?? '', (perPerson.get(r.nationalCode ?? '') ?? 0) + 1);
    assert.ok([...perPerson.entries()].filter(([code, n]) => code !== '' && n === 2).length >= 2, 'people with two records');

    const branchCodes = new Set(branches.map((b) => b.code));
    for (const r of insurance) {
      assert.match(r.insuranceNumber, /^\d{10}$/);
      assert.ok(branchCodes.has(r.branchCode), `branch ${r.branchCode} exists`);
      if (r.nationalCode !== null) assert.ok(byCode.has(r.nationalCode), 'insured citizens are in the civil registry');
    }
  });

  it('branches: 3-digit codes, «شعبه N city - district» names, several provinces', () => {
    for (const b of branches) {
      assert.match(b.code, /^\d{3}$/);
      assert.match(b.name, /^شعبه [۰-۹]+ .+ - .+$/u);
    }
    assert.ok(new Set(branches.map((b) => b.province)).size >= 10);
  });
});

describe('malformed files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dargah-csv-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const CIVIL_HEADER =
    'nationalCode,firstName,lastName,birthDate,gender,birthCertificateNumber,birthCertificateSerial,birthCertificateSeries,alive';
  const GOOD = '0014789663,علی,رضایی,1362-04-18,male,37042,983341,ج/50,true';

  async function file(name: string, content: string): Promise<string> {
    const full = path.join(dir, name);
    await writeFile(full, content, 'utf8');
    return full;
  }

  async function loadError(load: (f: string) => Promise<unknown>, f: string): Promise<RegistryDataError> {
    try {
      await load(f);
    } catch (error) {
      assert.ok(error instanceof RegistryDataError, String(error));
      return error;
    }
    assert.fail('the file loaded although it is malformed');
  }

  it('a bad national code names the file, the line and the column', async () => {
    const f = await file('bad-code.csv', `${CIVIL_HEADER}\n${GOOD}\n0014789664,علی,رضایی,1362-04-18,male,37042,983341,ج/50,true\n`);
    const error = await loadError(loadCivilRegistryCsv, f);
    assert.equal(error.line, 3);
    assert.deepEqual(error.column, { index: 1, name: 'nationalCode' });
    assert.match(error.message, new RegExp(`^Invalid registry data in ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, line 3, column 1 \\(nationalCode\\): `));
    assert.match(error.message, /not a valid national code/);
    // Even in an error, an identifier is masked.
    assert.ok(!error.message.includes('0014789664'));
  });

  it('a bad date, gender, series, serial or flag names its column', async () => {
    const cases: Array<[string, number, string]> = [
      ['0014789663,علی,رضایی,1364-12-30,male,37042,983341,ج/50,true', 4, 'birthDate'], // 1364 is not leap
      ['0014789663,علی,رضایی,1362-04-18,man,37042,983341,ج/50,true', 5, 'gender'],
      ['0014789663,علی,رضایی,1362-04-18,male,37042,98334,ج/50,true', 7, 'birthCertificateSerial'],
      ['0014789663,علی,رضایی,1362-04-18,male,37042,983341,X/50,true', 8, 'birthCertificateSeries'],
      ['0014789663,علی,رضایی,1362-04-18,male,37042,983341,ج/50,yes', 9, 'alive'],
      ['0014789663,,رضایی,1362-04-18,male,37042,983341,ج/50,true', 2, 'firstName'],
      ['0014789663,علی,Rez@yi,1362-04-18,male,37042,983341,ج/50,true', 3, 'lastName'],
    ];
    for (const [index, [row, column, name]] of cases.entries()) {
      const error = await loadError(loadCivilRegistryCsv, await file(`bad-${index}.csv`, `${CIVIL_HEADER}\n${row}\n`));
      assert.equal(error.line, 2, row);
      assert.deepEqual(error.column, { index: column, name }, row);
    }
  });

  it('a wrong header, a missing column or a wrong field count is reported', async () => {
    const wrong = await loadError(loadCivilRegistryCsv, await file('h1.csv', `${CIVIL_HEADER.replace('firstName', 'firstname')}\n${GOOD}\n`));
    assert.equal(wrong.line, 1);
    assert.deepEqual(wrong.column, { index: 2, name: 'firstname' });
    assert.match(wrong.message, /unknown column/);

    const missing = await loadError(loadMobileOwnershipCsv, await file('h2.csv', 'nationalCode,mobile\n0014789663,09121234567\n'));
    assert.equal(missing.line, 1);
    assert.match(missing.message, /missing column\(s\) requiresBranchVisit/);

    const fields = await loadError(loadMobileOwnershipCsv, await file('h3.csv', 'nationalCode,mobile,requiresBranchVisit\n0014789663,09121234567,false\n\n0014789663,09121234568\n'));
    assert.equal(fields.line, 4);
    assert.match(fields.message, /expected 3 fields, found 2/);
  });

  it('an unclosed quote, an empty or a missing file is reported with the file name', async () => {
    const quote = await loadError(loadBranchesCsv, await file('q.csv', 'code,name,province,city\n112,"شعبه ۱۲,تهران,تهران\n'));
    assert.match(quote.message, /q\.csv/);
    assert.ok(quote.line !== null);

    const empty = await loadError(loadBranchesCsv, await file('empty.csv', ''));
    assert.match(empty.message, /empty/);

    const absent = await loadError(loadBranchesCsv, path.join(dir, 'absent.csv'));
    assert.match(absent.message, /absent\.csv.*cannot read the file \(ENOENT\)/);
  });

  it('duplicates name both lines', async () => {
    const civil = await loadError(loadCivilRegistryCsv, await file('dup.csv', `${CIVIL_HEADER}\n${GOOD}\n${GOOD}\n`));
    assert.equal(civil.line, 3);
    assert.match(civil.message, /already appears on line 2/);

    const mobile = await loadError(
      loadMobileOwnershipCsv,
      await file('dup-mobile.csv', 'nationalCode,mobile,requiresBranchVisit\n0014789663,09121234567,false\n1282871242,09121234567,false\n'),
    );
    assert.deepEqual(mobile.column, { index: 2, name: 'mobile' });
  });

  it('insurance rows need exactly one identifier and a known group', async () => {
    const header = 'nationalCode,foreignNationalId,insuranceNumber,branchCode,insuranceGroup\n';
    const both = await loadError(loadInsuranceRecordsCsv, await file('i1.csv', `${header}0014789663,445328824738,1458620412,112,voluntary\n`));
    assert.match(both.message, /exactly one of nationalCode and foreignNationalId/);
    const neither = await loadError(loadInsuranceRecordsCsv, await file('i2.csv', `${header},,1458620412,112,voluntary\n`));
    assert.match(neither.message, /exactly one/);
    const group = await loadError(loadInsuranceRecordsCsv, await file('i3.csv', `${header}0014789663,,1458620412,112,pilots\n`));
    assert.deepEqual(group.column, { index: 5, name: 'insuranceGroup' });
    const foreign = await loadError(loadInsuranceRecordsCsv, await file('i4.csv', `${header},44532882473,1458620412,112,voluntary\n`));
    assert.deepEqual(foreign.column, { index: 2, name: 'foreignNationalId' });
  });

  it('tolerates a BOM, CRLF, reordered columns and Persian digits; normalises them', async () => {
    const f = await file(
      'friendly.csv',
      '\uFEFFmobile,requiresBranchVisit,nationalCode\r\n۰۹۱۲۱۲۳۴۵۶۷,true,۰۰۱۴۷۸۹۶۶۳\r\n+989121234568,false,0014789663\r\n',
    );
    assert.deepEqual(await loadMobileOwnershipCsv(f), [
      { nationalCode: '0014789663', mobile: '09121234567', requiresBranchVisit: true },
      { nationalCode: '0014789663', mobile: '09121234568', requiresBranchVisit: false },
    ]);
    const insurance = await file('short-number.csv', 'nationalCode,foreignNationalId,insuranceNumber,branchCode,insuranceGroup\n0014789663,,۹۳۹۱۶۹,112,self_employed\n');
    assert.equal((await loadInsuranceRecordsCsv(insurance))[0]?.insuranceNumber, '0000939169');
  });

  it('keeps the registry spelling of names (Arabic letters, ZWNJ) but canonicalises the series', async () => {
    const f = await file('names.csv', `${CIVIL_HEADER}\n0014789663,  علي ,كاظمی‌نژاد,1362/4/18,male,37042,983341,ج - 5,true\n`);
    const [record] = await loadCivilRegistryCsv(f);
    assert.equal(record?.firstName, 'علي');
    assert.equal(record?.lastName, 'كاظمی‌نژاد');
    assert.equal(record?.birthDate, '1362-04-18');
    assert.equal(record?.birthCertificateSeries, 'ج/05');
  });
});

describe('demo data generator', () => {
  it('is deterministic: a fresh run equals the committed files', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'dargah-demo-'));
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/generate-demo-data.ts', '--out', out], { cwd: ROOT });
      for (const name of ['civil-registry.csv', 'mobile-ownership.csv', 'insurance-records.csv', 'branches.csv', 'medical-council.csv', 'PEOPLE.md']) {
        const fresh = await readFile(path.join(out, name), 'utf8');
        const committed = await readFile(path.join(ROOT, 'demo', name), 'utf8');
        assert.equal(fresh, committed, `demo/${name} differs from a fresh run: run scripts/generate-demo-data.ts`);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
