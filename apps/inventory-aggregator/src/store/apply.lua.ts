/**
 * The one atomic step that makes state exact, for a batch of events and for a batch of
 * reservation commands alike. It writes the folded state, the dedup fingerprints of the
 * applied events, the changed reservations and the outbox entry only if both stored offsets
 * of the partition (events and commands) are still the ones the step started from, and
 * moves them in the same step. An instance that lost its partition, or whose view is older
 * than a Redis that lost writes, finds different offsets and writes nothing.
 *
 * KEYS: 1 events offset, 2 commands offset, 3 clock, 4 outbox, 5 expiry index, 6 seenshards,
 *       7 seencount, then H pairs of a sku's hash and its journal hash, A assortment indexes,
 *       D dedup shards, R reservations.
 * ARGV: 1 expected events offset, 2 expected commands offset, 3 new events offset,
 *       4 new commands offset, 5 new clock, 6 outbox entry ('' for none or unchanged),
 *       7 H, 8 A, 9 D, 10 R, 11 seconds final reservations are kept, 12 N days of the step's
 *       fingerprints, 13 dedup days before this one are forgotten in seenshards and seencount
 *       ('' to keep), 14 the total's field (read-model keys.ts),
 *       then per sku: its total's value, location count L and L field/value pairs of its hash,
 *       journal edit count J and J triples of location field, characters to drop from the
 *       journal's front (-1: replace it) and text to append (read-model compact.ts,
 *       JournalEdit; an empty result deletes);
 *       per assortment: member count M and M skus;
 *       per dedup shard: expire-at (unix seconds), field count K and K fingerprints;
 *       per reservation: JSON, reservationId, expiresAt ('' when it holds no stock),
 *       '1' when final;
 *       N triples of day, its shard count (kept if the day has one) and the fingerprints the
 *       step adds to it.
 * Returns 1 when written, 0 when refused.
 */
const writes = `
local hashes, indexes, shards, reservations, counts =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[12])
local pos = 15
local k = 8
-- unpack() is bounded by Lua's stack: every variadic write goes out in chunks.
local function flush(command, key, args)
  if #args > 0 then redis.call(command, key, unpack(args)) end
end
for i = 1, hashes do
  local args = {ARGV[14], ARGV[pos]}
  local fields = tonumber(ARGV[pos + 1])
  pos = pos + 2
  for j = 1, fields do
    args[#args + 1] = ARGV[pos]
    args[#args + 1] = ARGV[pos + 1]
    pos = pos + 2
    if #args >= 2000 then flush('HSET', KEYS[k], args); args = {} end
  end
  flush('HSET', KEYS[k], args)
  local edits = tonumber(ARGV[pos])
  pos = pos + 1
  for j = 1, edits do
    local field, drop, append = ARGV[pos], tonumber(ARGV[pos + 1]), ARGV[pos + 2]
    pos = pos + 3
    local journal = append
    if drop >= 0 then journal = string.sub(redis.call('HGET', KEYS[k + 1], field) or '', drop + 1) .. append end
    if journal == '' then redis.call('HDEL', KEYS[k + 1], field) else redis.call('HSET', KEYS[k + 1], field, journal) end
  end
  k = k + 2
end
for i = 1, indexes do
  local members = tonumber(ARGV[pos])
  pos = pos + 1
  local args = {}
  for j = 1, members do
    args[#args + 1] = 0
    args[#args + 1] = ARGV[pos]
    pos = pos + 1
    if #args >= 2000 then flush('ZADD', KEYS[k], args); args = {} end
  end
  flush('ZADD', KEYS[k], args)
  k = k + 1
end
for i = 1, shards do
  local expireAt = ARGV[pos]
  local fields = tonumber(ARGV[pos + 1])
  pos = pos + 2
  local args = {}
  for j = 1, fields do
    args[#args + 1] = ARGV[pos]
    args[#args + 1] = ''
    pos = pos + 1
    if #args >= 2000 then flush('HSET', KEYS[k], args); args = {} end
  end
  flush('HSET', KEYS[k], args)
  redis.call('EXPIREAT', KEYS[k], expireAt)
  k = k + 1
end
for i = 1, reservations do
  local json, id, expiresAt, final = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], ARGV[pos + 3]
  pos = pos + 4
  if final == '1' then
    redis.call('SET', KEYS[k], json, 'EX', ARGV[11])
  else
    redis.call('SET', KEYS[k], json)
  end
  if expiresAt == '' then
    redis.call('ZREM', KEYS[5], id)
  else
    redis.call('ZADD', KEYS[5], expiresAt, id)
  end
  k = k + 1
end
local newDay = false
for i = 1, counts do
  if redis.call('HSETNX', KEYS[6], ARGV[pos], ARGV[pos + 1]) == 1 then newDay = true end
  redis.call('HINCRBY', KEYS[7], ARGV[pos], ARGV[pos + 2])
  pos = pos + 3
end
if newDay and ARGV[13] ~= '' then
  local before = tonumber(ARGV[13])
  for _, day in ipairs(redis.call('HKEYS', KEYS[6])) do
    if tonumber(day) < before then
      redis.call('HDEL', KEYS[6], day)
      redis.call('HDEL', KEYS[7], day)
    end
  end
end
`;

export const applyScript = `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] or (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then
  return 0
end
${writes}if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[6]) end
if ARGV[4] ~= '' then redis.call('SET', KEYS[2], ARGV[4]) end
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], ARGV[3]) end
return 1
`;

/**
 * A chunk of a partition rebuilt from Kafka (restore.ts), with the layout of applyScript
 * (offsets '' and not moved), written only while the restore lease is this restorer's and the
 * partition has no events offset yet: a restorer that lost its lease, or a partition another
 * restorer finished, is left alone.
 * KEYS[1] is the lease instead of the events offset; ARGV[1] the lease's token.
 */
export const restoreChunkScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
${writes}return 1
`;

/**
 * The end of a restore: the offsets and the clock are set (the events offset last, which
 * makes the partition live) and the lease released, only while the lease is the caller's.
 * KEYS: lease, events offset, commands offset, clock. ARGV: token, events offset,
 * commands offset ('' none), clock ('' none).
 */
export const restoreFinishScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4]) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[1])
return 1
`;

/** Extends the restore lease if it is still the caller's. KEYS: lease. ARGV: token, ms. */
export const renewLeaseScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Deletes the given keys while the lease is the caller's. KEYS: lease, then the keys. ARGV: token. */
export const restoreClearScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;

/**
 * What a step touched, read in one call instead of two HMGETs per sku, each a command for the
 * client to build and for Redis to parse: at a step of thousands of skus those were most of
 * the aggregator's allocations (docs/benchmarks.md). Reads only: it changes nothing.
 *
 * KEYS: per sku its hash and its journal hash.
 * ARGV: 1 the total's field (read-model keys.ts), then per sku a location count L (at least
 *       1) and L location fields.
 * Returns per sku two arrays: its hash's total field then its L fields, and its journal's L
 * fields; a missing field is nil.
 */
export const readTouchedScript = `
-- unpack() is bounded by Lua's stack: a sku's fields go out in chunks.
local chunk = 4000
local function hmget(key, head, from, to)
  if to - from < chunk then
    if head then return redis.call('HMGET', key, head, unpack(ARGV, from, to)) end
    return redis.call('HMGET', key, unpack(ARGV, from, to))
  end
  local values = head and redis.call('HMGET', key, head) or {}
  for a = from, to, chunk do
    local part = redis.call('HMGET', key, unpack(ARGV, a, math.min(a + chunk - 1, to)))
    for j = 1, #part do values[#values + 1] = part[j] end
  end
  return values
end
local out = {}
local pos = 2
for i = 1, #KEYS, 2 do
  local count = tonumber(ARGV[pos])
  out[i] = hmget(KEYS[i], ARGV[1], pos + 1, pos + count)
  out[i + 1] = hmget(KEYS[i + 1], nil, pos + 1, pos + count)
  pos = pos + count + 1
end
return out
`;

/** The store's Redis commands by name (ioredis defineCommand): every script the aggregator runs. */
export const storeScripts = {
  inventoryReadTouched: readTouchedScript,
  inventoryApply: applyScript,
  inventoryRestoreChunk: restoreChunkScript,
  inventoryRestoreFinish: restoreFinishScript,
  inventoryRenewLease: renewLeaseScript,
  inventoryRestoreClear: restoreClearScript,
};
