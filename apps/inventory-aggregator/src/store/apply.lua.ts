/**
 * The one atomic step that makes state exact: it writes the folded state, the applied
 * eventIds and the outputs to publish only if the partition's stored offset is still the
 * one the fold started from, and moves the offset in the same step. An instance that lost
 * its partition (and whose view is stale) finds a different offset and writes nothing.
 *
 * The reservation commands of the same partition write the same hashes: their offset must
 * be unchanged too, or a stale instance could overwrite a reservation with an older value.
 *
 * KEYS: offset, outbox, seen bucket, commands offset, H hashes (one per changed sku), then
 *       the assortment index of each location those skus are held at.
 * ARGV: expected offset, new offset, seen TTL seconds, outbox entry ('' for none), H,
 *       eventId count E, expected commands offset ('' when none), E eventIds, per hash:
 *       field count F and F field/value pairs, per index: member count M and M skus.
 */
export const applyScript = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] or (redis.call('GET', KEYS[4]) or '') ~= ARGV[7] then
  return {0, current or ''}
end
local hashes = tonumber(ARGV[5])
local count = tonumber(ARGV[6])
local pos = 8
local chunk = {}
for i = 1, count do
  chunk[#chunk + 1] = ARGV[pos]
  pos = pos + 1
  if #chunk == 1000 then
    redis.call('SADD', KEYS[3], unpack(chunk))
    chunk = {}
  end
end
if #chunk > 0 then redis.call('SADD', KEYS[3], unpack(chunk)) end
if count > 0 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
for k = 5, 4 + hashes do
  local fields = tonumber(ARGV[pos])
  pos = pos + 1
  local args = {}
  for j = 1, fields * 2 do
    args[j] = ARGV[pos]
    pos = pos + 1
  end
  redis.call('HSET', KEYS[k], unpack(args))
end
for k = 5 + hashes, #KEYS do
  local members = tonumber(ARGV[pos])
  pos = pos + 1
  local args = {}
  for j = 1, members do
    args[#args + 1] = 0
    args[#args + 1] = ARGV[pos]
    pos = pos + 1
    -- unpack() is bounded by Lua's stack: write in chunks.
    if #args == 2000 then
      redis.call('ZADD', KEYS[k], unpack(args))
      args = {}
    end
  end
  if #args > 0 then redis.call('ZADD', KEYS[k], unpack(args)) end
end
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ARGV[2]}
`;
