// The command line and a portal running on the embedded database (PGlite) never open that
// database at the same time: two processes on one PGlite folder damage it. One process at a
// time holds the folder's admin socket (DATA_DIR/run/admin.sock, in a folder only the owner
// may enter; the socket itself owner-only):
//   - a running portal holds it for its whole life and runs the commands operators send
//     there (`clients …`, `keys …`, `staff add`) with its own services, so the change takes
//     effect at once;
//   - a command run while no portal runs holds it while it opens the database itself; a
//     portal starting meanwhile refuses to start, and a second command waits its turn (refused).
// On PostgreSQL none of this is needed: every process uses the server.
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';

export type RemoteResult = { code: number; out: string[]; err: string[] };
export type RemoteRunner = (argv: string[]) => Promise<RemoteResult>;

export class EmbeddedDatabaseBusy extends Error {}

/** Where the admin socket of a data folder lives (its folder is created owner-only). */
export function adminSocketPath(dataDir: string): string {
  const dir = path.resolve(dataDir, 'run');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const socket = path.join(dir, 'admin.sock');
  // Unix socket paths are limited to about 107 bytes.
  if (Buffer.byteLength(socket) > 100) throw new EmbeddedDatabaseBusy(`the data folder path is too long for the admin socket (${socket}); use a shorter DATA_DIR`);
  return socket;
}

const REQUEST_LIMIT = 64 * 1024;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > REQUEST_LIMIT) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: RemoteResult) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Whether a process answers on the socket (a stale file from a crash does not). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/ping', method: 'GET', timeout: 5000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export type AdminSocket = {
  /** From now on commands sent here run with `runner` (until then they are refused as busy). */
  serve(runner: RemoteRunner): void;
  close(): Promise<void>;
};

/**
 * Takes the data folder's admin socket, or throws EmbeddedDatabaseBusy when another live
 * process (a portal, or a command) holds it. `holder` names this process in the refusal
 * others get while it has not started serving commands.
 */
export async function claimAdminSocket(dataDir: string, holder: string): Promise<AdminSocket> {
  const socketPath = adminSocketPath(dataDir);
  let runner: RemoteRunner | undefined;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/ping') return void res.writeHead(204).end();
    if (req.method !== 'POST' || req.url !== '/run') return answer(res, 404, { code: 2, out: [], err: ['unknown request'] });
    if (!runner) return answer(res, 409, { code: 1, out: [], err: [`the embedded database is in use by ${holder}; try again when it has finished`] });
    const run = runner;
    readJson(req)
      .then(async (body) => {
        const argv = (body as { argv?: unknown })?.argv;
        if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) return answer(res, 400, { code: 2, out: [], err: ['bad request'] });
        answer(res, 200, await run(argv));
      })
      .catch((e) => answer(res, 500, { code: 1, out: [], err: [`the command failed in the portal: ${(e as Error).message}`] }));
  });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        server.off('listening', onListening);
        reject(e);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(socketPath);
    });

  try {
    await listen();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    if (await answers(socketPath)) throw new EmbeddedDatabaseBusy('another process (a running portal or a command) has the embedded database open');
    // Left behind by a process that ended without closing it.
    unlinkSync(socketPath);
    await listen();
  }
  chmodSync(socketPath, 0o600);
  return {
    serve(r) {
      runner = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
        if (existsSync(socketPath)) {
          try {
            unlinkSync(socketPath);
          } catch {
            // already gone
          }
        }
      }),
  };
}

/**
 * Runs a command in the process that holds the data folder's admin socket. Undefined when
 * none does (no portal runs on this folder): the caller may open the database itself.
 */
export async function runInHolder(dataDir: string, argv: string[]): Promise<RemoteResult | undefined> {
  const socketPath = adminSocketPath(dataDir);
  if (!existsSync(socketPath)) return undefined;
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ argv });
    const req = request(
      { socketPath, path: '/run', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as RemoteResult);
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A socket file without a process behind it: nobody holds the database.
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(undefined);
      else reject(e);
    });
    req.end(body);
  });
}
