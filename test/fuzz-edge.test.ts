// Hostile bytes over every route of the app (issue 11): the routes come from the app itself
// (app.routeTable, collected by an onRoute hook), the form field names from the pages' own
// forms. Each request carries NUL and other control characters, broken UTF-8 and UTF-16,
// overlong values, Persian and Arabic digits and path tricks in the query, the route
// parameters, form fields (with a valid CSRF token, so handlers are reached) and JSON.
// Whatever the input: never a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions } from 'light-my-request';
import { browser, createTestEnv, type TestEnv } from './support.js';
import { signedInPerson, signedInStaff, type Agent } from './edge.support.js';
import { apiSignIn, insertAccount, PASSWORD } from './signin.support.js';

/** A value that is sent as it is, not percent-encoded (bytes no encoder would produce). */
type Raw = { raw: string };
type Hostile = string | Raw | string[] | Record<string, string>;

const RAW_SEQUENCES = ['%00', '%FF', '%FF%FE', '%C0%80', '%E2%82', '%ED%A0%80', '%0D%0ALocation:%20//evil', '%25%00', '%'];
const HOSTILE_TEXT = [
  '\u0000', 'a\u0000b', '\u0001\u001f\u007f', '\u0085\u009f', '\ud800', 'x\udfffy', '\u202e\u200f', '\ufeff', '\ufffd',
  'سلام\u0000', '۰۹۱۲۳۴۵۶۷۸۹', '٠٩١٢٣٤٥٦٧٨٩', '00123456789\u0000', "'; DROP TABLE accounts; --", '//evil.example/',
  '/\\evil.example', 'https://evil.example/', '\r\nSet-Cookie: x=1', '../../etc/passwd', '<script>alert(1)</script>',
  '{"$gt":""}', '', ' ', 'x'.repeat(3000), 'ی'.repeat(12_000), '\u0000'.repeat(100),
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', 'a', '1', 'ی', '۱', '\ud800', '\udc00', '%', '/', '\\', '\n', '\t', '\u200c', '\u0085'), maxLength: 30 }),
);
const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_SEQUENCES).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'b', '\u0000', '__proto__'), hostileString, { maxKeys: 2 }) },
);

/** Percent-encodes UTF-8 like a browser; a lone surrogate (no UTF-8 form) goes as its invalid 3-byte form. */
function encode(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}
const encodeValue = (v: Hostile): string[] =>
  typeof v === 'string' ? [encode(v)] : 'raw' in v && typeof v.raw === 'string' ? [v.raw] : Array.isArray(v) ? v.map(encode) : Object.values(v).map(encode);
function formOf(fields: Record<string, Hostile>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) for (const e of encodeValue(v)) parts.push(`${encode(k)}=${e}`);
  return parts.join('&');
}
const jsonOf = (v: Hostile): unknown => (typeof v === 'object' && !Array.isArray(v) && 'raw' in v ? decodeURIComponentSafe(v.raw as string) : v);
function decodeURIComponentSafe(s: string) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

type Route = { method: string; url: string };

describe('fuzz: hostile bytes over every route and form never answer 5xx', () => {
  let env: TestEnv;
  let person: Agent;
  let staff: Agent;
  let anonymous: Agent;
  const csrf = new Map<Agent, string>();
  let routes: Route[] = [];
  let personToken = '';
  const fieldNames = new Set<string>([
    'username', 'password', 'nationalCode', 'mobile', 'code', 'reason', 'q', 'next', 'lang', 'intent', 'branchQuery',
    'newPassword', 'newPasswordConfirmation', 'answer', 'trackingCode', 'documents', 'email', 'branchCode', 'foreignNationalId',
  ]);

  before(async () => {
    env = await createTestEnv();
    person = (await signedInPerson(env)).agent;
    staff = await signedInStaff(env, 'fuzz.admin', 'admin');
    anonymous = browser(env.app);
    const p = await insertAccount(env.platform);
    personToken = (JSON.parse((await apiSignIn(env.app, p.nationalCode, PASSWORD)).body) as { sessionToken: string }).sessionToken;
    routes = env.app.routeTable.filter(
      (r) =>
        r.method !== 'HEAD' && r.method !== 'OPTIONS' &&
        !r.url.startsWith('/static/') &&
        // Signing out takes no input; fuzzing it would only sign the agents out.
        r.url !== '/signout' && r.url !== '/backoffice/signout' &&
        // The OpenID provider's own endpoints: their query is fuzzed through /oidc/auth below.
        !r.url.startsWith('/oidc/'),
    );
    routes.push({ method: 'GET', url: '/oidc/auth' });
    // Field names from the pages' own forms.
    for (const r of routes.filter((x) => x.method === 'GET' && !x.url.startsWith('/api/'))) {
      const url = r.url.replace(/:[A-Za-z]+/g, 'x');
      for (const agent of [person, staff, anonymous]) {
        const res = await agent.get(url);
        for (const m of res.body.matchAll(/\bname="([A-Za-z_][\w.-]*)"/g)) if (m[1] !== '_csrf') fieldNames.add(m[1]!);
      }
    }
    for (const [agent, page] of [[person, '/account'], [staff, '/backoffice/search'], [anonymous, '/signin']] as const) {
      const res = await agent.get(page);
      const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
      assert.ok(m, `no CSRF token on ${page}`);
      csrf.set(agent, m[1]!);
    }
    assert.ok(routes.length > 50, `only ${routes.length} routes`);
    assert.ok(fieldNames.size > 25, [...fieldNames].join(','));
  });
  after(() => env.close());

  let requests = 0;
  const statuses = new Map<number, number>();
  const cookieOf = (agent: Agent) => [...agent.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const agentFor = (url: string, pick: number) =>
    url.startsWith('/backoffice') ? staff : url.startsWith('/account') ? person : [person, anonymous, staff][pick % 3]!;


  /** Plausible values, so that one hostile field among them reaches deeper than the first check. */
  const BASE: Record<string, string> = {
    username: '0499370899', nationalCode: '0499370899', mobile: '09121234567', password: 'Gorbeh!Sabz42', code: '123456',
    newPassword: 'Kouh#Damavand57', newPasswordConfirmation: 'Kouh#Damavand57', reason: 'مدارک دیده شد', q: 'تهران',
    answer: 'دبستان فردوسی', trackingCode: '12345678', acceptTerms: 'yes', documents: 'national_card',
  };

  const send = async (route: Route, path: string, fields: Record<string, Hostile>, queryFields: Record<string, Hostile>, agent: Agent, ip: string, authorization?: string) => {
    const qs = formOf(queryFields);
    const url = qs ? `${path}?${qs}` : path;
    const api = route.url.startsWith('/api/');
    const options: InjectOptions = { method: route.method as InjectOptions['method'], url, remoteAddress: ip, headers: { cookie: cookieOf(agent), ...(authorization ? { authorization } : {}) } };
    if (route.method !== 'GET' && route.method !== 'DELETE') {
      if (api) {
        options.payload = JSON.stringify(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, jsonOf(v)])));
        options.headers!['content-type'] = 'application/json';
      } else {
        options.payload = `_csrf=${encodeURIComponent(csrf.get(agent)!)}&${formOf(fields)}`;
        options.headers!['content-type'] = 'application/x-www-form-urlencoded';
      }
    }
    const res = await env.app.inject(options);
    requests++;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    assert.ok(res.statusCode < 500, `${route.method} ${url.slice(0, 300)} ${String(options.payload ?? '').slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };

  test('sweep: a NUL in each field name, in turn, among plausible values, on every route (as anyone)', async () => {
    const names = [...fieldNames];
    let n = 0;
    for (const route of routes) {
      const path = route.url.replace(/:[A-Za-z]+/g, '%00').replace(/\*$/, 'x');
      const agents = route.url.startsWith('/backoffice') ? [staff, anonymous] : route.url.startsWith('/account') ? [person] : [person, anonymous];
      for (const agent of agents) {
        await send(route, path, {}, {}, agent, `198.51.100.${(n++ % 250) + 1}`);
        for (const name of names) {
          const fields = { ...BASE, [name]: `${BASE[name] ?? 'x'}\u0000` };
          const plain = route.url.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x');
          const get = route.method === 'GET' || route.method === 'DELETE';
          await send(route, plain, get ? {} : fields, get ? { [name]: fields[name]! } : {}, agent, `198.51.100.${(n++ % 250) + 1}`, route.url.startsWith('/api/') ? `Bearer ${personToken}` : undefined);
        }
      }
    }
  });

  test('every route with hostile query, parameters, form fields and JSON', async () => {
    const names = [...fieldNames];
    const sample = fc.record({
      route: fc.constantFrom(...routes),
      params: fc.array(hostileValue, { minLength: 3, maxLength: 3 }),
      query: fc.dictionary(fc.constantFrom(...names), hostileValue, { maxKeys: 3 }),
      fields: fc.dictionary(fc.constantFrom(...names), hostileValue, { minKeys: 1, maxKeys: 6 }),
      pick: fc.nat(),
      bearer: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(sample, async ({ route, params, query, fields, pick, bearer }) => {
        let i = 0;
        const path = route.url
          .replace(/:[A-Za-z]+/g, () => encodeValue(params[i++ % 3]!)[0] ?? 'x')
          .replace(/\*$/, 'x');
        const agent = agentFor(route.url, pick);
        const get = route.method === 'GET' || route.method === 'DELETE';
        const body = { ...(pick % 2 ? BASE : {}), ...fields };
        const authorization = route.url.startsWith('/api/') && bearer ? `Bearer ${pick % 2 ? personToken : (encodeValue(params[0]!)[0] ?? '')}` : undefined;
        await send(route, path, get ? {} : body, get ? { ...query, ...fields } : query, agent, `192.0.2.${(pick % 250) + 1}`, authorization);
      }),
      { numRuns: Math.max(400, routes.length * 8), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    // The fuzz reached handlers, not only the guard: successes, redirects and form errors too.
    assert.ok([...statuses.keys()].some((s) => s < 300), JSON.stringify([...statuses]));
    assert.ok([...statuses.keys()].some((s) => s === 303), JSON.stringify([...statuses]));
    assert.ok(requests >= 400);
  });

  test('the agents were still signed in at the end (the fuzz reached the signed-in handlers)', async () => {
    assert.equal((await person.get('/account')).statusCode, 200);
    assert.equal((await staff.get('/backoffice/search')).statusCode, 200);
  });
});
