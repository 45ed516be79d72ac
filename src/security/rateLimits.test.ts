// Tests: the rate limiter while Redis cannot be reached decides with its in-process guard
// and never waits for a connection (ioredis would hold a command until it reconnects).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createRateLimiter } from './rateLimits.js';

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('Redis unreachable: consume, reward, peek and reset all settle at once, on the stricter guard', { timeout: 20_000 }, async () => {
  // A client that would hold every command until a connection that never comes: anything
  // sent to it never settles, so the test would end by its time-out instead of passing.
  const redis = new Redis({ port: await unusedPort(), host: '127.0.0.1', maxRetriesPerRequest: null, retryStrategy: () => 100, enableOfflineQueue: true });
  redis.on('error', () => {});
  try {
    const limiter = createRateLimiter({ rules: { tries: { points: 4, durationSeconds: 60, blockSeconds: 0 } }, redis, prefix: 'rate-test', hashKey: (k) => k });
    // The guard allows half the row: 2 of 4.
    assert.deepEqual(await limiter.consume('tries', 'k'), { allowed: true, remaining: 1 });
    assert.deepEqual(await limiter.consume('tries', 'k'), { allowed: true, remaining: 0 });
    assert.equal((await limiter.consume('tries', 'k')).allowed, false);
    assert.equal((await limiter.peek('tries', 'k')).allowed, false);
    await limiter.reset('tries', 'k');
    assert.deepEqual(await limiter.peek('tries', 'k'), { allowed: true, remaining: 2 });
    assert.equal((await limiter.consume('tries', 'k')).allowed, true);
    await limiter.reward('tries', 'k');
    assert.deepEqual(await limiter.consume('tries', 'k'), { allowed: true, remaining: 1 });
  } finally {
    redis.disconnect();
  }
});
