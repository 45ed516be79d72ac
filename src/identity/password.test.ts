// Tests: each password rule alone and together, personal information, zxcvbn strength, speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_PASSWORD_POLICY,
  PASSWORD_ERRORS,
  checkPassword,
  passwordMessageParams,
  warmUpPasswordChecker,
  type PasswordContext,
  type PasswordError,
  type PasswordPolicy,
} from './password.js';

const person: PasswordContext = { firstName: 'Ali', lastName: 'Rezaei', nationalCode: '0499370899', username: '0499370899' };
const check = (password: unknown, policy: Partial<PasswordPolicy> = {}, context: PasswordContext = person) =>
  checkPassword(password, context, { ...DEFAULT_PASSWORD_POLICY, ...policy });
// The rules without the strength score, to test each rule on its own.
const rulesOnly = { minStrengthScore: 0 } as const;

describe('DEFAULT_PASSWORD_POLICY', () => {
  it('holds the seed defaults plus a strength score of 3', () => {
    assert.deepEqual(DEFAULT_PASSWORD_POLICY, {
      minLength: 8,
      maxLength: 128,
      mustStartWithLetter: true,
      requireUpper: true,
      requireLower: true,
      requireDigit: true,
      allowedSymbols: '&%$#!',
      forbidPersonalInfo: true,
      minStrengthScore: 3,
    });
    assert.ok(Object.isFrozen(DEFAULT_PASSWORD_POLICY));
  });
});

describe('checkPassword', () => {
  for (const password of ['Kx7mQ2pLv9', 'Sabz&Kooh93Ruz', 'Zt4!vWq9Lp', 'Hj3kLm9Qw', 'Gorbeh7Siah&Daryacheh']) {
    it(`accepts ${password}`, () => assert.deepEqual(check(password), []));
  }

  const single: [string, PasswordError][] = [
    ['Kx7mQ2p', 'password.too_short'],
    ['Kx7mQ2pLv9 ', 'password.invalid_characters'],
    ['Kx7mQ2pLv9@', 'password.invalid_characters'],
    ['Kx7mQ2pLv9^', 'password.invalid_characters'],
    ['Kx7mQ2pLvé9', 'password.invalid_characters'],
    ['Kx7mQ2pLv9سلام', 'password.invalid_characters'],
    ['9Kx7mQ2pLv', 'password.must_start_with_letter'],
    ['#Kx7mQ2pLv9', 'password.must_start_with_letter'],
    ['kx7mq2plv9', 'password.needs_upper'],
    ['KX7MQ2PLV9', 'password.needs_lower'],
    ['KxsmQzpLvn', 'password.needs_digit'],
  ];
  for (const [password, error] of single) {
    it(`${JSON.stringify(password)}: ${error}`, () => assert.deepEqual(check(password, rulesOnly), [error]));
  }

  it('allows each of the seed symbols & % $ # !', () => {
    for (const symbol of '&%$#!') assert.deepEqual(check(`Kx7mQ2pLv9${symbol}`, rulesOnly), [], symbol);
  });

  it('a Persian digit is neither allowed nor counted as a digit', () => {
    assert.deepEqual(check('KxsmQzpLv۹', rulesOnly), ['password.invalid_characters', 'password.needs_digit']);
  });

  it('too_long above maxLength, without running the strength estimator', () => {
    const long = `Kx7mQ2pLv9${'a'.repeat(119)}`;
    assert.equal(long.length, 129);
    assert.deepEqual(check(long), ['password.too_long']);
    assert.deepEqual(check(long.slice(0, 128), rulesOnly), []);
  });

  for (const input of ['', undefined, null, 12345678, ['Kx7mQ2pLv9']]) {
    it(`required: ${JSON.stringify(input)}`, () => assert.deepEqual(check(input), ['password.required']));
  }

  it('reports every broken rule at once, in a stable order', () => {
    assert.deepEqual(check('1'), [
      'password.too_short',
      'password.must_start_with_letter',
      'password.needs_upper',
      'password.needs_lower',
      'password.too_weak',
    ]);
    assert.deepEqual(check(' '), [
      'password.too_short',
      'password.invalid_characters',
      'password.must_start_with_letter',
      'password.needs_upper',
      'password.needs_lower',
      'password.needs_digit',
      'password.too_weak',
    ]);
  });

  describe('personal information', () => {
    const cases: [string, PasswordContext, string][] = [
      ['Qz7Ali#wpX', person, 'first name'],
      ['qz7ALI#wpX', person, 'first name, other case'],
      ['Xy7Rezaei!Q', person, 'last name'],
      ['Qz0499370899x', person, 'national code'],
      ['Qz499370899x', person, 'national code without its leading zero'],
      ['Qz0499370899x', { nationalCode: '۰۴۹۹۳۷۰۸۹۹' }, 'national code given in Persian digits'],
      ['Qz0499370899x', { nationalCode: '049-937-0899' }, 'national code given with hyphens'],
      ['Pq9jdoe2024X', { username: 'jdoe' }, 'username'],
      ['Kx7alireza9Q', { firstName: 'Ali Reza' }, 'a two-word name written together'],
      ['Kx7reza9Qmnb', { firstName: 'Ali Reza' }, 'one word of a two-word name'],
    ];
    for (const [password, context, why] of cases) {
      it(why, () => assert.deepEqual(check(password, rulesOnly, context), ['password.contains_personal_info']));
    }
    it('ignores names shorter than three letters and Persian names in a Latin password', () => {
      assert.deepEqual(check('Kx7mQ2pLv9', rulesOnly, { firstName: 'Kx', lastName: 'رضایی' }), []);
      assert.deepEqual(check('Kx7mQ2pLv9', rulesOnly, {}), []);
    });
    it('can be turned off', () => {
      assert.deepEqual(check('Qz7Ali#wpX', { ...rulesOnly, forbidPersonalInfo: false }), []);
    });
  });

  describe('strength (zxcvbn)', () => {
    for (const password of ['Password1', 'Qwerty123', 'Amir12345', 'Tehran1403', 'Mashhad1370', 'Persepolis1']) {
      it(`${password} keeps every seed rule but is too weak`, () => {
        assert.deepEqual(check(password, rulesOnly), []);
        assert.deepEqual(check(password), ['password.too_weak']);
      });
    }
    it('treats the person’s own data as guessable', () => {
      // Without the context the same password is strong enough.
      assert.deepEqual(check('AliRezaei1370', { forbidPersonalInfo: false }, {}), []);
      assert.deepEqual(check('AliRezaei1370', { forbidPersonalInfo: false }), ['password.too_weak']);
    });
    it('follows minStrengthScore', () => {
      assert.deepEqual(check('Password1', { minStrengthScore: 0 }), []);
      assert.deepEqual(check('Kx7mQ2pLv9', { minStrengthScore: 4 }), ['password.too_weak']);
      assert.deepEqual(check('Gorbeh7Siah&Daryacheh', { minStrengthScore: 4 }), []);
    });
  });

  describe('other policies', () => {
    it('no symbols allowed', () => {
      assert.deepEqual(check('Kx7mQ2pLv9!', { ...rulesOnly, allowedSymbols: '' }), ['password.invalid_characters']);
    });
    it('extra symbols allowed', () => {
      assert.deepEqual(check('Kx7mQ2pLv9@', { ...rulesOnly, allowedSymbols: '@' }), []);
    });
    it('no letter-first, upper, lower or digit rules', () => {
      const relaxed = { ...rulesOnly, mustStartWithLetter: false, requireUpper: false, requireLower: false, requireDigit: false };
      assert.deepEqual(check('12345678', relaxed), []);
      assert.deepEqual(check('abcdefgh', relaxed), []);
    });
    it('other lengths', () => {
      assert.deepEqual(check('Kx7mQ2pLv9', { ...rulesOnly, minLength: 12 }), ['password.too_short']);
      assert.deepEqual(check('Kx7mQ2pLv9', { ...rulesOnly, maxLength: 9 }), ['password.too_long']);
    });
  });

  it('never throws; returns declared codes, without duplicates, in PASSWORD_ERRORS order', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 40 })), (input) => {
        const errors = check(input);
        const positions = errors.map((e) => PASSWORD_ERRORS.indexOf(e));
        assert.ok(positions.every((p) => p >= 0));
        assert.deepEqual(positions, [...new Set(positions)].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('is fast (timing logged, not asserted)', (t) => {
    warmUpPasswordChecker();
    const samples = ['Kx7mQ2pLv9', 'Password1', 'Sabz&Kooh93Ruz', 'Rezaei!2024Xy', 'Tehran1403', 'Gorbeh7Siah&Daryacheh'];
    for (const s of samples) check(s);
    const runs = 300;
    const started = performance.now();
    for (let i = 0; i < runs; i++) check(`${samples[i % samples.length]}${i}`);
    const perCheck = (performance.now() - started) / runs;
    t.diagnostic(`checkPassword: ${perCheck.toFixed(2)} ms per call (mean of ${runs}, target < 5 ms)`);
  });
});

describe('passwordMessageParams', () => {
  it('gives the placeholder values of the policy', () => {
    assert.deepEqual(passwordMessageParams(DEFAULT_PASSWORD_POLICY), { min: 8, max: 128, symbols: '& % $ # !' });
    assert.deepEqual(passwordMessageParams({ ...DEFAULT_PASSWORD_POLICY, minLength: 10, allowedSymbols: '' }).min, 10);
  });
});
