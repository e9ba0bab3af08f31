/**
 * The one atomic step that makes state exact: it writes the folded state, the applied
 * eventIds and the outputs to publish only if the partition's stored offset is still the
 * one the fold started from, and moves the offset in the same step. An instance that lost
 * its partition (and whose view is stale) finds a different offset and writes nothing.
 *
 * KEYS: offset, outbox, seen bucket, then one hash per changed sku.
 * ARGV: expected offset, new offset, seen TTL seconds, outbox entry ('' for none),
 *       eventId count E, E eventIds, then per hash: field count F and F field/value pairs.
 */
export const applyScript = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then
  return {0, current or ''}
end
local count = tonumber(ARGV[5])
local pos = 6
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
for k = 4, #KEYS do
  local fields = tonumber(ARGV[pos])
  pos = pos + 1
  local args = {}
  for j = 1, fields * 2 do
    args[j] = ARGV[pos]
    pos = pos + 1
  end
  redis.call('HSET', KEYS[k], unpack(args))
end
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
redis.call('SET', KEYS[1], ARGV[2])
return {1, ARGV[2]}
`;
