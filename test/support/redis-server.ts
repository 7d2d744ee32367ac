/**
 * A real Redis for tests (Debian's redis-server; .ci/run installs it): started on a free loopback port with a
 * private data folder and append-only persistence (every write synced, so a restart loses nothing), stopped however
 * the test ends — `stop()` in afterAll, and a process-exit hook for a test run that ends without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes its data and exits) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers PING; rejects after `ms`. */
async function waitForPong(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => s.write('PING\r\n'));
      s.once('data', (d) => (s.destroy(), resolve(d.toString().startsWith('+PONG'))));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`redis-server on port ${port} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => (clearTimeout(hard), running.delete(child), resolve()));
    child.kill('SIGTERM');
  });
}

/** Starts redis-server with its data in `dir` (created). */
export async function startRedis(dir: string): Promise<TestRedis> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess;
  let log = '';
  const launch = async (): Promise<void> => {
    log = '';
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--logfile', ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    try {
      await waitForPong(port, 10_000);
    } catch (err) {
      await stopChild(child);
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await stopChild(child);
      await launch();
    },
    stop: () => stopChild(child),
  };
}
