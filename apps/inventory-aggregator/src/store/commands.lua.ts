/**
 * The atomic step of a batch of reservation commands: the changed sku hashes, the
 * reservations, the expiry index, the clock and the outbox are written, and the commands
 * offset moved, only if both offsets of the partition (commands and events) are still the
 * ones the decisions were made from. Either kind of batch fences the other's stale writers.
 *
 * KEYS: commands offset, events offset, clock, outbox, expiry index, H sku hashes, R reservations.
 * ARGV: expected commands offset ('' none), expected events offset ('' none), new commands
 *       offset, clock, outbox entry, H, R, retention seconds of final reservations, then per
 *       hash: field count F and F field/value pairs, then per reservation: its JSON, its
 *       reservationId, expiresAt ('' when it no longer holds stock) and '1' when final.
 */
export const commandsScript = `
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] or (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then
  return 0
end
local hashes = tonumber(ARGV[6])
local reservations = tonumber(ARGV[7])
local pos = 9
for k = 6, 5 + hashes do
  local fields = tonumber(ARGV[pos])
  pos = pos + 1
  local args = {}
  for j = 1, fields * 2 do
    args[j] = ARGV[pos]
    pos = pos + 1
  end
  redis.call('HSET', KEYS[k], unpack(args))
end
for k = 6 + hashes, 5 + hashes + reservations do
  local json, id, expiresAt, final = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], ARGV[pos + 3]
  pos = pos + 4
  if final == '1' then
    redis.call('SET', KEYS[k], json, 'EX', ARGV[8])
  else
    redis.call('SET', KEYS[k], json)
  end
  if expiresAt == '' then
    redis.call('ZREM', KEYS[5], id)
  else
    redis.call('ZADD', KEYS[5], expiresAt, id)
  end
end
redis.call('SET', KEYS[3], ARGV[4])
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[4], ARGV[5]) end
redis.call('SET', KEYS[1], ARGV[3])
return 1
`;
