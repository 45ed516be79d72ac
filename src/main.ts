// One entry for every process: `all` (web + workers, the default of npm start), `web`,
// `worker` (scale-out job processing) and `cli`. Each mode loads its own modules: a command
// line call does not load the web app or the platform (a command sent to a running portal
// needs neither).
import { claimAdminSocket, EmbeddedDatabaseBusy, type AdminSocket } from './cli.remote.js';
import { ConfigError, loadConfig } from './config.js';
import type { Platform } from './platform.js';

const mode = process.argv[2] ?? 'all';

/** The workers' loops: polling the queues and the housekeeping schedules (after the queues exist). */
async function startWorkers(platform: Platform) {
  await platform.queue.work({ pollingIntervalSeconds: 1, batchSize: platform.config.worker.batchSize, localConcurrency: platform.config.worker.concurrency });
  // Housekeeping (purges of expired rows and of secret SMS texts): pg-boss cron schedules,
  // so across several worker processes each occurrence runs once, on one of them.
  await platform.housekeeping.schedule();
}

async function main() {
  if (mode === 'cli') {
    const { runCli } = await import('./cli.js');
    process.exitCode = await runCli(process.argv.slice(3));
    return;
  }
  if (!['all', 'web', 'worker'].includes(mode)) {
    console.error(`unknown mode "${mode}" (allowed: all, web, worker, cli)`);
    process.exitCode = 2;
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`configuration error: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  const [{ createLogger }, { createPlatform }, { buildApp }, { runInPortal }] = await Promise.all([
    import('./observability/logger.js'),
    import('./platform.js'),
    import('./app.js'),
    import('./cli.js'),
  ]);
  const logger = createLogger(config.logLevel);
  // A promise nobody awaited that failed (a lost connection in a background loop): logged, and
  // the process goes on — it recovers when the dependency returns; /readyz tells the balancer.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  // On the embedded database this process is its only user: commands come to it (cli.remote.ts).
  let admin: AdminSocket | undefined;
  if (!config.databaseUrl) {
    try {
      admin = await claimAdminSocket(config.dataDir, 'a portal that is starting');
    } catch (e) {
      if (!(e instanceof EmbeddedDatabaseBusy)) throw e;
      console.error(`cannot start: ${e.message} in ${config.dataDir}. One process at a time may use the embedded database; set DATABASE_URL (PostgreSQL) to run several.`);
      process.exitCode = 1;
      return;
    }
  }
  const platform = await createPlatform({ config, logger });
  const closers: (() => Promise<void>)[] = [];
  if (admin) {
    const socket = admin;
    socket.serve((argv) => runInPortal(argv, config, { sso: platform.sso, staff: platform.staff, refresh: () => platform.sso.refresh() }));
    closers.push(() => socket.close());
  }

  // Worker start is the one writer of the queues' stored settings. Web-only processes still
  // enqueue jobs, so the queues must exist before the first request; they never change a
  // queue's stored settings (a difference with theirs is logged and counted at start).
  await platform.queue.start({ writeSettings: mode !== 'web' });
  if (mode === 'all' || mode === 'web') {
    const app = await buildApp(platform);
    await app.listen({ port: config.port, host: config.host });
    // Stops accepting connections, then waits for the requests in flight. Fastify closes the
    // connections idle when the close begins; a keep-alive connection that goes idle later
    // (its last request answered) could hold the close until the shutdown timer ended the
    // process with exit 1 (the fault suite's SIGTERM test, 6 runs of 7 here): idle ones are
    // closed again every 250 ms until the close is done.
    closers.push(async () => {
      const sweep = setInterval(() => app.server.closeIdleConnections(), 250);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
    });
    logger.info(`Dargah is listening on ${config.publicUrl}`);
  }
  // The workers' loops start once the portal answers: a job enqueued meanwhile waits a moment.
  if (mode === 'all' || mode === 'worker') {
    await startWorkers(platform);
    logger.info('workers started');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = config.shutdownTimeoutSeconds * 1000;
    logger.info({ signal, timeoutSeconds: config.shutdownTimeoutSeconds }, 'shutting down: finishing requests and jobs in hand');
    // Past the bound, exit anyway: what was in hand comes back to another worker (heartbeat).
    setTimeout(() => {
      logger.error({ timeoutSeconds: config.shutdownTimeoutSeconds }, 'shutdown took too long; exiting with work unfinished');
      process.exit(1);
    }, timeoutMs + 2000).unref();
    for (const close of closers) await close().catch((e) => logger.warn({ err: e }, 'closing the web server failed'));
    if (closers.length) logger.info('requests in flight finished');
    await platform.queue.stop({ timeoutMs }).catch((e) => logger.warn({ err: e }, 'stopping the job queue failed'));
    logger.info('jobs in hand finished');
    // Nothing is in flight any more: closing connections gets a few seconds, then the exit
    // closes them anyway (PostgreSQL and Redis see the sockets go).
    const closed = await Promise.race([
      platform.close({ timeoutMs }).then(
        () => true,
        (e) => (logger.warn({ err: e }, 'closing the platform failed'), true),
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
    ]);
    if (!closed) logger.warn('connections not closed within 5 s; exiting anyway (no work was in flight)');
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
