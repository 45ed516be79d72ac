// The public contract's small promises: the security-question ids as an enum in the OpenAPI
// document (while a wrong id still gets its field error), and /dev/sms answering JSON to
// any client that does not ask for HTML first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { asksForHtmlFirst } from '../src/notifications/dev.routes.js';
import { SECURITY_QUESTIONS } from '../src/registration/securityQuestions.js';
import { createTestEnv, lastCodeTo, type TestEnv } from './support.js';

let env: TestEnv;
before(async () => {
  env = await createTestEnv();
});
after(async () => {
  await env?.close();
});

describe('OpenAPI', () => {
  test('securityQuestion is an enum of the offered ids', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const details = doc.paths['/api/v1/registration/{flowId}/details'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(details.properties.securityQuestion.enum, [...SECURITY_QUESTIONS]);
    const answer = doc.paths['/api/v1/recovery/question'].post.responses['200'].content['application/json'].schema;
    assert.deepEqual(answer.properties.question.enum, [...SECURITY_QUESTIONS]);
  });

  test('a wrong id is still refused with the field error beside the others', async () => {
    const person = { nationalCode: '0014789663', mobile: '09128890822' };
    const start = await env.app.inject({ method: 'POST', url: '/api/v1/registration', payload: { ...person, mobileOperator: 'mci' } });
    const flowId = start.json().flowId;
    await env.app.inject({ method: 'POST', url: `/api/v1/registration/${flowId}/mobile-code`, payload: { code: await lastCodeTo(env.platform, person.mobile) } });
    const res = await env.app.inject({ method: 'POST', url: `/api/v1/registration/${flowId}/details`, payload: { securityQuestion: 'pet_name', firstName: '' } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error.fields.securityQuestion, 'security_question.invalid');
    assert.ok(body.error.fields.firstName, 'the other field errors come at once');
  });
});

describe('/dev/sms', () => {
  test('JSON unless HTML is asked for first', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html', 'text/html;q=0.5, application/json']) {
      const res = await env.app.inject({ method: 'GET', url: '/dev/sms', headers: accept ? { accept } : {} });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /application\/json/, `Accept: ${accept}`);
      assert.ok(Array.isArray(res.json()));
    }
    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    const page = await env.app.inject({ method: 'GET', url: '/dev/sms', headers: { accept: browserAccept } });
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(asksForHtmlFirst('text/*'), true);
    assert.equal(asksForHtmlFirst('application/json;q=0.9, text/html'), true);
  });
});
