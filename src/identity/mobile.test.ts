// Tests: mobile number spellings, the operator prefix table and the operator select.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPersianDigits } from './digits.js';
import {
  MOBILE_ERRORS,
  MOBILE_OPERATORS,
  MOBILE_OPERATOR_ERRORS,
  maskMobile,
  operatorOfMobile,
  parseMobile,
  parseMobileOperator,
  type MobileNetwork,
} from './mobile.js';
import { err, ok } from './result.js';

describe('parseMobile', () => {
  const spellings = [
    '09121234567',
    '+989121234567',
    '00989121234567',
    '989121234567',
    '9121234567',
    '+98 912 123 4567',
    '+98-912-123-4567',
    '(0912) 123-4567',
    '+98 (912) 123 4567',
    '+98 0912 123 4567',
    '0912.123.4567',
    ' 0912 123 45 67 ',
    '۰۹۱۲۱۲۳۴۵۶۷',
    '٠٩١٢١٢٣٤٥٦٧',
    '+۹۸۹۱۲۱۲۳۴۵۶۷',
    '۰۰۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷',
    '\u200F+989121234567\u200E',
  ];
  for (const input of spellings) {
    it(`${JSON.stringify(input)} → 09121234567`, () => assert.deepEqual(parseMobile(input), ok('09121234567')));
  }

  const malformed: [unknown, string][] = [
    ['0912123456', '10 digits'],
    ['091212345678', '12 digits'],
    ['02112345678', 'a Tehran landline'],
    ['08112345678', 'not a 09 number'],
    ['09512345678', '095x is not a mobile block'],
    ['09812345678', '098x is not a mobile block'],
    ['+971501234567', 'another country'],
    ['+9121234567', 'a plus without the country code'],
    ['0989121234567', 'a trunk zero before the country code'],
    ['98912345678', 'country code and too few digits'],
    ['0912123456x', 'a letter'],
    ['0912*123*4567', 'stars'],
    [9121234567, 'a number'],
    [['09121234567'], 'an array'],
  ];
  for (const [input, why] of malformed) {
    it(`format: ${JSON.stringify(input)} (${why})`, () => assert.deepEqual(parseMobile(input), err('mobile.format')));
  }
  for (const input of [undefined, null, '', '   ', '()', ' - ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseMobile(input), err('mobile.required')));
  }

  it('accepts prefixes the table does not know inside the mobile blocks (new allocations)', () => {
    for (const m of ['09061234567', '09251234567', '09311234567', '09401234567', '09971234567']) {
      assert.deepEqual(parseMobile(m), ok(m));
    }
  });

  // Numbers in the mobile blocks 090–094 and 099.
  const subscriber = fc
    .tuple(fc.constantFrom('0', '1', '2', '3', '4', '9'), fc.stringMatching(/^\d{8}$/))
    .map(([block, rest]) => `09${block}${rest}`);

  it('every way of writing a number gives the same stored form', () => {
    fc.assert(
      fc.property(subscriber, (mobile) => {
        const national = mobile.slice(1);
        for (const spelling of [mobile, `+98${national}`, `0098${national}`, `98${national}`, national, toPersianDigits(mobile)]) {
          assert.deepEqual(parseMobile(spelling), ok(mobile), spelling);
        }
      }),
    );
  });

  it('is idempotent on its output', () => {
    fc.assert(
      fc.property(fc.oneof(subscriber, fc.stringMatching(/^[+0-9 ()-]{0,16}$/)), (input) => {
        const once = parseMobile(input);
        if (once.ok) assert.deepEqual(parseMobile(once.value), once);
      }),
    );
  });

  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary' })), (input) => {
        const result = parseMobile(input);
        if (result.ok) assert.match(result.value, /^09\d{9}$/);
        else assert.ok(MOBILE_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('operatorOfMobile', () => {
  // DOMAIN.md prefix table, written out prefix by prefix.
  const expected = new Map<number, MobileNetwork>();
  const assign = (network: MobileNetwork, ...prefixes: number[]) => prefixes.forEach((p) => expected.set(p, network));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  assign('mci', ...range(910, 919), ...range(990, 996));
  assign('irancell', ...range(900, 905), 930, 933, ...range(935, 939), 941);
  assign('rightel', ...range(920, 924));
  assign('taliya', 932);
  assign('telekish', 934);
  assign('shatel', 998);
  assign('aptel', 999);

  it('follows the prefix table for every 09xx prefix', () => {
    for (let prefix = 900; prefix <= 999; prefix++) {
      assert.equal(operatorOfMobile(`0${prefix}1234567`), expected.get(prefix) ?? null, String(prefix));
    }
  });
  it('reads any spelling of the number', () => {
    assert.equal(operatorOfMobile('+98 935 123 4567'), 'irancell');
    assert.equal(operatorOfMobile('۰۹۲۱۱۲۳۴۵۶۷'), 'rightel');
  });
  it('is null for something that is not a mobile number', () => {
    assert.equal(operatorOfMobile('02112345678'), null);
    assert.equal(operatorOfMobile(''), null);
  });
});

describe('parseMobileOperator', () => {
  for (const operator of MOBILE_OPERATORS) {
    it(`accepts ${operator}`, () => {
      assert.deepEqual(parseMobileOperator(operator), ok(operator));
      assert.deepEqual(parseMobileOperator(` ${operator.toUpperCase()} `), ok(operator));
    });
  }
  for (const input of ['hamrahe aval', 'taliya', 'mtn', 'همراه اول', 1, ['mci']]) {
    it(`invalid: ${JSON.stringify(input)}`, () => assert.deepEqual(parseMobileOperator(input), err('mobile_operator.invalid')));
  }
  for (const input of [undefined, null, '', '  ']) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(parseMobileOperator(input), err('mobile_operator.required')));
  }
  it('never throws, and only returns its declared codes', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = parseMobileOperator(input);
        if (result.ok) assert.ok(MOBILE_OPERATORS.includes(result.value));
        else assert.ok(MOBILE_OPERATOR_ERRORS.includes(result.error));
      }),
    );
  });
});

describe('maskMobile', () => {
  it('keeps the prefix and the last four digits', () => {
    assert.equal(maskMobile('09121234567'), '0912***4567');
    assert.equal(maskMobile('+98 912 123 4567'), '0912***4567');
  });
  it('reveals nothing of something that is not a mobile number', () => {
    assert.equal(maskMobile('12345'), '***********');
  });
});
