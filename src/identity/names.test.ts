// Tests: Persian text normalisation for storage, folding for matching, person and place names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CITY_ERRORS,
  COUNTRY_ERRORS,
  FIRST_NAME_ERRORS,
  LAST_NAME_ERRORS,
  PERSON_NAME_MAX_LENGTH,
  PLACE_NAME_MAX_LENGTH,
  foldForMatching,
  foldForNameMatching,
  normalizePersianText,
  parsePersonName,
  parsePlaceName,
} from './names.js';
import { err, ok } from './result.js';

const ZWNJ = '\u200C';

// Characters that make Persian text tricky: Arabic look-alikes, joiners, tatweel,
// harakat, hamza and madda (combining and precomposed), presentation forms, every
// kind of space and digit, direction marks, and some Latin with accents.
const TRICKY = [
  ...'ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإؤئءۀةيىكھەٱ',
  '\u064B', '\u064E', '\u0650', '\u0651', '\u0652', '\u0653', '\u0654', '\u0655', '\u0670', '\u0640',
  ZWNJ, '\u200D', ' ', '  ', '\t', '\u00A0', '\n', '\u200E', '\u200F', '\u061C',
  '\uFECB', '\uFEE0', '\uFEF2', '\uFB8F', '\uFDF2',
  ...'۰۱۲۹٠١٩019', ...'aZéE\u0301İß-.\'’،؟!',
];
const trickyText = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 30 });
const anyText = fc.oneof(trickyText, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));

describe('normalizePersianText', () => {
  const cases: [string, string, string][] = [
    ['علي', 'علی', 'Arabic yeh'],
    ['مصطفى', 'مصطفی', 'alef maksura'],
    ['كريم', 'کریم', 'Arabic kaf'],
    ['فاطمة', 'فاطمه', 'teh marbuta'],
    ['  حسین   زاده ', 'حسین زاده', 'spaces collapsed and trimmed'],
    ['حسین\t\u00A0زاده', 'حسین زاده', 'tab and no-break space'],
    [`حسین${ZWNJ}${ZWNJ}زاده`, `حسین${ZWNJ}زاده`, 'doubled ZWNJ'],
    [`حسین ${ZWNJ}زاده`, 'حسین زاده', 'ZWNJ after a space'],
    [`حسین${ZWNJ} زاده`, 'حسین زاده', 'ZWNJ before a space'],
    [`حسین ${ZWNJ} ${ZWNJ} زاده`, 'حسین زاده', 'spaces and ZWNJs mixed'],
    [`${ZWNJ}علی${ZWNJ}`, 'علی', 'ZWNJ at the ends'],
    [`حسین${ZWNJ}زاده`, `حسین${ZWNJ}زاده`, 'a proper ZWNJ is kept'],
    ['محـــمد', 'محمد', 'tatweel'],
    ['\u200Fعلی\u200E', 'علی', 'direction marks'],
    ['پلاک ٤٥', 'پلاک ۴۵', 'Arabic-Indic digits become Persian'],
    ['پلاک 45', 'پلاک 45', 'ASCII digits stay'],
    ['ا\u0653رش', 'آرش', 'NFC composes alef + madda'],
    ['ا\u0640\u0653رش', 'آرش', 'and does so after tatweel is removed'],
    ['زادۀ', 'زادۀ', 'ۀ is kept'],
    ['مؤمنی', 'مؤمنی', 'hamza forms are kept'],
  ];
  for (const [input, expected, why] of cases) {
    it(why, () => assert.equal(normalizePersianText(input), expected));
  }

  it('is idempotent', () => {
    fc.assert(fc.property(anyText, (s) => assert.equal(normalizePersianText(normalizePersianText(s)), normalizePersianText(s))), {
      numRuns: 2000,
    });
  });

  it('leaves no doubled space, no ZWNJ next to a space and nothing to trim', () => {
    fc.assert(
      fc.property(trickyText, (s) => {
        const out = normalizePersianText(s);
        assert.doesNotMatch(out, /\s\s|\u200C\u200C| \u200C|\u200C |^[\s\u200C]|[\s\u200C]$|[\u064A\u0649\u0643\u0629\u0640\u0660-\u0669]/u);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('foldForMatching', () => {
  const same: [string, string, string][] = [
    ['حسین زاده', `حسین${ZWNJ}زاده`, 'space vs ZWNJ'],
    ['حسین زاده', 'حسینزاده', 'space vs nothing'],
    ['علي', 'علی', 'Arabic yeh'],
    ['عيسى', 'عیسی', 'alef maksura'],
    ['كاظمي', 'کاظمی', 'Arabic kaf'],
    ['آرش', 'ارش', 'alef with madda'],
    ['أحمد', 'احمد', 'alef with hamza above'],
    ['إسماعیل', 'اسماعیل', 'alef with hamza below'],
    ['رئیسی', 'رییسی', 'yeh with hamza'],
    ['مؤمنی', 'مومنی', 'waw with hamza'],
    ['زادۀ', 'زاده', 'heh with yeh above'],
    ['فاطمة', 'فاطمه', 'teh marbuta'],
    ['محمّد', 'محمد', 'shadda'],
    ['مُحَمَّد', 'محمد', 'harakat'],
    ['محـــمد', 'محمد', 'tatweel'],
    ['\uFECB\uFEE0\uFEF2', 'علی', 'presentation forms'],
    ['علی\u200D', 'علی', 'ZWJ'],
    ['  علی   رضا ', 'علیرضا', 'all whitespace'],
    ['شماره ۱۲', 'شماره 12', 'Persian digits'],
    ['شماره ١٢', 'شماره 12', 'Arabic-Indic digits'],
    ['Tehran', 'tehran', 'Latin case'],
    ['\u200Fعلی', 'علی', 'direction marks'],
  ];
  for (const [a, b, why] of same) {
    it(`${why}: «${a}» ≡ «${b}»`, () => assert.equal(foldForMatching(a), foldForMatching(b)));
  }
  it('keeps different names apart', () => {
    assert.notEqual(foldForMatching('علی'), foldForMatching('عالی'));
    assert.notEqual(foldForMatching('حسین'), foldForMatching('حسن'));
    assert.notEqual(foldForMatching('ژیلا'), foldForMatching('زیلا'));
  });

  it('is idempotent', () => {
    fc.assert(fc.property(anyText, (s) => assert.equal(foldForMatching(foldForMatching(s)), foldForMatching(s))), {
      numRuns: 3000,
    });
  });
  it('ignores whatever normalizePersianText changes', () => {
    fc.assert(fc.property(anyText, (s) => assert.equal(foldForMatching(normalizePersianText(s)), foldForMatching(s))), {
      numRuns: 3000,
    });
  });
  it('leaves no whitespace, joiner, tatweel, harakat or Arabic letter variant', () => {
    fc.assert(
      fc.property(trickyText, (s) =>
        assert.doesNotMatch(foldForMatching(s), /[\s\u200C\u200D\u0640\u064B-\u0655\u0670\u064A\u0649\u0643\u0629\u0622\u0623\u0625\u0626\u0624]/u),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parsePersonName', () => {
  const accepted: [string, string][] = [
    ['علی', 'علی'],
    ['زهرا', 'زهرا'],
    ['محمدرضا', 'محمدرضا'],
    ['محمد رضا', 'محمد رضا'],
    [`حسین${ZWNJ}زاده`, `حسین${ZWNJ}زاده`],
    ['آرش', 'آرش'],
    ['مؤمنی', 'مؤمنی'],
    ['رئیسی', 'رئیسی'],
    ['ژیلا', 'ژیلا'],
    ['گلچین', 'گلچین'],
    ['پرستو', 'پرستو'],
    ['ذبیح‌الله', 'ذبیح‌الله'],
    ['علي', 'علی'],
    ['كاظم', 'کاظم'],
    ['محمّد', 'محمد'],
    ['  زهرا  ', 'زهرا'],
    ['محـمد', 'محمد'],
    ['رضا' + ' ' + 'ZZ'.replace(/Z/g, 'ی'), 'رضا یی'],
    ['ی'.repeat(PERSON_NAME_MAX_LENGTH), 'ی'.repeat(PERSON_NAME_MAX_LENGTH)],
    ['ای', 'ای'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts «${input}»`, () => assert.deepEqual(parsePersonName(input, 'first_name'), ok(expected)));
  }
  const invalid: [unknown, string][] = [
    ['Ali', 'Latin letters'],
    ['علی2', 'ASCII digit'],
    ['علی۲', 'Persian digit'],
    ['علی-رضا', 'hyphen'],
    ['علی.', 'period'],
    ['ع', 'a single letter'],
    ['!!', 'punctuation'],
    ['علیAli', 'mixed scripts'],
    [42, 'a number'],
    [['علی'], 'an array'],
  ];
  for (const [input, why] of invalid) {
    it(`invalid: ${why}`, () => assert.deepEqual(parsePersonName(input, 'first_name'), err('first_name.invalid')));
  }
  it('too_long above the limit', () => {
    assert.deepEqual(parsePersonName('ی'.repeat(PERSON_NAME_MAX_LENGTH + 1), 'first_name'), err('first_name.too_long'));
  });
  for (const input of [undefined, null, '', '   ', ZWNJ, '\u0640']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parsePersonName(input, 'first_name'), err('first_name.required')));
  }
  it('uses the field in its codes', () => {
    assert.deepEqual(parsePersonName('', 'last_name'), err('last_name.required'));
    assert.deepEqual(parsePersonName('Smith', 'last_name'), err('last_name.invalid'));
    assert.deepEqual(parsePersonName('ی'.repeat(51), 'last_name'), err('last_name.too_long'));
  });
  it('returns normalised names and only its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.anything()), fc.constantFrom('first_name' as const, 'last_name' as const), (input, field) => {
        const result = parsePersonName(input, field);
        if (result.ok) {
          assert.equal(normalizePersianText(result.value), result.value);
          assert.deepEqual(parsePersonName(result.value, field), result);
        } else {
          assert.ok((field === 'first_name' ? FIRST_NAME_ERRORS : LAST_NAME_ERRORS).some((code) => code === result.error));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parsePlaceName', () => {
  const accepted: [string, string][] = [
    ['تهران', 'تهران'],
    ['بندر عباس', 'بندر عباس'],
    ['ری', 'ری'],
    ['Tehran', 'Tehran'],
    ['Bandar-Abbas', 'Bandar-Abbas'],
    ['Bandar - Abbas', 'Bandar-Abbas'],
    ['São Paulo', 'São Paulo'],
    ["Côte d'Ivoire", "Côte d'Ivoire"],
    ['St. Louis', 'St. Louis'],
    ['  United   Kingdom ', 'United Kingdom'],
    ['كرمان', 'کرمان'],
    ['آلمان', 'آلمان'],
  ];
  for (const [input, expected] of accepted) {
    it(`accepts «${input}»`, () => assert.deepEqual(parsePlaceName(input, 'city'), ok(expected)));
  }
  for (const input of ['Tehran1', 'تهران۱', '#', 'ت', '-Tehran', 'Tehran-', "'Tehran", '..', 12, ['Tehran']]) {
    it(`invalid: ${JSON.stringify(input)}`, () => assert.deepEqual(parsePlaceName(input, 'city'), err('city.invalid')));
  }
  it('too_long above the limit', () => {
    assert.deepEqual(parsePlaceName('a'.repeat(PLACE_NAME_MAX_LENGTH), 'country'), ok('a'.repeat(PLACE_NAME_MAX_LENGTH)));
    assert.deepEqual(parsePlaceName('a'.repeat(PLACE_NAME_MAX_LENGTH + 1), 'country'), err('country.too_long'));
  });
  for (const input of [undefined, null, '', '  ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parsePlaceName(input, 'country'), err('country.required')));
  }
  it('returns only its declared codes and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.anything()), fc.constantFrom('city' as const, 'country' as const), (input, field) => {
        const result = parsePlaceName(input, field);
        if (result.ok) assert.deepEqual(parsePlaceName(result.value, field), result);
        else assert.ok((field === 'city' ? CITY_ERRORS : COUNTRY_ERRORS).some((code) => code === result.error));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('foldForNameMatching', () => {
  it('is foldForMatching with «ة» kept (the name policy matches it with «ه» or «ت»)', () => {
    assert.equal(foldForNameMatching('عزة'), 'عزة');
    assert.equal(foldForNameMatching('فاطمة'), 'فاطمة');
    fc.assert(
      fc.property(anyText, (s) => assert.equal(foldForNameMatching(s).replace(/\u0629/gu, '\u0647'), foldForMatching(s))),
      { numRuns: 3000 },
    );
  });
});
