// Tests: the name policy of DOMAIN.md ("Matching a person against the civil registry"),
// one row per example there, each rule on its own, today's accepted variants, and
// properties (idempotent keys, symmetric matching, the "different" list stays apart).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { foldForMatching } from './names.js';
import {
  LISTED_SPELLINGS,
  allahSpelling,
  honorificReadings,
  listedSpelling,
  nameKey,
  namesMatch,
  sameKey,
  type NamePart,
} from './namesMatching.js';

const ZWNJ = '\u200C';

type Row = { a: string; b: string; part: NamePart; rule: string };

/** Every "same name" example of the policy section (and of the folding it builds on). */
export const POLICY_EQUAL: readonly Row[] = [
  // The folding: Arabic/Persian letters, ZWNJ/space/none, tashkeel, tatweel.
  { a: 'علي', b: 'علی', part: 'firstName', rule: 'letters: Arabic yeh ي → ی' },
  { a: 'عيسى', b: 'عیسی', part: 'firstName', rule: 'letters: alef maksura ى → ی' },
  { a: 'كاظمی', b: 'کاظمی', part: 'lastName', rule: 'letters: Arabic kaf ك → ک' },
  { a: `حسین${ZWNJ}زاده`, b: 'حسین زاده', part: 'lastName', rule: 'letters: ZWNJ = space (a surname typed with a space)' },
  { a: `حسین${ZWNJ}زاده`, b: 'حسینزاده', part: 'lastName', rule: 'letters: ZWNJ = none' },
  { a: 'محمّد', b: 'محمد', part: 'firstName', rule: 'letters: tashkeel (shadda)' },
  { a: 'مُحَمَّد', b: 'محمد', part: 'firstName', rule: 'letters: tashkeel (harakat)' },
  { a: 'محـــمد', b: 'محمد', part: 'firstName', rule: 'letters: tatweel' },
  { a: 'علی\u200D', b: 'علی', part: 'firstName', rule: 'letters: ZWJ' },
  // «اله» = «الله» inside a name.
  { a: 'عبداله', b: 'عبدالله', part: 'firstName', rule: 'allah: عبداله = عبدالله' },
  { a: 'نصراله', b: 'نصرالله', part: 'firstName', rule: 'allah: نصراله = نصرالله' },
  { a: 'عبد اله', b: 'عبدالله', part: 'firstName', rule: 'allah: with a space' },
  { a: 'فتح اللهی', b: 'فتحالهی', part: 'lastName', rule: 'allah: inside a surname' },
  // Final «ا» = «ی» only for the listed names.
  { a: 'لیلا', b: 'لیلی', part: 'firstName', rule: 'listed: لیلا/لیلی' },
  { a: 'موسی', b: 'موسا', part: 'firstName', rule: 'listed: موسی/موسا' },
  { a: 'مصطفی', b: 'مصطفا', part: 'firstName', rule: 'listed: مصطفی/مصطفا' },
  { a: 'عیسی', b: 'عیسا', part: 'firstName', rule: 'listed: عیسی/عیسا' },
  { a: 'مرتضی', b: 'مرتضا', part: 'firstName', rule: 'listed: مرتضی/مرتضا' },
  { a: 'یحیی', b: 'یحیا', part: 'firstName', rule: 'listed: یحیی/یحیا' },
  { a: 'جبرئیل', b: 'جبرائیل', part: 'firstName', rule: 'listed: جبرئیل/جبرائیل' },
  { a: 'جبرئیل', b: 'جبراییل', part: 'firstName', rule: 'listed: جبرئیل/جبراییل' },
  { a: 'جبرائیل', b: 'جبراییل', part: 'firstName', rule: 'listed: جبرائیل/جبراییل' },
  { a: 'محمد مصطفا', b: 'محمدمصطفی', part: 'firstName', rule: 'listed: a word of a compound name' },
  { a: 'مصطفي', b: 'مصطفا', part: 'firstName', rule: 'listed: after the letter folding (Arabic yeh)' },
  // «ئ» = «ی»; a standalone «ء» is ignored.
  { a: 'رئیسی', b: 'رییسی', part: 'lastName', rule: 'letters: ئ = ی (رئیسی)' },
  { a: 'پائیز', b: 'پاییز', part: 'firstName', rule: 'letters: ئ = ی (پائیز)' },
  { a: 'علاء', b: 'علا', part: 'firstName', rule: 'letters: standalone ء ignored' },
  // «ۀ» = «ه» at a word's end; «ة» matches «ه» or «ت»; «ؤ» = «و»; alef forms = «ا».
  { a: 'فاطمۀ', b: 'فاطمه', part: 'firstName', rule: 'letters: final ۀ = ه' },
  { a: 'فاطمة', b: 'فاطمه', part: 'firstName', rule: 'tehMarbuta: ة = ه (فاطمة)' },
  { a: 'عزة', b: 'عزت', part: 'firstName', rule: 'tehMarbuta: ة = ت (عزة)' },
  { a: 'عزت', b: 'عزة', part: 'firstName', rule: 'tehMarbuta: ت = ة, the other way round' },
  { a: 'عزة الله', b: 'عزت اله', part: 'firstName', rule: 'tehMarbuta: word-final inside a compound, with allah' },
  { a: 'مؤمنی', b: 'مومنی', part: 'lastName', rule: 'letters: ؤ = و' },
  { a: 'أحمد', b: 'احمد', part: 'firstName', rule: 'letters: أ = ا' },
  { a: 'إسماعیل', b: 'اسماعیل', part: 'firstName', rule: 'letters: إ = ا' },
  { a: 'آرش', b: 'ارش', part: 'firstName', rule: 'letters: آ = ا' },
  { a: 'ٱحمد', b: 'احمد', part: 'firstName', rule: 'letters: ٱ = ا' },
  // Honorifics on first names, on one side only (or the same on both).
  { a: 'سید محمد', b: 'محمد', part: 'firstName', rule: 'honorifics: سید on one side' },
  { a: 'محمد', b: 'سید محمد', part: 'firstName', rule: 'honorifics: سید on the other side' },
  { a: 'سیده زهرا', b: 'زهرا', part: 'firstName', rule: 'honorifics: سیده on one side' },
  { a: 'میر حسین', b: 'حسین', part: 'firstName', rule: 'honorifics: میر on one side' },
  { a: 'میرحسین', b: 'حسین', part: 'firstName', rule: 'honorifics: میر joined to the name' },
  { a: 'فاطمه سادات', b: 'فاطمه', part: 'firstName', rule: 'honorifics: سادات after the name' },
  { a: `فاطمه${ZWNJ}سادات`, b: 'فاطمه', part: 'firstName', rule: 'honorifics: سادات after a ZWNJ' },
  { a: 'سید هادی', b: 'هادی', part: 'firstName', rule: 'honorifics: سید + هادی (not سیده + ادی)' },
  { a: 'سید محمد', b: 'سيد محمد', part: 'firstName', rule: 'honorifics: the same on both sides' },
  { a: 'سید مرتضا', b: 'مرتضی', part: 'firstName', rule: 'honorifics with a listed spelling' },
];

/** Every "different name" example of the policy section, and the limits of each rule. */
export const POLICY_DIFFERENT: readonly Row[] = [
  { a: 'علی', b: 'علا', part: 'firstName', rule: 'final ا/ی is not a general rule' },
  { a: 'محمد علی', b: 'علی محمد', part: 'firstName', rule: 'word order never changes' },
  { a: 'محمد', b: 'محمود', part: 'firstName', rule: 'one letter more' },
  { a: 'علی', b: 'علیرضا', part: 'firstName', rule: 'a word more' },
  { a: 'میرمحمدی', b: 'محمدی', part: 'lastName', rule: 'a surname never drops a part' },
  { a: 'سید محمدی', b: 'محمدی', part: 'lastName', rule: 'honorifics are for first names only' },
  { a: 'سید محمد', b: 'میر محمد', part: 'firstName', rule: 'both sides carry an honorific: not the same' },
  { a: 'سیده فاطمه', b: 'سید فاطمه', part: 'firstName', rule: 'سیده ≠ سید when both carry one' },
  { a: 'سیده فاطمه', b: 'فاطمه سادات', part: 'firstName', rule: 'a prefix on one side and سادات on the other: both carry one' },
  { a: 'عزه', b: 'عزت', part: 'firstName', rule: 'ه never matches ت' },
  { a: 'فاطمه', b: 'فاطمت', part: 'firstName', rule: 'ه never matches ت (the other example)' },
  { a: 'لیلا', b: 'لیلو', part: 'firstName', rule: 'a listed name is listed with its two spellings only' },
  { a: 'علی', b: 'عالی', part: 'firstName', rule: 'one letter more' },
  { a: 'حسین', b: 'حسن', part: 'firstName', rule: 'one letter less' },
  { a: 'ژیلا', b: 'زیلا', part: 'firstName', rule: 'a different letter' },
  { a: 'عبدالله', b: 'عبدالرحمن', part: 'firstName', rule: 'allah rule is about its spelling only' },
  { a: 'سید', b: 'سیده', part: 'firstName', rule: 'an honorific alone is not stripped to nothing' },
  { a: 'میرا', b: 'را', part: 'firstName', rule: 'what is left after an honorific is a name of two letters at least' },
];

/** Variants today's matching (foldForMatching equality) accepted: they must stay accepted. */
const TODAY_ACCEPTED: readonly [string, string][] = [
  ['علي', 'علی'],
  ['كاظمی‌نژاد', 'کاظمی نژاد'],
  ['كاظمی‌نژاد', 'کاظمینژاد'],
  ['حسین زاده', `حسین${ZWNJ}زاده`],
  ['حسین زاده', 'حسینزاده'],
  ['عيسى', 'عیسی'],
  ['كاظمي', 'کاظمی'],
  ['آرش', 'ارش'],
  ['أحمد', 'احمد'],
  ['إسماعیل', 'اسماعیل'],
  ['رئیسی', 'رییسی'],
  ['مؤمنی', 'مومنی'],
  ['زادۀ', 'زاده'],
  ['فاطمة', 'فاطمه'],
  ['محمّد', 'محمد'],
  ['مُحَمَّد', 'محمد'],
  ['محـــمد', 'محمد'],
  ['\uFECB\uFEE0\uFEF2', 'علی'],
  ['علی\u200D', 'علی'],
  ['  علی   رضا ', 'علیرضا'],
  ['\u200Fعلی', 'علی'],
  ['\uFDF2', 'الله'],
  ['عبداللة', 'عبدالله'],
  ['لیلا زاده', 'لیلازاده'],
  ['سیدة فاطمه', 'سیده فاطمه'],
];

describe('name policy: every example of DOMAIN.md', () => {
  for (const { a, b, part, rule } of POLICY_EQUAL) {
    it(`${rule}: «${a}» = «${b}» (${part})`, () => {
      assert.equal(namesMatch(a, b, part), true);
      assert.equal(namesMatch(b, a, part), true, 'symmetric');
    });
  }
  for (const { a, b, part, rule } of POLICY_DIFFERENT) {
    it(`${rule}: «${a}» ≠ «${b}» (${part})`, () => {
      assert.equal(namesMatch(a, b, part), false);
      assert.equal(namesMatch(b, a, part), false, 'symmetric');
    });
  }
  it('first and last names are never swapped (each is compared with its own field only)', () => {
    // A surname given as a first name: neither field matches the other.
    assert.equal(namesMatch('رضایی', 'علی', 'firstName'), false);
    assert.equal(namesMatch('علی', 'رضایی', 'lastName'), false);
  });
});

describe('name policy: what matched before still matches', () => {
  for (const [a, b] of TODAY_ACCEPTED) {
    it(`«${a}» = «${b}»`, () => {
      assert.equal(foldForMatching(a), foldForMatching(b), 'accepted by the folding of names.ts');
      for (const part of ['firstName', 'lastName'] as const) assert.equal(namesMatch(a, b, part), true);
    });
  }
});

describe('name rules, each on its own', () => {
  it('allah: «الله» → «اله», with «ة» too, nothing else', () => {
    assert.equal(allahSpelling('عبدالله'), 'عبداله');
    assert.equal(allahSpelling('عبداللله'), 'عبداله');
    assert.equal(allahSpelling('عبداللة'), 'عبدالة');
    assert.equal(allahSpelling('الهام'), 'الهام');
    assert.equal(allahSpelling('جلال'), 'جلال');
  });
  it('listedSpelling: each group to its first spelling; names not listed untouched', () => {
    for (const group of LISTED_SPELLINGS) {
      const keys = new Set(group.map((s) => listedSpelling(nameKey(s))));
      assert.equal(keys.size, 1, group.join('/'));
    }
    assert.equal(listedSpelling('علا'), 'علا');
    assert.equal(listedSpelling('زهرا'), 'زهرا');
    assert.equal(listedSpelling('لیلازاده'), 'لیلازاده'.replace('لیلا', listedSpelling('لیلا')));
  });
  it('tehMarbuta: «ة» stands for «ه» or «ت»; «ه» and «ت» stay apart; lengths count', () => {
    assert.equal(sameKey('عزة', 'عزت'), true);
    assert.equal(sameKey('عزة', 'عزه'), true);
    assert.equal(sameKey('عزه', 'عزت'), false);
    assert.equal(sameKey('عزة', 'عزتت'), false);
    assert.equal(sameKey('عزة', 'عزی'), false);
  });
  it('honorifics: the readings of a first name', () => {
    const readings = (s: string) => honorificReadings(nameKey(s)).map((r) => `${r.honorifics}:${r.rest}`);
    assert.deepEqual(readings('محمد'), [':محمد']);
    assert.deepEqual(readings('سید محمد'), [':سیدمحمد', 'سید|:محمد']);
    assert.deepEqual(readings('سیده فاطمه سادات').sort(), [':سیدهفاطمهسادات', '|سادات:سیدهفاطمه', 'سید|:هفاطمهسادات', 'سید|سادات:هفاطمه', 'سیده|:فاطمهسادات', 'سیده|سادات:فاطمه'].sort());
    assert.deepEqual(readings('میرا'), [':میرا'], 'a rest of one letter is not a name');
  });
});

// ------------------------------------------------------------------ properties

const TRICKY = [
  ...'ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإؤئءۀةيىكھەٱ',
  '\u064B', '\u064E', '\u0650', '\u0651', '\u0652', '\u0670', '\u0640',
  ZWNJ, '\u200D', ' ', '\u200F', '\uFDF2',
  'الله', 'اله', 'سید', 'سیده', 'میر', 'سادات', 'لیلا', 'لیلی', 'موسا', 'جبرائیل', 'جبرئیل',
];
const trickyName = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 20 });

/** Changes a name only in ways every rule agrees are the same spelling. */
const NOISE: readonly ((s: string) => string)[] = [
  (s) => s.replace(/ /gu, ZWNJ),
  (s) => s.replace(/ /gu, ''),
  (s) => s.replace(/ی/gu, 'ي'),
  (s) => s.replace(/ک/gu, 'ك'),
  (s) => s.replace(/(\p{L})/u, '$1\u0640'),
  (s) => s.replace(/(\p{L})$/u, '$1\u064E'),
  (s) => s.replace(/ا/u, 'آ'),
  (s) => `\u200F${s}`,
  (s) => ` ${s}  `,
];
const noisy = (s: string, picks: number[]) => picks.reduce((out, i) => NOISE[i % NOISE.length]!(out), s);
const picks = fc.array(fc.nat(), { maxLength: 4 });
const part = fc.constantFrom<NamePart>('firstName', 'lastName');

describe('name policy: properties', () => {
  it('the key is idempotent', () => {
    fc.assert(fc.property(trickyName, (s) => assert.equal(nameKey(nameKey(s)), nameKey(s))), { numRuns: 3000 });
  });
  it('matching is symmetric', () => {
    fc.assert(fc.property(trickyName, trickyName, part, (a, b, p) => assert.equal(namesMatch(a, b, p), namesMatch(b, a, p))), { numRuns: 3000 });
    // And on pairs that do match, so the property is not about non-matches only.
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_EQUAL), picks, picks, (row, x, y) => {
        assert.equal(namesMatch(noisy(row.a, x), noisy(row.b, y), row.part), true);
        assert.equal(namesMatch(noisy(row.b, y), noisy(row.a, x), row.part), true);
      }),
      { numRuns: 2000 },
    );
  });
  it('no rule makes two names of the "different" list equal, however they are typed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_DIFFERENT), picks, picks, (row, x, y) => {
        assert.equal(namesMatch(noisy(row.a, x), noisy(row.b, y), row.part), false, `${row.rule}`);
      }),
      { numRuns: 3000 },
    );
  });
  it('whatever the folding of names.ts accepted is still accepted', () => {
    fc.assert(
      fc.property(trickyName, picks, part, (s, x, p) => {
        const t = noisy(s, x);
        if (foldForMatching(s) !== foldForMatching(t)) return;
        assert.equal(namesMatch(s, t, p), true);
        // Not only through the old folding: the policy's own key agrees.
        assert.equal(sameKey(nameKey(s), nameKey(t)), true);
      }),
      { numRuns: 3000 },
    );
  });
});
