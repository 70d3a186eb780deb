/** IP ranges (CIDR) for the allow and deny lists. */
import { canonicalIp, expandIpv6 } from './ip';

/** A parsed range. */
export interface Cidr {
  readonly v6: boolean;
  /** The network as a 32- or 128-bit integer. */
  readonly network: bigint;
  readonly prefix: number;
}

function toBigInt(ip: string): { v6: boolean; value: bigint } | undefined {
  if (!ip.includes(':')) {
    const parts = ip.split('.').map(Number);
    return { v6: false, value: BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) };
  }
  const groups = expandIpv6(ip);
  if (!groups) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return { v6: true, value: v };
}

function mask(bits: number, prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const ip = canonicalIp(addr);
  if (ip === undefined) return undefined;
  const parsed = toBigInt(ip);
  if (!parsed) return undefined;
  const bits = parsed.v6 ? 128 : 32;
  let prefix = bits;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  return { v6: parsed.v6, network: parsed.value & mask(bits, prefix), prefix };
}

/** A set of ranges with a membership test on canonical addresses. */
export class CidrSet {
  private readonly ranges: readonly Cidr[];
  constructor(entries: readonly string[]) {
    this.ranges = entries.map((e) => parseCidr(e)).filter((c): c is Cidr => c !== undefined);
  }

  get size(): number {
    return this.ranges.length;
  }

  /** True when `ip` (any accepted form) falls in one of the ranges. */
  has(ip: string | undefined): boolean {
    if (!ip || this.ranges.length === 0) return false;
    const canonical = canonicalIp(ip);
    if (!canonical) return false;
    const parsed = toBigInt(canonical);
    if (!parsed) return false;
    const bits = parsed.v6 ? 128 : 32;
    for (const r of this.ranges) {
      if (r.v6 === parsed.v6 && (parsed.value & mask(bits, r.prefix)) === r.network) return true;
    }
    return false;
  }
}
