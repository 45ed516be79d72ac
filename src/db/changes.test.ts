import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createAccountCopies, createChangeFeed } from './changes.js';

/** A feed on a fake database whose notices and connection state the test drives. */
function fakeFeed(logger = pino({ level: 'silent' })) {
  let notice: (payload: string) => void = () => {};
  let live: (isLive: boolean) => void = () => {};
  const feed = createChangeFeed({
    database: {
      listen: async (_channel, onNotice, onLive) => {
        notice = onNotice;
        live = onLive;
        onLive(true);
        return async () => onLive(false);
      },
    },
    schema: 'public',
    logger,
  });
  return { feed, notice: (p: string) => notice(p), connection: (isLive: boolean) => live(isLive) };
}

describe('copies of account data', () => {
  it('serves a copy until a notice of its account, then reads again', async () => {
    const { feed, notice } = fakeFeed();
    await feed.start();
    const copies = createAccountCopies<string>(feed, { max: 10, ttlMs: 60_000 });
    let reads = 0;
    const load = async () => ({ accountId: 'a1', value: `v${++reads}` });
    assert.equal(await copies.read('k', load), 'v1');
    assert.equal(await copies.read('k', load), 'v1', 'a copy');
    notice('a2');
    assert.equal(await copies.read('k', load), 'v1', 'another account changed');
    notice('a1');
    assert.equal(await copies.read('k', load), 'v2', 'its account changed');
    notice('*');
    assert.equal(await copies.read('k', load), 'v3', 'everything changed');
  });

  it('never keeps what a read loaded while a change was seen (a slow read cannot put back what a notice removed)', async () => {
    const { feed, notice } = fakeFeed();
    await feed.start();
    const copies = createAccountCopies<string>(feed, { max: 10, ttlMs: 60_000 });
    let reads = 0;
    const slow = async () => {
      const value = `v${++reads}`;
      notice('a1'); // committed while this read was on its way
      return { accountId: 'a1', value };
    };
    assert.equal(await copies.read('k', slow), 'v1');
    assert.equal(copies.size, 0);
    feed.changed('zz'); // a change of this process counts the same
    assert.equal(copies.size, 0);
  });

  it('makes and serves no copy while not listening, and drops all when listening again', async () => {
    const { feed, connection } = fakeFeed();
    const copies = createAccountCopies<string>(feed, { max: 10, ttlMs: 60_000 });
    let reads = 0;
    const load = async () => ({ accountId: 'a1', value: `v${++reads}` });
    assert.equal(await copies.read('k', load), 'v1', 'before start');
    assert.equal(await copies.read('k', load), 'v2', 'no copy before the feed listens');
    await feed.start();
    assert.equal(await copies.read('k', load), 'v3');
    assert.equal(await copies.read('k', load), 'v3');
    connection(false);
    assert.equal(await copies.read('k', load), 'v4', 'connection lost: the database answers');
    assert.equal(await copies.read('k', load), 'v5');
    connection(true);
    assert.equal(await copies.read('k', load), 'v6');
    assert.equal(await copies.read('k', load), 'v6');
  });

  it('warns when the listening connection is lost, not when the process closes it', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { feed, connection } = fakeFeed(logger);
    await feed.start();
    connection(false);
    connection(true);
    await feed.close();
    assert.deepEqual(
      lines.map((l) => `${pino.levels.labels[l.level]}: ${l.msg}`),
      [
        'info: listening to account changes: copies in use',
        'warn: not listening to account changes: copies off until it listens again',
        'info: listening to account changes: copies in use',
        'info: stopped listening to account changes (closing)',
      ],
    );
    assert.equal(feed.live, false);
  });

  it('is bounded (least recently used go first), expires, and keeps no "none"', async () => {
    let t = 0;
    const { feed } = fakeFeed();
    await feed.start();
    const copies = createAccountCopies<string>(feed, { max: 2, ttlMs: 1000, now: () => t });
    let reads = 0;
    const load = (account: string) => async () => ({ accountId: account, value: `v${++reads}` });
    await copies.read('a', load('1'));
    await copies.read('b', load('2'));
    await copies.read('a', load('1')); // a is now the most recent
    await copies.read('c', load('3')); // evicts b
    assert.equal(copies.size, 2);
    assert.equal(await copies.read('a', load('1')), 'v1');
    assert.equal(await copies.read('b', load('2')), 'v4', 'b was evicted');
    t += 1000;
    assert.equal(await copies.read('b', load('2')), 'v5', 'expired');
    let none = 0;
    await copies.read('n', async () => (none++, undefined));
    await copies.read('n', async () => (none++, undefined));
    assert.equal(none, 2);
    // A copy a caller cannot use (e.g. a session due its touch) is read again.
    assert.equal(await copies.read('b', load('2'), () => false), 'v6');
  });
});
