/**
 * Client IP canonicalisation. Counters and blocks use one key per client: an IPv4 address
 * (also when it arrives IPv4-mapped, `::ffff:1.2.3.4`), or an IPv6 prefix (default /56),
 * because one IPv6 subscriber holds a whole prefix and can rotate through it.
 */
import { isIP } from 'node:net';

/**
 * The canonical form of an address, or undefined when it is not one: ports, brackets and
 * zone ids removed, IPv4-mapped IPv6 turned into IPv4, IPv6 in lower-case compressed form.
 */
export function canonicalIp(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let s = raw.trim();
  if (s.length === 0 || s.length > 100) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return undefined;
  const groups = expandIpv6(s);
  if (!groups) return undefined;
  // ::ffff:a.b.c.d and ::ffff:XXXX:XXXX are IPv4 clients seen through a dual-stack socket.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  return compressIpv6(groups);
}

/** The eight 16-bit groups of an IPv6 address (accepts an embedded IPv4 tail). */
export function expandIpv6(address: string): number[] | undefined {
  let s = address.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    s = `${s.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const parts = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const groups = parts.map((p) => (/^[0-9a-f]{1,4}$/.test(p) ? parseInt(p, 16) : NaN));
  return groups.some(Number.isNaN) ? undefined : groups;
}

/** RFC 5952 text form of eight groups. */
export function compressIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * The key counters and blocks use for a client: the canonical IPv4 address, or the IPv6
 * network of `v6PrefixLength` bits written as `2001:db8:0:ab00::/56`. Undefined when `raw`
 * is not an address.
 */
export function ipKey(raw: unknown, v6PrefixLength = 56): string | undefined {
  const ip = canonicalIp(raw);
  if (ip === undefined || !ip.includes(':')) return ip;
  if (v6PrefixLength >= 128) return ip;
  const groups = expandIpv6(ip) as number[];
  const masked = groups.map((g, i) => {
    const bitsBefore = i * 16;
    if (bitsBefore >= v6PrefixLength) return 0;
    const keep = Math.min(16, v6PrefixLength - bitsBefore);
    return keep === 16 ? g : g & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${compressIpv6(masked)}/${v6PrefixLength}`;
}
