// Tests: every error code has Persian and English text, placeholders and limits agree with the code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BIRTH_CERTIFICATE_NUMBER_ERRORS,
  BIRTH_CERTIFICATE_SERIAL_ERRORS,
  BIRTH_CERTIFICATE_SERIES_ERRORS,
  parseBirthCertificateNumber,
  parseBirthCertificateSerial,
  parseBirthCertificateSeries,
  parseBirthCertificateSeriesParts,
} from './birthCertificate.js';
import { toPersianDigits } from './digits.js';
import { EMAIL_ERRORS, parseEmail, parseOptionalEmail } from './email.js';
import { FOREIGN_NATIONAL_ID_ERRORS, parseForeignNationalId } from './foreignNationalId.js';
import { GENDER_ERRORS, parseGender } from './gender.js';
import { identityMessages, type IdentityErrorCode, type IdentityMessageKey } from './identity.messages.js';
import { INSURANCE_NUMBER_ERRORS, parseInsuranceNumber } from './insuranceNumber.js';
import { BIRTH_DATE_ERRORS, MAX_AGE_YEARS, MIN_BIRTH_YEAR, parseJalaliIso, parseJalaliParts } from './jalali.js';
import { MOBILE_ERRORS, MOBILE_OPERATOR_ERRORS, parseMobile, parseMobileOperator } from './mobile.js';
import {
  CITY_ERRORS,
  COUNTRY_ERRORS,
  FIRST_NAME_ERRORS,
  LAST_NAME_ERRORS,
  PERSON_NAME_MAX_LENGTH,
  PERSON_NAME_MIN_LENGTH,
  PLACE_NAME_MAX_LENGTH,
  PLACE_NAME_MIN_LENGTH,
  parsePersonName,
  parsePlaceName,
} from './names.js';
import { NATIONAL_CODE_ERRORS, parseNationalCode } from './nationalCode.js';
import { PASSWORD_ERRORS, checkPassword, DEFAULT_PASSWORD_POLICY } from './password.js';
import type { Result } from './result.js';
import {
  SECURITY_ANSWER_ERRORS,
  SECURITY_ANSWER_MAX_LENGTH,
  SECURITY_ANSWER_MIN_LENGTH,
  parseSecurityAnswer,
} from './securityAnswer.js';

const { fa, en } = identityMessages;

// Compile-time: the catalog keys are exactly the codes the rules can return.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keysAreCodes: Same<IdentityMessageKey, IdentityErrorCode> = true;
void keysAreCodes;

const DECLARED: readonly (readonly IdentityErrorCode[])[] = [
  NATIONAL_CODE_ERRORS,
  FOREIGN_NATIONAL_ID_ERRORS,
  MOBILE_OPERATOR_ERRORS,
  MOBILE_ERRORS,
  FIRST_NAME_ERRORS,
  LAST_NAME_ERRORS,
  CITY_ERRORS,
  COUNTRY_ERRORS,
  BIRTH_DATE_ERRORS,
  BIRTH_CERTIFICATE_NUMBER_ERRORS,
  BIRTH_CERTIFICATE_SERIAL_ERRORS,
  BIRTH_CERTIFICATE_SERIES_ERRORS,
  PASSWORD_ERRORS,
  SECURITY_ANSWER_ERRORS,
  EMAIL_ERRORS,
  GENDER_ERRORS,
  INSURANCE_NUMBER_ERRORS,
];
const allCodes = DECLARED.flat();

const PERSIAN_LETTER = /[\u0600-\u06FF]/u;

describe('identityMessages', () => {
  it('has a Persian and an English text for every declared code, and no other key', () => {
    assert.deepEqual(Object.keys(fa).sort(), [...new Set(allCodes)].sort());
    assert.deepEqual(Object.keys(en).sort(), Object.keys(fa).sort());
    for (const code of allCodes) {
      assert.ok(fa[code].trim().length > 0 && PERSIAN_LETTER.test(fa[code]), `fa ${code}`);
      assert.ok(en[code].trim().length > 0 && /[A-Za-z]/.test(en[code]), `en ${code}`);
    }
  });

  it('codes are <field>.<problem>', () => {
    for (const code of allCodes) assert.match(code, /^[a-z_]+\.[a-z_]+$/);
  });

  it('Persian texts write numbers in Persian digits', () => {
    for (const [code, text] of Object.entries(fa)) assert.doesNotMatch(text, /[0-9]/, code);
  });

  it('placeholders are the documented ones, in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const expected: Partial<Record<IdentityMessageKey, string[]>> = {
      'password.too_short': ['min'],
      'password.too_long': ['max'],
      'password.invalid_characters': ['symbols'],
    };
    for (const code of allCodes) {
      assert.deepEqual(placeholders(fa[code]), expected[code] ?? [], `fa ${code}`);
      assert.deepEqual(placeholders(en[code]), expected[code] ?? [], `en ${code}`);
    }
  });

  it('fixed limits written in the texts agree with the code', () => {
    const mentions = (code: IdentityMessageKey, n: number) => {
      assert.ok(fa[code].includes(toPersianDigits(String(n))), `fa ${code} should mention ${n}`);
      assert.ok(en[code].includes(String(n)), `en ${code} should mention ${n}`);
    };
    for (const field of ['first_name', 'last_name'] as const) {
      mentions(`${field}.invalid`, PERSON_NAME_MIN_LENGTH);
      mentions(`${field}.too_long`, PERSON_NAME_MAX_LENGTH);
    }
    for (const field of ['city', 'country'] as const) {
      mentions(`${field}.invalid`, PLACE_NAME_MIN_LENGTH);
      mentions(`${field}.too_long`, PLACE_NAME_MAX_LENGTH);
    }
    mentions('security_answer.too_short', SECURITY_ANSWER_MIN_LENGTH);
    mentions('security_answer.too_long', SECURITY_ANSWER_MAX_LENGTH);
    mentions('birth_date.too_old', MAX_AGE_YEARS);
    mentions('national_code.format', 10);
    mentions('foreign_national_id.format', 12);
    mentions('birth_certificate_serial.format', 6);
    mentions('insurance_number.format', 10);
    assert.ok(MIN_BIRTH_YEAR <= 1370, 'the example year in birth_date.invalid must be accepted');
  });

  it('every code any function actually returns has both texts', () => {
    const today = new Date('2024-06-01T12:00:00Z');
    const returned = new Set<string>();
    const collect = (result: Result<unknown, string>) => {
      if (!result.ok) returned.add(result.error);
    };
    const inputs = fc.sample(
      fc.oneof(
        fc.anything(),
        fc.string({ unit: 'binary' }),
        fc.stringMatching(/^[\d۰-۹ /-]{0,14}$/),
        fc.constantFrom('', ' ', '0', '1', '0000000000', '1234567890', '0912', '1403-13-01', '1500-01-01', 'a'.repeat(300)),
      ),
      { numRuns: 1500, seed: 42 },
    );
    for (const input of inputs) {
      collect(parseNationalCode(input));
      collect(parseForeignNationalId(input));
      collect(parseMobileOperator(input));
      collect(parseMobile(input));
      collect(parsePersonName(input, 'first_name'));
      collect(parsePersonName(input, 'last_name'));
      collect(parsePlaceName(input, 'city'));
      collect(parsePlaceName(input, 'country'));
      collect(parseJalaliIso(input, today));
      collect(parseJalaliParts({ year: input, month: 1, day: 1 }, today));
      collect(parseBirthCertificateNumber(input));
      collect(parseBirthCertificateSerial(input));
      collect(parseBirthCertificateSeries(input));
      collect(parseBirthCertificateSeriesParts(input, '12'));
      collect(parseSecurityAnswer(input));
      collect(parseOptionalEmail(input));
      collect(parseEmail(input));
      collect(parseGender(input));
      collect(parseInsuranceNumber(input));
      if (typeof input === 'string' && input.length < 200) for (const e of checkPassword(input, {}, DEFAULT_PASSWORD_POLICY)) returned.add(e);
    }
    assert.ok(returned.size > 30, `only ${returned.size} codes seen`);
    for (const code of returned) {
      assert.ok(Object.hasOwn(fa, code) && Object.hasOwn(en, code), `${code} has no text`);
    }
  });
});
