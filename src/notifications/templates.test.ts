// Operator SMS wording: the file is checked against the shipped templates, then applied.
// (Overrides are process-wide; node's test runner gives this file its own process.)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../config.js';
import { t } from '../messages/index.js';
import { applySmsTemplatesFile, checkSmsTemplateOverrides } from './templates.js';

test('valid overrides: known SMS keys, placeholders kept, optional greeting may go', () => {
  const r = checkSmsTemplateOverrides({
    fa: { 'sms.verification_active': 'حساب شما فعال شد.', 'sms.registration_code': 'کد: {code}' },
    en: { 'sms.verification_mismatch': '{greeting}: details did not match.' },
  });
  assert.ok(r.ok);
});

test('every problem is reported: unknown key or language, non-SMS key, lost or unknown placeholder, empty or too long text', () => {
  const r = checkSmsTemplateOverrides({
    fa: {
      'sms.no_such_template': 'x',
      'request.invalid': 'x',
      'sms.registration_code': 'کد ندارد',
      'sms.verification_active': '{greeting} {password}',
      'sms.verification_mismatch': '',
      'sms.verification_branch_visit': 'ب'.repeat(269),
    },
    de: {},
  });
  assert.ok(!r.ok);
  const text = r.problems.join('\n');
  for (const expected of [
    'fa.sms.no_such_template: not an SMS template',
    'fa.request.invalid: not an SMS template',
    'fa.sms.registration_code: must keep the placeholder {code}',
    'fa.sms.verification_active: unknown placeholder {password}',
    'fa.sms.verification_mismatch: the text must be a non-empty string',
    'fa.sms.verification_branch_visit: longer than 268 characters',
    'unknown language "de"',
  ]) {
    assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
  }
  assert.ok(!checkSmsTemplateOverrides([]).ok);
});

test('a file is applied over the catalogs; a bad file is a ConfigError naming the problem', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dargah-templates-'));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ fa: { 'sms.registration_code': 'بدون کد' } }));
  assert.throws(() => applySmsTemplatesFile(bad), (e: unknown) => e instanceof ConfigError && /\{code\}/.test(e.message));
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{not json');
  assert.throws(() => applySmsTemplatesFile(broken), ConfigError);

  const good = path.join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ fa: { 'sms.verification_active': '{greeting}، حساب شما در درگاه فعال است.' } }));
  assert.equal(applySmsTemplatesFile(good), 1);
  assert.equal(t('fa', 'sms.verification_active', { greeting: 'خانم احمدی' }), 'خانم احمدی، حساب شما در درگاه فعال است.');
  assert.notEqual(t('en', 'sms.verification_active', { greeting: 'Ms Ahmadi' }), 'Ms Ahmadi');
});
