/**
 * Lua scripts of the Redis store. Each runs atomically on the server and uses the
 * server's clock, so instances with skewed clocks still share one window.
 */

/**
 * Sliding-window counter kept in one hash per key (fields b = bucket index, c = current
 * bucket count, p = previous bucket count). ARGV[1] = window ms, ARGV[2] = delta (1, -1,
 * or 0 to read without writing). Returns {current, previous, elapsed ms in bucket, bucket end ms}.
 */
export const COUNTER_SCRIPT = `
local window = tonumber(ARGV[1])
local delta = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = math.floor(now / window)
local v = redis.call('HMGET', KEYS[1], 'b', 'c', 'p')
local sb = tonumber(v[1])
local c = tonumber(v[2]) or 0
local p = tonumber(v[3]) or 0
if sb == nil then
  c = 0
  p = 0
elseif sb == b - 1 then
  p = c
  c = 0
elseif sb ~= b then
  c = 0
  p = 0
end
if delta ~= 0 then
  c = c + delta
  if c < 0 then c = 0 end
  redis.call('HSET', KEYS[1], 'b', b, 'c', c, 'p', p)
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
return {c, p, now - b * window, (b + 1) * window}
`;

/**
 * Block: KEYS[1] = block key, KEYS[2] = index of blocks (sorted set scored by expiry),
 * ARGV[1] = block ms, ARGV[2] = member name. Returns the expiry in ms.
 */
export const BLOCK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]))
redis.call('ZADD', KEYS[2], untilMs, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return untilMs
`;

/** Active blocks: KEYS[1] = index, ARGV[1] = limit. Returns a flat list member, expiry, … */
export const LIST_BLOCKS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], now, '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]), 'WITHSCORES')
`;

/** Claim: KEYS[1] = claim key, ARGV[1] = value, ARGV[2] = ttl ms. Returns false when won, else the holder. */
export const CLAIM_SCRIPT = `
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2]))
if ok then return false end
return redis.call('GET', KEYS[1])
`;

/** Server time in ms (for the remaining time of a block). */
export const NOW_SCRIPT = `
local t = redis.call('TIME')
return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
