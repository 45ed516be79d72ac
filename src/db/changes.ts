// Short-lived copies of what every signed-in request reads (its session, the person's
// profile, the doctor record), and the notices that make them go away.
//
// Measured before adding them (issue 15): `GET /api/v1/me` made three round trips to the
// database and spent most of its time writing them to the socket. A copy is safe only if a
// revocation takes effect at once on every web process, so:
// - every committed change of an account, a session's validity or a doctor record is
//   announced by the database itself (triggers, migration 0910) on `dargah_changes_<schema>`,
//   and every web process drops its copies of that account when the notice arrives;
// - the process that makes a change also drops its own copies as it makes it (`changed`),
//   without waiting for its notice;
// - a copy made from a read that started before any change seen since is not kept (the
//   generation counter), so a slow read can never put back what a notice removed;
// - while the listening connection is down (or before it is up, or in a process that never
//   listens: worker, CLI), nothing is copied or served from a copy: every read goes to the
//   database.
// Copies also expire after `ttlMs` and are bounded in number (least recently used go first).
import type { Logger } from 'pino';
import type { Database } from './database.js';

export type ChangeFeed = ReturnType<typeof createChangeFeed>;

/** The notification channel of a schema (the triggers build the same name). */
export const changesChannel = (schema: string) => `dargah_changes_${schema}`;

export function createChangeFeed(deps: { database: Pick<Database, 'listen'>; schema: string; logger: Logger }) {
  const subscribers: ((accountId: string | '*') => void)[] = [];
  let generation = 0;
  let live = false;
  let stop: (() => Promise<void>) | undefined;
  let starting: Promise<void> | undefined;
  let closing = false;
  const publish = (accountId: string | '*') => {
    generation++;
    for (const s of subscribers) s(accountId);
  };

  return {
    /** Copies may be served and kept only while this is true. */
    get live() {
      return live;
    },
    /** Grows with every change seen (notice, local change, loss of the connection). */
    get generation() {
      return generation;
    },
    /** A change this process makes to the account (its notice follows for the other processes). */
    changed(accountId: string) {
      publish(accountId);
    },
    subscribe(fn: (accountId: string | '*') => void) {
      subscribers.push(fn);
    },
    /** Starts listening (web processes); copies are used once the connection listens. */
    start(): Promise<void> {
      starting ??= deps.database
        .listen(
          changesChannel(deps.schema),
          (payload) => publish(payload === '*' ? '*' : payload),
          (isLive) => {
            // Whatever happened while not listening is unknown: every copy goes, either way.
            publish('*');
            if (live !== isLive) {
              const channel = changesChannel(deps.schema);
              if (isLive) deps.logger.info({ channel }, 'listening to account changes: copies in use');
              // A stop of the process ends the connection too: that is no fault to warn about.
              else if (closing) deps.logger.info({ channel }, 'stopped listening to account changes (closing)');
              else deps.logger.warn({ channel }, 'not listening to account changes: copies off until it listens again');
            }
            live = isLive;
          },
        )
        .then((s) => {
          stop = s;
        });
      return starting;
    },
    async close() {
      closing = true;
      await starting?.catch(() => {});
      await stop?.();
      live = false;
    },
  };
}

export type AccountCopies<V> = ReturnType<typeof createAccountCopies<V>>;

/**
 * Copies of values that belong to one account, by key (e.g. a session's token hash, or the
 * account id itself). `read` serves a copy or loads and keeps one.
 */
export function createAccountCopies<V>(feed: Pick<ChangeFeed, 'live' | 'generation' | 'subscribe'>, options: { max: number; ttlMs: number; now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { value: V; accountId: string; at: number }>();
  const keysOf = new Map<string, Set<string>>();
  const remove = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    const keys = keysOf.get(e.accountId);
    keys?.delete(key);
    if (keys && keys.size === 0) keysOf.delete(e.accountId);
  };
  feed.subscribe((accountId) => {
    if (accountId === '*') {
      entries.clear();
      keysOf.clear();
      return;
    }
    for (const key of keysOf.get(accountId) ?? []) entries.delete(key);
    keysOf.delete(accountId);
  });

  return {
    get size() {
      return entries.size;
    },
    /**
     * The value of `key`: a copy when there is a live one that `usable` accepts, else `load()`
     * (kept unless a change was seen while it loaded). `load` answers undefined for "none"
     * (never kept).
     */
    async read(key: string, load: () => Promise<{ accountId: string; value: V } | undefined>, usable: (v: V) => boolean = () => true): Promise<V | undefined> {
      if (feed.live) {
        const hit = entries.get(key);
        if (hit && now() - hit.at < options.ttlMs && usable(hit.value)) {
          // Most recently used last: the first entry is the one to evict.
          entries.delete(key);
          entries.set(key, hit);
          return hit.value;
        }
      }
      const generation = feed.generation;
      const loaded = await load();
      if (loaded) put(key, loaded.accountId, loaded.value, generation);
      return loaded?.value;
    },
    /** What `keep` needs: a mark of the changes heard so far, taken before the value is read. */
    mark: () => feed.generation,
    /**
     * Keeps a value the caller read itself (e.g. the session it just opened), as `read` keeps
     * what it loads: only if no change was heard since `mark`, taken before the read.
     */
    keep(key: string, accountId: string, value: V, mark: number) {
      put(key, accountId, value, mark);
    },
  };

  function put(key: string, accountId: string, value: V, generation: number) {
    if (!feed.live || feed.generation !== generation) return;
    remove(key);
    entries.set(key, { value, accountId, at: now() });
    let keys = keysOf.get(accountId);
    if (!keys) keysOf.set(accountId, (keys = new Set()));
    keys.add(key);
    while (entries.size > options.max) remove(entries.keys().next().value!);
  }
}
