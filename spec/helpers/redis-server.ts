/**
 * A private redis-server process for fault tests (killed, frozen, restarted) without
 * touching the shared one at REDIS_URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { sleep } from './wait';

/** True when a redis-server binary is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A TCP port nothing listens on right now, below the kernel's ephemeral range (32768 and up
 * here). A client that keeps reconnecting to a dead local port in that range can be given the
 * same port as its source and connect to itself (TCP self-connect): it then looks connected and
 * waits forever for replies. Real servers (6379, 5432) are outside that range.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(candidate, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error('no free port between 20000 and 32000');
}

async function waitForPort(port: number, up: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    await sleep(25);
  }
  throw new Error(`port ${port} did not become ${up ? 'open' : 'closed'}`);
}

/** Resolves once the server answers PING (its event loop runs), not merely accepts connections. */
async function waitForPong(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(1000, () => done(false));
      s.once('error', () => done(false));
      s.once('connect', () => s.write('PING\r\n'));
      s.on('data', (d: Buffer) => done(d.toString().startsWith('+PONG')));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`redis on port ${port} did not answer PING`);
}

/** A private Redis server. */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.startProcess();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async startProcess(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', os.tmpdir(), '--dbfilename', `watchpost-spec-${this.port}.rdb`], { stdio: 'ignore' });
    await waitForPong(this.port);
  }

  /** Kills the server (its data is gone: nothing is persisted). */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    if (p.signalCode === 'SIGSTOP') p.kill('SIGCONT');
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    await waitForPort(this.port, false);
  }

  /** Starts a fresh server on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.startProcess();
  }

  /** Freezes the server: connections stay open but nothing is answered. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
