// Iran's provinces and their cities for the registration form, from the `iran-cities`
// package (MIT; its JSON files are read, its code is not run). A city is chosen from its
// province's list, so the registries get a name they know rather than free typing.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Province = { id: string; name: string; cities: readonly string[] };

const require = createRequire(import.meta.url);

/** Spaces after the conjunction «و» (the data writes «سیستان وبلوچستان»); one space at most. */
const tidy = (s: string) => s.replace(/\s+/g, ' ').replace(/ و(?=\S)/g, ' و ').trim();

function load(): readonly Province[] {
  const read = (file: string) => JSON.parse(readFileSync(require.resolve(`iran-cities/json/${file}`), 'utf8')) as unknown;
  const provinces = read('province.json') as { id: string; name: string }[];
  const cities = read('city.json') as { province_id: string; name: string }[];
  const collator = new Intl.Collator('fa');
  return provinces.map((p) => ({
    id: String(p.id),
    name: tidy(p.name),
    cities: [...new Set(cities.filter((c) => String(c.province_id) === String(p.id)).map((c) => tidy(c.name)))].sort(collator.compare),
  }));
}

export const PROVINCES: readonly Province[] = load();

const byKey = new Map(PROVINCES.flatMap((p) => [[p.id, p] as const, [p.name, p] as const]));

/** A province by its name (what the form sends) or its number in the data. */
export function provinceById(key: string | undefined): Province | undefined {
  return key ? byKey.get(tidy(key)) : undefined;
}

/** The province a city belongs to (the first, for the few names two provinces share). */
export function provinceOfCity(city: string): Province | undefined {
  return PROVINCES.find((p) => p.cities.includes(city));
}

export type PlaceChoice =
  | { ok: true; city: string; province: Province }
  | { ok: false; field: 'province' | 'city'; error: 'place.province_required' | 'place.city_required' | 'place.city_not_in_province' | 'place.city_unknown' };

/**
 * Checks a province and a city picked on the form. Without JavaScript only the grouped city
 * list may have been used: the province is then the city's own.
 */
export function choosePlace(provinceId: string | undefined, city: string | undefined): PlaceChoice {
  const name = tidy(city ?? '');
  const province = provinceById(provinceId?.trim());
  if (!name) return { ok: false, field: 'city', error: 'place.city_required' };
  if (province) {
    return province.cities.includes(name) ? { ok: true, city: name, province } : { ok: false, field: 'city', error: 'place.city_not_in_province' };
  }
  if (provinceId?.trim()) return { ok: false, field: 'province', error: 'place.province_required' };
  const own = provinceOfCity(name);
  return own ? { ok: true, city: name, province: own } : { ok: false, field: 'city', error: 'place.city_unknown' };
}
