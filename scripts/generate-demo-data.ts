// Generates the demo data of the simulated government registries: demo/civil-registry.csv,
// demo/mobile-ownership.csv, demo/insurance-records.csv, demo/branches.csv,
// demo/medical-council.csv (doctors, who are demo people too) and the guide
// demo/PEOPLE.md. Deterministic — a seeded PRNG and no clock — so running it again
// rewrites identical files (a test checks that the committed files equal a fresh run).
//
//   node --import tsx scripts/generate-demo-data.ts [--out DIR]     (default: demo/)
//
// A handful of NOTABLE people are written by hand, one per situation worth trying
// (activation, branch visit, tricky spellings, deceased, no mobile match, insured,
// foreign national); the crowd around them is drawn from name lists with the PRNG.
// Everything except the deliberately tricky spellings is written as a person would
// type it in the registration form.

import { mkdir, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { toPersianDigits } from '../src/identity/digits.js';
import { nationalCodeWithCheckDigit } from '../src/identity/nationalCode.js';
import type { Gender, InsuranceGroup } from '../src/registries/types.js';

// ---------------------------------------------------------------- seeded PRNG

/** mulberry32: tiny, fast, good enough for demo data, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = {
  int(min: number, max: number): number; // inclusive
  pick<T>(items: readonly T[]): T;
  digits(count: number): string;
};

function rng(seed: number): Rng {
  const next = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    digits: (count) => Array.from({ length: count }, () => String(int(0, 9))).join(''),
  };
}

const SEED = 1403_12_30;

// ---------------------------------------------------------------- reference lists

/** Branches of the organization (demo): code, number in the branch's name, city, district, province. */
const BRANCHES: ReadonlyArray<{ code: string; no: number; city: string; district: string; province: string }> = [
  { code: '112', no: 12, city: 'تهران', district: 'شهید بهشتی', province: 'تهران' },
  { code: '104', no: 4, city: 'تهران', district: 'نارمک', province: 'تهران' },
  { code: '117', no: 17, city: 'تهران', district: 'شهرری', province: 'تهران' },
  { code: '121', no: 21, city: 'تهران', district: 'تجریش', province: 'تهران' },
  { code: '126', no: 26, city: 'تهران', district: 'جنت‌آباد', province: 'تهران' },
  { code: '131', no: 31, city: 'تهران', district: 'پیروزی', province: 'تهران' },
  { code: '141', no: 1, city: 'اسلامشهر', district: 'مرکزی', province: 'تهران' },
  { code: '201', no: 1, city: 'کرج', district: 'گوهردشت', province: 'البرز' },
  { code: '202', no: 2, city: 'کرج', district: 'مهرشهر', province: 'البرز' },
  { code: '301', no: 1, city: 'اصفهان', district: 'چهارباغ', province: 'اصفهان' },
  { code: '303', no: 3, city: 'اصفهان', district: 'خانه اصفهان', province: 'اصفهان' },
  { code: '311', no: 1, city: 'کاشان', district: 'مرکزی', province: 'اصفهان' },
  { code: '401', no: 1, city: 'مشهد', district: 'احمدآباد', province: 'خراسان رضوی' },
  { code: '404', no: 4, city: 'مشهد', district: 'طرقبه', province: 'خراسان رضوی' },
  { code: '501', no: 1, city: 'تبریز', district: 'ولیعصر', province: 'آذربایجان شرقی' },
  { code: '503', no: 3, city: 'تبریز', district: 'آبرسان', province: 'آذربایجان شرقی' },
  { code: '521', no: 1, city: 'ارومیه', district: 'مرکزی', province: 'آذربایجان غربی' },
  { code: '601', no: 1, city: 'شیراز', district: 'معالی‌آباد', province: 'فارس' },
  { code: '602', no: 2, city: 'شیراز', district: 'زرهی', province: 'فارس' },
  { code: '651', no: 1, city: 'بوشهر', district: 'مرکزی', province: 'بوشهر' },
  { code: '701', no: 1, city: 'اهواز', district: 'کیانپارس', province: 'خوزستان' },
  { code: '711', no: 1, city: 'آبادان', district: 'مرکزی', province: 'خوزستان' },
  { code: '751', no: 1, city: 'کرمانشاه', district: 'مرکزی', province: 'کرمانشاه' },
  { code: '801', no: 1, city: 'رشت', district: 'گلسار', province: 'گیلان' },
  { code: '811', no: 1, city: 'ساری', district: 'مرکزی', province: 'مازندران' },
  { code: '821', no: 1, city: 'گرگان', district: 'مرکزی', province: 'گلستان' },
  { code: '851', no: 1, city: 'قم', district: 'مرکزی', province: 'قم' },
  { code: '861', no: 1, city: 'یزد', district: 'مرکزی', province: 'یزد' },
  { code: '871', no: 1, city: 'کرمان', district: 'مرکزی', province: 'کرمان' },
  { code: '901', no: 1, city: 'زاهدان', district: 'مرکزی', province: 'سیستان و بلوچستان' },
  { code: '921', no: 1, city: 'همدان', district: 'مرکزی', province: 'همدان' },
  { code: '931', no: 1, city: 'سنندج', district: 'مرکزی', province: 'کردستان' },
];

/** English names of the demo branches (the optional `nameEn` column of BRANCHES_CSV). */
const BRANCH_NAMES_EN: Readonly<Record<string, string>> = {
  '112': 'Branch 12 Tehran - Shahid Beheshti',
  '104': 'Branch 4 Tehran - Narmak',
  '117': 'Branch 17 Tehran - Shahr-e Rey',
  '121': 'Branch 21 Tehran - Tajrish',
  '126': 'Branch 26 Tehran - Jannatabad',
  '131': 'Branch 31 Tehran - Piroozi',
  '141': 'Branch 1 Eslamshahr - Central',
  '201': 'Branch 1 Karaj - Gohardasht',
  '202': 'Branch 2 Karaj - Mehrshahr',
  '301': 'Branch 1 Isfahan - Chaharbagh',
  '303': 'Branch 3 Isfahan - Khaneh Isfahan',
  '311': 'Branch 1 Kashan - Central',
  '401': 'Branch 1 Mashhad - Ahmadabad',
  '404': 'Branch 4 Mashhad - Torghabeh',
  '501': 'Branch 1 Tabriz - Valiasr',
  '503': 'Branch 3 Tabriz - Abresan',
  '521': 'Branch 1 Urmia - Central',
  '601': 'Branch 1 Shiraz - Maaliabad',
  '602': 'Branch 2 Shiraz - Zerehi',
  '651': 'Branch 1 Bushehr - Central',
  '701': 'Branch 1 Ahvaz - Kianpars',
  '711': 'Branch 1 Abadan - Central',
  '751': 'Branch 1 Kermanshah - Central',
  '801': 'Branch 1 Rasht - Golsar',
  '811': 'Branch 1 Sari - Central',
  '821': 'Branch 1 Gorgan - Central',
  '851': 'Branch 1 Qom - Central',
  '861': 'Branch 1 Yazd - Central',
  '871': 'Branch 1 Kerman - Central',
  '901': 'Branch 1 Zahedan - Central',
  '921': 'Branch 1 Hamedan - Central',
  '931': 'Branch 1 Sanandaj - Central',
};

const branchName = (b: (typeof BRANCHES)[number]) => `شعبه ${toPersianDigits(String(b.no))} ${b.city} - ${b.district}`;

const MALE_FIRST_NAMES = [
  'محمد', 'علی', 'حسین', 'رضا', 'مهدی', 'امیر', 'حسن', 'مصطفی', 'سعید', 'مجید', 'احمد', 'جواد',
  'حمید', 'محسن', 'مرتضی', 'بهروز', 'فرهاد', 'کامران', 'داریوش', 'آرش', 'بابک', 'پویا', 'سینا',
  'کیوان', 'یوسف', 'ابراهیم', 'اکبر', 'منصور', 'ناصر', 'هادی',
] as const;
const FEMALE_FIRST_NAMES = [
  'فاطمه', 'زهرا', 'مریم', 'معصومه', 'زینب', 'سارا', 'نرگس', 'لیلا', 'مهسا', 'الهام', 'شیرین',
  'پریسا', 'نازنین', 'سمیه', 'طاهره', 'آزاده', 'فرشته', 'مینا', 'نسرین', 'رویا', 'شهلا', 'پروین',
  'سیما', 'منیژه', 'هانیه', 'کبری', 'اعظم', 'نیلوفر',
] as const;
const LAST_NAMES = [
  'محمدی', 'حسینی', 'احمدی', 'رضایی', 'موسوی', 'کریمی', 'جعفری', 'صادقی', 'رحیمی', 'قاسمی',
  'هاشمی', 'نوری', 'ابراهیمی', 'اکبری', 'سلطانی', 'عباسی', 'طاهری', 'فراهانی', 'شریفی', 'مرادی',
  'یزدانی', 'توکلی', 'بهرامی', 'نجفی', 'زمانی', 'امینی', 'خسروی', 'رستمی', 'کاظمی', 'حیدری',
  'جلالی', 'سبحانی', 'اصفهانی', 'تبریزی', 'شیرازی', 'فرجی', 'قربانی', 'عسگری', 'باقری', 'ملکی',
] as const;

/** District prefixes (first three digits) for the crowd; `008` gives a few more codes starting with 00. */
const CODE_PREFIXES = ['008', '044', '063', '128', '129', '227', '274', '292', '342', '386', '409', '463', '519', '579', '608', '637', '664', '736', '754', '784', '866', '934'] as const;

/** Valid codes quoted in DOMAIN.md: other tests use them as "valid but unknown", so no demo person may have one. */
const RESERVED_CODES = new Set([
  '0499370899', '0790419904', '1583250689', '0684159414', '4400276201', '2540201288',
  '0084575948', '0963695398', '0067749828', '7400076205', '7340416501',
]);

const OPERATOR_PREFIXES = {
  mci: ['0912', '0913', '0919', '0991', '0915'],
  irancell: ['0935', '0936', '0901', '0939', '0930'],
  rightel: ['0921', '0922'],
  shatel: ['0998'],
  aptel: ['0999'],
} as const;
type Operator = keyof typeof OPERATOR_PREFIXES;

const SERIES_LETTERS = ['الف', 'ب', 'ج', 'د'] as const;

// ---------------------------------------------------------------- people

type PersonSpec = {
  /** Handle used in PEOPLE.md. */
  firstName: string;
  lastName: string;
  gender: Gender;
  birthDate: string;
  alive?: boolean;
  /** District prefix of the national code (`00x` for codes starting with 00). */
  prefix?: string;
  /** Mobiles the person owns; `[]` = no ownership row at all. */
  mobiles: ReadonlyArray<{ operator: Operator; requiresBranchVisit?: boolean }>;
  insurance?: ReadonlyArray<{ group: InsuranceGroup; branch: string }>;
  /** Only in the mobile-ownership file, not in the civil registry. */
  notInCivilRegistry?: boolean;
  /** What trying this person shows (PEOPLE.md). Absent for the crowd. */
  story?: string;
};

/**
 * The people worth trying, in the order PEOPLE.md lists them. The registry spells the
 * names exactly as written here — including the Arabic letters and ZWNJs on purpose.
 */
const NOTABLE: readonly PersonSpec[] = [
  {
    firstName: 'علی', lastName: 'رضایی', gender: 'male', birthDate: '1362-04-18', prefix: '001',
    mobiles: [{ operator: 'mci' }],
    story: 'Registers and is activated (SMS "your account is active"). National code starts with 00.',
  },
  {
    firstName: 'مریم', lastName: 'احمدی', gender: 'female', birthDate: '1370-07-02', prefix: '128',
    mobiles: [{ operator: 'irancell' }],
    story: 'Registers and is activated; born after 1368, so the certificate number is the national code.',
  },
  {
    firstName: 'حسن', lastName: 'موسوی', gender: 'male', birthDate: '1345-11-09', prefix: '063',
    mobiles: [{ operator: 'mci', requiresBranchVisit: true }],
    story: 'Identity matches but the ownership service asks for a branch visit: ends in awaiting_branch_visit.',
  },
  {
    firstName: 'زهرا', lastName: 'کریمی', gender: 'female', birthDate: '1358-02-25', prefix: '274',
    mobiles: [{ operator: 'rightel', requiresBranchVisit: true }],
    story: 'Branch visit needed (Rightel number).',
  },
  {
    firstName: 'علي', lastName: 'كاظمی', gender: 'male', birthDate: '1366-09-30', prefix: '386',
    mobiles: [{ operator: 'shatel' }],
    story: 'Registry spells the name with Arabic letters (علي كاظمی: Arabic yeh and kaf). Typing «علی کاظمی» must still match → activated.',
  },
  {
    firstName: 'فاطمه', lastName: 'حسین‌زاده', gender: 'female', birthDate: '1375-12-30', prefix: '004',
    mobiles: [{ operator: 'aptel' }],
    story: 'Surname with ZWNJ (حسین‌زاده); typing «حسین زاده» or «حسینزاده» must match. Born on leap day 1375-12-30. Aptel number.',
  },
  {
    firstName: 'محمد رضا', lastName: 'نیک‌نام', gender: 'male', birthDate: '1349-03-14', prefix: '519',
    mobiles: [{ operator: 'mci' }],
    story: 'Compound first name with a space (محمد رضا) and ZWNJ surname (نیک‌نام); «محمدرضا» / «نیک نام» must match.',
  },
  {
    firstName: 'نرگس', lastName: 'میر‌محمدی', gender: 'female', birthDate: '1380-01-05', prefix: '608',
    mobiles: [{ operator: 'irancell', requiresBranchVisit: true }],
    story: 'ZWNJ surname (میر‌محمدی) and a branch visit required.',
  },
  {
    firstName: 'عباس', lastName: 'قاسمی', gender: 'male', birthDate: '1318-05-12', prefix: '342', alive: false,
    mobiles: [{ operator: 'mci' }],
    story: 'Deceased (alive=false) although his number still matches: step 1 passes, verification must refuse.',
  },
  {
    firstName: 'رضا', lastName: 'صادقی', gender: 'male', birthDate: '1360-10-20', prefix: '409',
    mobiles: [],
    story: 'No mobile belongs to him: registration is refused at step 1 whatever number is typed.',
  },
  {
    firstName: 'سارا', lastName: 'جعفری', gender: 'female', birthDate: '1368-01-01', prefix: '784',
    mobiles: [{ operator: 'mci' }, { operator: 'rightel' }],
    story: 'Owns two numbers (MCI and Rightel): either one passes step 1.',
  },
  {
    firstName: 'مهدی', lastName: 'طاهری', gender: 'male', birthDate: '1355-08-08', prefix: '007',
    mobiles: [{ operator: 'irancell' }],
    insurance: [{ group: 'self_employed', branch: '112' }],
    story: 'Insured self-employed (حرف و مشاغل آزاد): SAMT insured registration works with this branch and insurance number.',
  },
  {
    firstName: 'لیلا', lastName: 'نوری', gender: 'female', birthDate: '1364-03-03', prefix: '227',
    mobiles: [{ operator: 'mci' }],
    insurance: [
      { group: 'voluntary', branch: '301' },
      { group: 'compulsory', branch: '303' },
    ],
    story: 'Two insurance records: voluntary at one branch and compulsory at another.',
  },
  {
    firstName: 'جواد', lastName: 'مرادی', gender: 'male', birthDate: '1340-12-29', prefix: '754',
    mobiles: [{ operator: 'irancell' }],
    insurance: [{ group: 'compulsory', branch: '401' }],
    story: 'Insured only in the compulsory group: SAMT registration depends on INSURED_REGISTRATION_GROUPS.',
  },
  {
    firstName: 'آرمان', lastName: 'رحیمی', gender: 'male', birthDate: '1399-12-30', prefix: '002',
    mobiles: [],
    story: 'A child born on leap day 1399-12-30; owns no mobile.',
  },
  {
    firstName: 'بی‌نام', lastName: 'ناشناس', gender: 'male', birthDate: '1365-06-15', prefix: '664',
    mobiles: [{ operator: 'mci' }], notInCivilRegistry: true,
    story: 'Has a mobile-ownership row but NO civil record: step 1 passes, verification finds no such person → mismatch.',
  },
];

/** Foreign nationals: only in the insurance records (12-digit identifier, no national code). */
const FOREIGN_NATIONALS: ReadonlyArray<{ group: InsuranceGroup; branch: string; story?: string }> = [
  { group: 'voluntary', branch: '112', story: 'Foreign national (12-digit identifier, no national code), voluntary insured.' },
  { group: 'construction_workers', branch: '601' },
  { group: 'domestic_workers', branch: '401' },
  { group: 'compulsory', branch: '701' },
];

/** Groups of the insured among the crowd, in order; mostly the groups SAMT serves. */
const CROWD_INSURANCE: readonly InsuranceGroup[] = [
  'self_employed', 'voluntary', 'compulsory', 'self_employed', 'voluntary', 'drivers', 'self_employed',
  'compulsory', 'carpet_weavers', 'voluntary', 'construction_workers', 'self_employed', 'domestic_workers',
  'voluntary', 'compulsory', 'self_employed', 'drivers', 'voluntary', 'carpet_weavers', 'self_employed',
  'compulsory', 'construction_workers', 'voluntary', 'self_employed',
];

const CROWD_SIZE = 52;

/**
 * Doctors of the medical council registry: notable people (so they can register, be
 * activated and sign in), one per situation of doctors' registration. `as` is how the
 * council spells the name when it differs from the civil registry.
 */
const DOCTORS: ReadonlyArray<{ person: string; as?: { firstName: string; lastName: string }; specialty: string; licenceValidUntil: string; story: string }> = [
  { person: 'علی رضایی', specialty: 'جراحی عمومی', licenceValidUntil: '1408-12-29', story: 'Verified: number, national code and name match, licence valid → holds the `doctor` permission.' },
  {
    person: 'علي كاظمی', as: { firstName: 'علی', lastName: 'کاظمی' }, specialty: 'بیماری‌های قلب و عروق', licenceValidUntil: '1410-06-31',
    story: 'The council spells the name with Persian letters, the civil registry with Arabic ones: still a match → verified.',
  },
  {
    person: 'محمد رضا نیک‌نام', as: { firstName: 'محمدرضا', lastName: 'نیک نام' }, specialty: 'داخلی', licenceValidUntil: '1407-01-15',
    story: 'Verified («محمدرضا» / «نیک نام» match). Another person typing this number is refused (409 once he holds it, else a mismatch).',
  },
  { person: 'مریم احمدی', specialty: 'کودکان', licenceValidUntil: '1402-06-31', story: 'Licence expired (1402-06-31): rejected, SMS says so.' },
  {
    person: 'فاطمه حسین‌زاده', as: { firstName: 'فاطمه', lastName: 'حسینی' }, specialty: 'پوست', licenceValidUntil: '1409-03-31',
    story: 'The council has another surname (حسینی): name mismatch → rejected.',
  },
];
// A seed of its own: the doctors never shift the numbers drawn for anybody else.
const DOCTOR_SEED = 1404_01_01;

// ---------------------------------------------------------------- generation

type Person = {
  spec: PersonSpec;
  nationalCode: string;
  birthCertificateNumber: string;
  birthCertificateSerial: string;
  birthCertificateSeries: string;
  mobiles: Array<{ mobile: string; requiresBranchVisit: boolean }>;
  insurance: Array<{ insuranceNumber: string; branchCode: string; group: InsuranceGroup }>;
};

export type DemoFiles = Record<'civil-registry.csv' | 'mobile-ownership.csv' | 'insurance-records.csv' | 'branches.csv' | 'medical-council.csv' | 'PEOPLE.md', string>;

export function generateDemoData(): DemoFiles {
  const r = rng(SEED);
  const usedCodes = new Set<string>(RESERVED_CODES);
  const usedMobiles = new Set<string>();
  const usedInsuranceNumbers = new Set<string>();

  const nationalCode = (prefix: string): string => {
    for (;;) {
      const code = nationalCodeWithCheckDigit(prefix + r.digits(6));
      if (code !== null && !usedCodes.has(code)) {
        usedCodes.add(code);
        return code;
      }
    }
  };
  // Notable people get the operator's best-known prefix (0912, 0935, ...); the crowd any of them.
  const mobile = (operator: Operator, notable: boolean): string => {
    for (;;) {
      const prefix = notable ? OPERATOR_PREFIXES[operator][0] : r.pick(OPERATOR_PREFIXES[operator]);
      const m = prefix + String(r.int(1, 9)) + r.digits(6);
      if (!usedMobiles.has(m)) {
        usedMobiles.add(m);
        return m;
      }
    }
  };
  const insuranceNumber = (): string => {
    for (;;) {
      const n = String(r.int(1, 9)) + r.digits(9);
      if (!usedInsuranceNumbers.has(n)) {
        usedInsuranceNumbers.add(n);
        return n;
      }
    }
  };

  const build = (spec: PersonSpec): Person => {
    const code = nationalCode(spec.prefix ?? r.pick(CODE_PREFIXES));
    const year = Number(spec.birthDate.slice(0, 4));
    return {
      spec,
      nationalCode: code,
      // Registered from 1368 on: the certificate carries the national code.
      birthCertificateNumber: year >= 1368 ? code : String(r.int(1, year < 1340 ? 9_999 : 99_999)),
      birthCertificateSerial: String(r.int(100_000, 999_999)),
      birthCertificateSeries: `${r.pick(SERIES_LETTERS)}/${r.int(10, 99)}`,
      mobiles: spec.mobiles.map((m) => ({ mobile: mobile(m.operator, spec.story !== undefined), requiresBranchVisit: m.requiresBranchVisit ?? false })),
      insurance: (spec.insurance ?? []).map((i) => ({ insuranceNumber: insuranceNumber(), branchCode: i.branch, group: i.group })),
    };
  };

  const notable = NOTABLE.map(build);
  const crowd = Array.from({ length: CROWD_SIZE }, (_, index) => build(crowdSpec(r, index)));

  // The crowd's insured: two people out of three (men and women) until the list of
  // groups runs out; a few of them also hold a second, older record.
  let insured = 0;
  for (const [index, person] of crowd.entries()) {
    if (index % 3 === 2 || insured >= CROWD_INSURANCE.length) continue;
    const group = CROWD_INSURANCE[insured] as InsuranceGroup;
    person.insurance.push({ insuranceNumber: insuranceNumber(), branchCode: r.pick(BRANCHES).code, group });
    if (insured % 6 === 0) {
      person.insurance.push({ insuranceNumber: insuranceNumber(), branchCode: r.pick(BRANCHES).code, group: 'compulsory' });
    }
    insured += 1;
  }
  // One old insurance number, shorter than 10 digits, written zero-padded as it is stored.
  const oldRecord = crowd.find((p) => p.insurance.length > 0)?.insurance[0];
  if (oldRecord) oldRecord.insuranceNumber = '0000' + oldRecord.insuranceNumber.slice(4);

  const foreign = FOREIGN_NATIONALS.map((f) => ({
    ...f,
    foreignNationalId: String(r.int(1, 9)) + r.digits(11),
    insuranceNumber: insuranceNumber(),
  }));

  const everyone = [...notable, ...crowd];
  const inRegistry = everyone.filter((p) => !p.spec.notInCivilRegistry);

  const civil = csv(
    ['nationalCode', 'firstName', 'lastName', 'birthDate', 'gender', 'birthCertificateNumber', 'birthCertificateSerial', 'birthCertificateSeries', 'alive'],
    inRegistry.map((p) => [
      p.nationalCode, p.spec.firstName, p.spec.lastName, p.spec.birthDate, p.spec.gender,
      p.birthCertificateNumber, p.birthCertificateSerial, p.birthCertificateSeries, String(p.spec.alive ?? true),
    ]),
  );
  const ownership = csv(
    ['nationalCode', 'mobile', 'requiresBranchVisit'],
    everyone.flatMap((p) => p.mobiles.map((m) => [p.nationalCode, m.mobile, String(m.requiresBranchVisit)])),
  );
  const insurance = csv(
    ['nationalCode', 'foreignNationalId', 'insuranceNumber', 'branchCode', 'insuranceGroup'],
    [
      ...everyone.flatMap((p) => p.insurance.map((i) => [p.nationalCode, '', i.insuranceNumber, i.branchCode, i.group])),
      ...foreign.map((f) => ['', f.foreignNationalId, f.insuranceNumber, f.branch, f.group]),
    ],
  );
  const branches = csv(
    ['code', 'name', 'province', 'city', 'nameEn'],
    BRANCHES.map((b) => [b.code, branchName(b), b.province, b.city, BRANCH_NAMES_EN[b.code] ?? '']),
  );

  const doctors = demoDoctors(notable);
  const medicalCouncil = csv(
    ['medicalCouncilNumber', 'nationalCode', 'firstName', 'lastName', 'specialty', 'licenceValidUntil'],
    doctors.map((d) => [d.medicalCouncilNumber, d.nationalCode, d.firstName, d.lastName, d.specialty, d.licenceValidUntil]),
  );

  return {
    'civil-registry.csv': civil,
    'mobile-ownership.csv': ownership,
    'insurance-records.csv': insurance,
    'branches.csv': branches,
    'medical-council.csv': medicalCouncil,
    'PEOPLE.md': peopleGuide(notable, foreign) + doctorsGuide(doctors),
  };
}

type Doctor = { medicalCouncilNumber: string; nationalCode: string; mobile: string; firstName: string; lastName: string; specialty: string; licenceValidUntil: string; story: string };

function demoDoctors(notable: readonly Person[]): Doctor[] {
  const r = rng(DOCTOR_SEED);
  const used = new Set<string>();
  return DOCTORS.map((d) => {
    const person = notable.find((p) => `${p.spec.firstName} ${p.spec.lastName}` === d.person);
    if (!person) throw new Error(`demo doctor ${d.person} is not a notable person`);
    let number: string;
    do number = String(r.int(10_000, 199_999));
    while (used.has(number));
    used.add(number);
    return {
      medicalCouncilNumber: number,
      nationalCode: person.nationalCode,
      mobile: person.mobiles[0]?.mobile ?? '—',
      firstName: d.as?.firstName ?? person.spec.firstName,
      lastName: d.as?.lastName ?? person.spec.lastName,
      specialty: d.specialty,
      licenceValidUntil: d.licenceValidUntil,
      story: d.story,
    };
  });
}

function doctorsGuide(doctors: readonly Doctor[]): string {
  return [
    '',
    '## Doctors (medical council registry)',
    '',
    'Register the person first (above), then sign in and add the medical council number on',
    '`/account/doctor` (the sign-in page\'s «ثبت نام پزشکان» link explains the steps). Any',
    'other number is not in the registry (rejected).',
    '',
    '| medical council number | national code | mobile | council record (name · specialty · licence valid until) | what happens |',
    '|---|---|---|---|---|',
    ...doctors.map(
      (d) => `| ${d.medicalCouncilNumber} | ${d.nationalCode} | ${d.mobile} | ${d.firstName} ${d.lastName} · ${d.specialty} · ${d.licenceValidUntil} | ${d.story.replaceAll('|', '\\|')} |`,
    ),
    '',
  ].join('\n');
}

/** A person of the crowd: plain spellings, birth dates 1310–1385, mostly one mobile. */
function crowdSpec(r: Rng, index: number): PersonSpec {
  const gender: Gender = index % 2 === 0 ? 'male' : 'female';
  const month = r.int(1, 12);
  // Esfand up to 29 keeps every year valid; the leap days are among the notable people.
  const day = r.int(1, month <= 6 ? 31 : month <= 11 ? 30 : 29);
  const birthDate = `${r.int(1310, 1385)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  // Most own one number; every 13th owns none (refused at step 1); every 9th needs a branch visit.
  const operator: Operator = r.pick(['mci', 'mci', 'mci', 'irancell', 'irancell', 'irancell', 'rightel', 'shatel', 'aptel'] as const);
  const mobiles = index % 13 === 5 ? [] : [{ operator, requiresBranchVisit: index % 9 === 4 }];
  return {
    firstName: r.pick(gender === 'male' ? MALE_FIRST_NAMES : FEMALE_FIRST_NAMES),
    lastName: r.pick(LAST_NAMES),
    gender,
    birthDate,
    mobiles,
  };
}

function csv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return stringify([header, ...rows], { record_delimiter: 'unix' });
}

function peopleGuide(notable: readonly Person[], foreign: ReadonlyArray<{ foreignNationalId: string; insuranceNumber: string; branch: string; group: InsuranceGroup; story?: string }>): string {
  const branch = (code: string) => {
    const b = BRANCHES.find((x) => x.code === code);
    return b ? `${code} «${branchName(b)}»` : code;
  };
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rows = notable.map((p) => {
    const s = p.spec;
    const mobiles = p.mobiles.length === 0 ? '— (none)' : p.mobiles.map((m) => m.mobile).join(', ');
    const insurance = p.insurance.map((i) => `${i.group} at ${branch(i.branchCode)}, no. ${i.insuranceNumber}`).join('; ');
    const identity = s.notInCivilRegistry
      ? 'not in the civil registry'
      : `${s.firstName} ${s.lastName} · ${s.gender} · ${s.birthDate} · cert. ${p.birthCertificateNumber} / serial ${p.birthCertificateSerial} / series ${p.birthCertificateSeries}${s.alive === false ? ' · deceased' : ''}`;
    return `| ${p.nationalCode} | ${mobiles} | ${cell(identity)} | ${cell([s.story ?? '', insurance].filter(Boolean).join(' — '))} |`;
  });
  const foreignRows = foreign.map(
    (f) => `| ${f.foreignNationalId} | ${f.group} at ${branch(f.branch)} | ${f.insuranceNumber} | ${f.story ?? ''} |`,
  );
  return [
    '# Demo people',
    '',
    'Generated by `scripts/generate-demo-data.ts` together with the CSV files beside this page',
    '(`node --import tsx scripts/generate-demo-data.ts`); do not edit by hand.',
    'They are the people of the simulated civil registry, mobile-ownership service and',
    'insurance records that `npm start` uses. Type names, dates and certificate data as',
    'listed (Persian or ASCII digits both work); a different value is a mismatch.',
    '',
    '| national code | mobile | civil record (name · gender · birth date · certificate) | what happens |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Foreign nationals (insurance records only)',
    '',
    '| foreign national id | insurance group and branch | insurance number | note |',
    '|---|---|---|---|',
    ...foreignRows,
    '',
    `The rest of the ${CROWD_SIZE} other people in \`civil-registry.csv\` have ordinary names and mostly one`,
    'mobile each; some need a branch visit, a few own no number, about half are insured.',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- command line

async function main(argv: readonly string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 && argv[outIndex + 1] ? path.resolve(argv[outIndex + 1] as string) : fileURLToPath(new URL('../demo/', import.meta.url));
  await mkdir(out, { recursive: true });
  const files = generateDemoData();
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(out, name), content, 'utf8');
  }
  console.log(`demo data written to ${out}`);
}

const invokedDirectly = process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
if (invokedDirectly) await main(process.argv.slice(2));
