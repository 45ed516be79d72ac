import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { lazySchemas } from './lazySchemas.js';

function appWith(schemas: ReturnType<typeof lazySchemas>) {
  const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
  app.post(
    '/items',
    {
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 2 }, count: { type: 'integer', default: 1 } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } } },
      },
    },
    async (request) => ({ ...(request.body as object), secret: 'not in the schema' }),
  );
  app.get('/other', { schema: { querystring: { type: 'object', properties: { page: { type: 'integer' } } } } }, async (request) => request.query);
  return app;
}

test('route schemas are not compiled at start; a request compiles its own, with the behaviour of Fastify’s compilers', async () => {
  const schemas = lazySchemas();
  const app = appWith(schemas);
  await app.ready();
  // The body and response of POST /items, the querystring of GET /other and of its HEAD route.
  assert.equal(schemas.pending(), 4, 'every schema waits for its first use');

  const bad = await app.inject({ method: 'POST', url: '/items', payload: { name: 'x' } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /body\/name must NOT have fewer than 2 characters/);
  const good = await app.inject({ method: 'POST', url: '/items', payload: { name: 'chair' } });
  assert.equal(good.statusCode, 200);
  // Defaults applied by the validator, fields outside the response schema left out by the serializer.
  assert.deepEqual(good.json(), { name: 'chair', count: 1 });
  assert.equal(schemas.pending(), 2, 'only the untouched routes still wait');

  // Coercion of the querystring, as by default.
  assert.deepEqual((await app.inject({ method: 'GET', url: '/other?page=3' })).json(), { page: 3 });
  assert.equal(schemas.pending(), 1, 'HEAD /other has not been asked');
  await app.close();
});

test('warm() compiles what is left between requests and names a schema that does not compile', async () => {
  const schemas = lazySchemas();
  const app = appWith(schemas);
  app.get('/broken', { schema: { querystring: { type: 'object', properties: { page: { type: 'no-such-type' } } } } }, async () => ({}));
  await app.ready();
  assert.equal(schemas.pending(), 6);
  const failures = await schemas.warm();
  assert.equal(schemas.pending(), 0);
  assert.deepEqual(failures.map((f) => f.route), ['GET /broken querystring', 'HEAD /broken querystring']);
  // Its requests fail as a server error, never as a pass.
  assert.equal((await app.inject({ method: 'GET', url: '/broken?page=1' })).statusCode, 500);
  assert.equal((await app.inject({ method: 'POST', url: '/items', payload: { name: 'chair' } })).statusCode, 200);
  await app.close();
});
