// The examples of DOMAIN.md's name policy ("Matching a person against the civil registry"),
// one row each: tested on the name rules (namesMatching.test.ts) and on the whole
// comparison with a civil record (verification/matching.test.ts).
import type { NamePart } from './namesMatching.js';

const ZWNJ = '\u200C';

export type Row = { a: string; b: string; part: NamePart; rule: string };

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

