// One entry for every process: `all` (web + workers, the default of npm start), `web`,
// `worker` (scale-out job processing) and `cli`.
import { buildApp } from './app.js';
import { runCli, runInPortal } from './cli.js';
import { claimAdminSocket, EmbeddedDatabaseBusy, type AdminSocket } from './cli.remote.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { createPlatform, type Platform } from './platform.js';

const mode = process.argv[2] ?? 'all';

async function startWorkers(platform: Platform) {
  await platform.queue.start();
  await platform.queue.work({ pollingIntervalSeconds: 1, batchSize: platform.config.worker.batchSize, localConcurrency: platform.config.worker.concurrency });
  // Housekeeping (purges of expired rows and of secret SMS texts): pg-boss cron schedules,
  // so across several worker processes each occurrence runs once, on one of them.
  await platform.housekeeping.schedule();
}

async function main() {
  if (mode === 'cli') {
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
  const logger = createLogger(config.logLevel);
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

  if (mode === 'all' || mode === 'worker') {
    await startWorkers(platform);
    logger.info('workers started');
  } else {
    // Web-only processes still enqueue jobs: the queues must exist.
    await platform.queue.start();
  }
  if (mode === 'all' || mode === 'web') {
    const app = await buildApp(platform);
    await app.listen({ port: config.port, host: config.host });
    closers.push(() => app.close());
    logger.info(`Dargah is listening on ${config.publicUrl}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of closers) await close().catch(() => {});
    await platform.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
