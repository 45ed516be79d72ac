// Countries of residence offered in registration: ISO 3166-1 alpha-2 codes; names come
// from Intl (Persian and English) so no list of names is kept by hand.
export const COUNTRIES = [
  'IR', 'AF', 'IQ', 'TR', 'AE', 'QA', 'KW', 'OM', 'BH', 'SA', 'AM', 'AZ', 'GE', 'TM', 'TJ', 'UZ', 'KZ', 'PK', 'IN',
  'CN', 'RU', 'DE', 'GB', 'FR', 'IT', 'ES', 'NL', 'SE', 'NO', 'DK', 'AT', 'CH', 'BE', 'CA', 'US', 'AU', 'NZ', 'MY', 'JP', 'KR',
] as const;
export type Country = (typeof COUNTRIES)[number];

const names = new Map<string, Intl.DisplayNames>();
export function countryName(code: string, lang: 'fa' | 'en'): string {
  let dn = names.get(lang);
  if (!dn) {
    dn = new Intl.DisplayNames([lang], { type: 'region' });
    names.set(lang, dn);
  }
  return dn.of(code) ?? code;
}

export function parseCountry(input: unknown) {
  const v = typeof input === 'string' ? input.trim().toUpperCase() : '';
  if (v === '') return { ok: false, error: 'country.required' } as const;
  return (COUNTRIES as readonly string[]).includes(v)
    ? ({ ok: true, value: v as Country } as const)
    : ({ ok: false, error: 'country.invalid' } as const);
}
