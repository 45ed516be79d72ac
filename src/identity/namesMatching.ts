// The written policy for comparing a name a person typed with the civil registry's
// (DOMAIN.md, "Matching a person against the civil registry (policy)"), as named rules:
//
//   letters        the folding of names.ts (Arabic/Persian letters, hamza and alef forms,
//                  «ۀ», ZWNJ/space/none, tashkeel, tatweel, a standalone «ء»);
//   allah          «اله» = «الله» inside a name (عبداله = عبدالله);
//   listedSpelling names that certificates write two ways (لیلا/لیلی, جبرئیل/جبرائیل…),
//                  anywhere in the key (words are joined there), never as a general
//                  final «ا»/«ی» rule (علی ≠ علا);
//   tehMarbuta     the Arabic «ة» matches «ه» or «ت» (فاطمة = فاطمه, عزة = عزت), while «ه»
//                  never matches «ت» — a relation, not a folding, so it is applied when
//                  two keys are compared;
//   honorifics     first names only: «سید»، «سیده»، «میر» before and «سادات» after the
//                  name may be on one side only; if both sides carry one, the same one.
//
// Nothing looser: word order is kept, and one letter more or less outside these rules is
// a different name. Whatever the folding of names.ts alone accepted is still accepted.
// Pure; never stored, never shown.
//
// Known limit: registration stores a typed «ة» as «ه» (normalizePersianText), so «عزة»
// typed by a person is compared as «عزه» and does not match a registry's «عزت»; a
// registry's «ة» is compared as written.
import { foldForMatching, foldForNameMatching } from './names.js';

/** Which name of a person is compared: honorifics apply to first names only. */
export type NamePart = 'firstName' | 'lastName';

// ------------------------------------------------------------------ rule: allah

// «ة» too: «عبداللة» is «عبدالله» written with the Arabic letter (and matches it, see sameKey).
const ALLAH = /الل+([هة])/gu;

/** «الله» (and a doubled lām typed by mistake) → «اله», on a folded key. */
export function allahSpelling(key: string): string {
  return key.replace(ALLAH, 'ال$1');
}

// --------------------------------------------------------- rule: listed spellings

/**
 * Names that birth certificates write in more than one way, each group one name. The
 * final «ا»/«ی» is only equal for these (علی ≠ علا); the last group is a spelling no
 * letter rule covers. Add a group only with a test row in namesMatching.test.ts.
 */
export const LISTED_SPELLINGS: readonly (readonly string[])[] = [
  ['لیلا', 'لیلی'],
  ['موسی', 'موسا'],
  ['مصطفی', 'مصطفا'],
  ['عیسی', 'عیسا'],
  ['مرتضی', 'مرتضا'],
  ['یحیی', 'یحیا'],
  ['جبرئیل', 'جبرائیل', 'جبراییل'],
];

// Folded spelling → the folded first spelling of its group.
const CANONICAL = new Map<string, string>(
  LISTED_SPELLINGS.flatMap((group) => {
    const canonical = allahSpelling(foldForNameMatching(group[0]!));
    return group
      .map((spelling) => [allahSpelling(foldForNameMatching(spelling)), canonical] as const)
      .filter(([variant]) => variant !== canonical);
  }),
);
// Longest first, so that a longer spelling is never cut by a shorter one.
const VARIANTS = new RegExp([...CANONICAL.keys()].sort((a, b) => b.length - a.length).join('|'), 'gu');

/**
 * The listed spellings inside a folded key → their group's first spelling. Inside, not
 * only as the whole key: words are joined in a key (space, ZWNJ or none are the same), so
 * «محمد مصطفا» = «محمدمصطفی» and «لیلازاده» = «لیلی‌زاده».
 */
export function listedSpelling(key: string): string {
  let out = key;
  // A replacement could in theory form another listed spelling with its neighbours: again
  // until nothing changes (bounded; the list is small).
  for (let i = 0; i < 4; i++) {
    const next = out.replace(VARIANTS, (v) => CANONICAL.get(v) ?? v);
    if (next === out) break;
    out = next;
  }
  return out;
}

// ------------------------------------------------------------------ rule: letters

/**
 * The comparison key of a name: folded (names.ts; words joined without a separator, so
 * space, ZWNJ or none are the same), «الله» → «اله», listed spellings to their group's.
 * Idempotent: a listed spelling can form «الله» with the letters after it («لیلیلله» →
 * «لیلالله»), so both rules run again until neither changes the key (two passes for such
 * a name; the bound only guards against a rule added later that undoes another).
 */
export function nameKey(name: string): string {
  let key = foldForNameMatching(name);
  for (let pass = 0; pass < 8; pass++) {
    const next = listedSpelling(allahSpelling(key));
    if (next === key) break;
    key = next;
  }
  return key;
}

// -------------------------------------------------------------- rule: tehMarbuta

const TEH_MARBUTA = '\u0629';
const MATCHES_TEH_MARBUTA = new Set([TEH_MARBUTA, 'ه', 'ت']);

/** Two keys are the same name: equal letter by letter, «ة» standing for «ه» or «ت». */
export function sameKey(a: string, b: string): boolean {
  if (a === b) return true;
  const x = [...a];
  const y = [...b];
  if (x.length !== y.length) return false;
  return x.every((c, i) => {
    const d = y[i]!;
    if (c === d) return true;
    if (c === TEH_MARBUTA) return MATCHES_TEH_MARBUTA.has(d);
    if (d === TEH_MARBUTA) return MATCHES_TEH_MARBUTA.has(c);
    return false;
  });
}

// -------------------------------------------------------------- rule: honorifics

// Longest first is not needed: every way of reading a key is tried («سیدهادی» is
// «سید» + «هادی» and «سیده» + «ادی»).
const PREFIXES = ['سید', 'سیده', 'میر'].map((p) => [...foldForNameMatching(p)]);
const SUFFIXES = ['سادات'].map((s) => [...foldForNameMatching(s)]);
/** What is left after an honorific must still be a name (two letters at least). */
const MIN_REST = 2;

export type HonorificReading = { honorifics: string; rest: string };

/**
 * The ways a first-name key can be read as honorifics + name: as it is (no honorific),
 * without a leading prefix, without a trailing «سادات», or without both.
 */
export function honorificReadings(key: string): HonorificReading[] {
  const out: HonorificReading[] = [{ honorifics: '', rest: key }];
  const letters = [...key];
  const heads = [
    { prefix: '', rest: letters },
    ...PREFIXES.filter((p) => sameKey(letters.slice(0, p.length).join(''), p.join(''))).map((p) => ({ prefix: p.join(''), rest: letters.slice(p.length) })),
  ];
  for (const head of heads) {
    const tails = [
      { suffix: '', rest: head.rest },
      ...SUFFIXES.filter((s) => head.rest.length >= s.length && sameKey(head.rest.slice(-s.length).join(''), s.join(''))).map((s) => ({
        suffix: s.join(''),
        rest: head.rest.slice(0, -s.length),
      })),
    ];
    for (const tail of tails) {
      if (head.prefix === '' && tail.suffix === '') continue;
      if (tail.rest.length < MIN_REST) continue;
      out.push({ honorifics: `${head.prefix}|${tail.suffix}`, rest: listedSpelling(tail.rest.join('')) });
    }
  }
  return out;
}

/** Honorifics on one side only, or the same on both. */
function honorificsAgree(a: string, b: string): boolean {
  return a === '' || b === '' || a === b;
}

// ------------------------------------------------------------------- the policy

/** Whether a typed name and the registry's are the same name under the policy. Symmetric. */
export function namesMatch(a: string, b: string, part: NamePart): boolean {
  const ka = nameKey(a);
  const kb = nameKey(b);
  if (sameKey(ka, kb)) return true;
  if (part === 'firstName') {
    const rb = honorificReadings(kb);
    if (honorificReadings(ka).some((x) => rb.some((y) => honorificsAgree(x.honorifics, y.honorifics) && sameKey(x.rest, y.rest)))) return true;
  }
  // The folding names were compared with before this policy was written (names.ts, «ة» →
  // «ه» there): what matched then matches still. The key above already covers it (a
  // property test says so); this is the belt to those braces, reached only on a mismatch.
  return foldForMatching(a) === foldForMatching(b);
}
