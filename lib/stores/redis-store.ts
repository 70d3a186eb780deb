/**
 * Shared CounterStore on Redis (the `redis` client). Every primitive is one atomic Lua
 * script using the server's clock. Every call is bounded by `commandTimeoutMs`: the
 * client's own timeout only covers the wait to send a command, not the wait for its
 * reply, so a hung server would otherwise hang callers. Commands are never queued while
 * disconnected (`disableOfflineQueue`): they fail at once and the caller falls back.
 */
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { StoreError } from '../core/errors';
import { silentLogger, type ActiveBlock, type CounterStore, type Logger, type StoreOp, type WindowCount } from '../core/ports';
import { BLOCK_SCRIPT, CLAIM_SCRIPT, COUNTER_SCRIPT, LIST_BLOCKS_SCRIPT } from './redis-scripts';

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** `redis://…` or `rediss://…`. */
  readonly url: string;
  /** Prefix of every key. Defaults to `watchpost:`. */
  readonly keyPrefix?: string;
  /** Longest wait for one call, in ms. Defaults to `250`. */
  readonly commandTimeoutMs?: number;
  /** Longest wait for a connection, in ms. Defaults to `2000`. */
  readonly connectTimeoutMs?: number;
  /** Most commands waiting for a reply before new ones fail at once. Defaults to `10000`. */
  readonly maxQueuedCommands?: number;
  readonly logger?: Logger;
  /**
   * Called each time the client is ready again after a lost connection. A Redis that was
   * restarted has lost its keys: the caller reloads durable blocks here.
   */
  readonly onReconnect?: () => void;
  /** Told about every failed call (metrics). */
  readonly onError?: (op: StoreOp) => void;
}

type RedisClient = ReturnType<typeof createClient>;

/** Timeouts in a row after which the connection is replaced. */
const RECYCLE_AFTER_TIMEOUTS = 3;

interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const SCRIPTS = {
  counter: script(COUNTER_SCRIPT),
  block: script(BLOCK_SCRIPT),
  listBlocks: script(LIST_BLOCKS_SCRIPT),
  claim: script(CLAIM_SCRIPT),
};

/** The Redis CounterStore. */
export class RedisStore implements CounterStore {
  readonly kind = 'redis' as const;
  readonly localKeys = false;
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly log: Logger;
  private closed = false;
  private lastErrorLog = 0;
  /** Failed calls since start. */
  errors = 0;
  /** When the last call failed (ms since the epoch), 0 if never. */
  lastErrorAt = 0;
  /** Calls in a row that got no answer; past a few the connection is replaced. */
  private consecutiveTimeouts = 0;
  private recycling = false;
  private readonly onError?: (op: StoreOp) => void;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.keyPrefix ?? 'watchpost:';
    this.timeoutMs = options.commandTimeoutMs ?? 250;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.log = options.logger ?? silentLogger;
    this.onError = options.onError;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: options.maxQueuedCommands ?? 10_000,
      socket: {
        connectTimeout: this.connectTimeoutMs,
        // Keep trying in the background; callers never wait for it (they fall back).
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), 2000),
      },
    });
    let readyBefore = false;
    for (const name of ['connect', 'end', 'reconnecting'] as const) {
      this.client.on(name, () => this.log.debug({ event: 'store_connection', store: 'redis', state: name }, `Redis connection ${name}`));
    }
    this.client.on('ready', () => {
      this.log.debug({ event: 'store_connection', store: 'redis', state: 'ready' }, 'Redis connection ready');
      if (readyBefore) {
        this.log.info({ event: 'store_reconnected', store: 'redis' }, 'Redis connection restored');
        options.onReconnect?.();
      }
      readyBefore = true;
    });
    this.client.on('error', (err: unknown) => {
      // The client emits one error per failed reconnection attempt: log at most every 10 s.
      const now = Date.now();
      if (now - this.lastErrorLog > 10_000) {
        this.lastErrorLog = now;
        this.log.error({ event: 'store_error', store: 'redis', err: describe(err) }, 'Redis client error');
      }
    });
  }

  /** True when the client has a live connection. */
  get isReady(): boolean {
    return this.client.isReady;
  }

  /** Connects; rejects with StoreError after `connectTimeoutMs` (the client keeps retrying). */
  async init(): Promise<void> {
    if (this.client.isOpen) return;
    await this.call('init', () => this.client.connect(), this.connectTimeoutMs);
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.count(key, windowMs, 1, 'increment') as Promise<WindowCount>;
  }

  async decrement(key: string, windowMs: number): Promise<void> {
    await this.count(key, windowMs, -1, 'decrement');
  }

  async get(key: string, windowMs: number): Promise<WindowCount | undefined> {
    const r = await this.count(key, windowMs, 0, 'get');
    return r.count > 0 ? r : undefined;
  }

  async reset(key: string): Promise<void> {
    await this.call('reset', () => this.client.del(this.counterKey(key)));
  }

  async block(key: string, blockMs: number): Promise<void> {
    await this.run(SCRIPTS.block, [this.blockKey(key), this.blockIndexKey()], [String(Math.max(1, Math.round(blockMs))), key], 'block');
  }

  async blockedUntil(key: string): Promise<Date | undefined> {
    const value = await this.call('blocked_until', () => this.client.get(this.blockKey(key)));
    if (value === null || value === undefined) return undefined;
    const until = Number(value);
    return Number.isFinite(until) ? new Date(until) : undefined;
  }

  async unblock(key: string): Promise<void> {
    await this.call('unblock', () => this.client.multi().del(this.blockKey(key)).zRem(this.blockIndexKey(), key).exec());
  }

  async listBlocks(limit = 10_000): Promise<ActiveBlock[]> {
    const flat = (await this.run(SCRIPTS.listBlocks, [this.blockIndexKey()], [String(limit)], 'list_blocks')) as unknown[];
    const out: ActiveBlock[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: String(flat[i]), until: new Date(Number(flat[i + 1])) });
    return out;
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const held = await this.run(SCRIPTS.claim, [`${this.prefix}claim:${key}`], [value, String(Math.max(1, Math.round(ttlMs)))], 'claim');
    return held === null || held === undefined || held === false ? undefined : String(held);
  }

  /** A PING within the command timeout (health checks and recovery probes). */
  async ping(): Promise<void> {
    await this.call('probe', () => this.client.ping());
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.isOpen) {
        const closing = this.client.close();
        closing.catch(() => undefined);
        await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
        if (this.client.isOpen) this.client.destroy();
      } else {
        this.client.destroy();
      }
    } catch {
      // Already closed or never connected: nothing to release.
    }
  }

  /**
   * Replaces a connection that looks open but answers nothing (a half-open socket, or one
   * accepted by a server that was dying): node-redis waits forever for replies on it. The
   * client is destroyed and connects again in the background; callers meanwhile fail fast.
   */
  private recycle(): void {
    if (this.recycling || this.closed) return;
    this.recycling = true;
    this.consecutiveTimeouts = 0;
    this.log.warn({ event: 'store_connection_recycled', store: 'redis' }, 'Redis calls keep timing out: reconnecting');
    try {
      this.client.destroy();
    } catch {
      // already closed
    }
    this.client
      .connect()
      .catch(() => undefined)
      .finally(() => {
        this.recycling = false;
      });
  }

  /** Deletes every key under the prefix (tests and `watchpost` maintenance only). */
  async clearPrefix(): Promise<number> {
    let deleted = 0;
    for await (const keys of this.client.scanIterator({ MATCH: `${this.prefix}*`, COUNT: 500 })) {
      const list = Array.isArray(keys) ? keys : [keys];
      if (list.length > 0) deleted += await this.client.del(list);
    }
    return deleted;
  }

  private counterKey(key: string): string {
    return `${this.prefix}cnt:${key}`;
  }

  private blockKey(key: string): string {
    return `${this.prefix}block:${key}`;
  }

  private blockIndexKey(): string {
    return `${this.prefix}blocks`;
  }

  private async count(key: string, windowMs: number, delta: number, op: StoreOp): Promise<WindowCount> {
    const window = Math.max(1, Math.round(windowMs));
    const r = (await this.run(SCRIPTS.counter, [this.counterKey(key)], [String(window), String(delta)], op)) as number[];
    const [curr, prev, elapsed, end] = r.map(Number);
    const weight = Math.max(0, 1 - elapsed / window);
    return { count: curr + Math.round(prev * weight), resetAt: new Date(end) };
  }

  /** EVALSHA, loading the script with EVAL when the server does not have it yet. */
  private async run(s: Script, keys: string[], args: string[], op: StoreOp): Promise<unknown> {
    const call = async (): Promise<unknown> => {
      try {
        return await this.client.sendCommand(['EVALSHA', s.sha, String(keys.length), ...keys, ...args]);
      } catch (err) {
        if (err instanceof Error && /NOSCRIPT/.test(err.message)) {
          return this.client.sendCommand(['EVAL', s.source, String(keys.length), ...keys, ...args]);
        }
        throw err;
      }
    };
    return this.call(op, call);
  }

  /**
   * Starts a command (only if the store is open) and races it against the timeout; every
   * failure becomes a StoreError. A command that loses the race may still settle later: its
   * outcome is absorbed, never left as an unhandled rejection.
   */
  private call<T>(op: StoreOp, make: () => Promise<T>, ms = this.timeoutMs): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('ERR_WATCHPOST_STORE_UNAVAILABLE', `redis store: ${op} after shutdown`));
    let p: Promise<T>;
    try {
      p = make();
    } catch (err) {
      return Promise.reject(this.failed(op, err));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(this.failed(op, new StoreError('ERR_WATCHPOST_STORE_TIMEOUT', `redis store: ${op} got no answer within ${ms} ms`)));
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          this.consecutiveTimeouts = 0;
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (!settled) reject(this.failed(op, err));
        },
      );
    });
  }

  private failed(op: StoreOp, err: unknown): StoreError {
    this.errors += 1;
    this.lastErrorAt = Date.now();
    this.onError?.(op);
    if (err instanceof StoreError && err.code === 'ERR_WATCHPOST_STORE_TIMEOUT') {
      this.consecutiveTimeouts += 1;
      if (this.consecutiveTimeouts >= RECYCLE_AFTER_TIMEOUTS) this.recycle();
    }
    return err instanceof StoreError ? err : new StoreError('ERR_WATCHPOST_STORE_UNAVAILABLE', `redis store: ${op} failed: ${describe(err)}`, { cause: err });
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
