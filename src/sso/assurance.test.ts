import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACR, acrSatisfies, amrOf, requestedAcrs } from './assurance.js';

test('acr_values: only our levels count; the branch level meets a request for either', () => {
  assert.deepEqual(requestedAcrs(`urn:other ${ACR.branch}`), [ACR.branch]);
  assert.deepEqual(requestedAcrs(undefined), []);
  assert.equal(acrSatisfies(ACR.registries, []), true);
  assert.equal(acrSatisfies(ACR.registries, [ACR.branch]), false);
  assert.equal(acrSatisfies(ACR.branch, [ACR.branch]), true);
  assert.equal(acrSatisfies(ACR.branch, [ACR.registries]), true);
  assert.equal(acrSatisfies(ACR.registries, [ACR.registries, ACR.branch]), true);
  assert.equal(acrSatisfies(undefined, [ACR.registries]), false);
});

test('amr of the sign-in methods (RFC 8176)', () => {
  assert.deepEqual(amrOf('password'), ['pwd']);
  assert.deepEqual(amrOf('temporary_password'), ['pwd']);
  assert.deepEqual(amrOf('sms_code'), ['sms']);
  assert.deepEqual(amrOf('passkey'), ['swk', 'user']);
  assert.deepEqual(amrOf('something new'), []);
});
