/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis) that a spec can cut and
 * restore: `down()` drops every connection and refuses new ones (the server looks dead),
 * `up()` forwards again. The server behind it is the real thing throughout.
 */
import net from 'node:net';
import { freePort } from './redis-server';

export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy to host:port, listening (up) unless `startDown`. */
  static async create(targetHost: string, targetPort: number, startDown = false): Promise<TcpProxy> {
    const p = new TcpProxy(await freePort(), targetHost, targetPort);
    if (!startDown) await p.up();
    return p;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  /** Starts forwarding. */
  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Drops every connection and refuses new ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A URL of the same form as `url`, pointing at the proxy. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async close(): Promise<void> {
    await this.down();
  }
}
