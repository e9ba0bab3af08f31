/**
 * The other data centres' state in this one's Redis (read-model keys.ts, `peer:<dc>:<sku>`,
 * `peeroffsets`, `peer-clock`). Contract of the copies:
 *
 * - A copy is what the home data centre's aggregator published to inventory.stock.v1,
 *   arriving as `<dc>.inventory.stock.v1` through MirrorMaker 2: absolute (the whole state of
 *   a location x sku) and versioned (the version grows by one with every change). A copy is
 *   written only over a lower version, so a record MirrorMaker copies twice, or a rebuild
 *   reading the topic again, changes nothing, and no order of arrival can take a state back.
 * - The offset of the mirrored partition that comes next is kept in the same slot as the
 *   copies it produced and moved in the same script, and the script writes only when the
 *   offset is what the caller read before: a Redis that lost the partition's keys (or an
 *   instance that took the partition over) makes it answer with the stored offset instead,
 *   and the caller reads again from there.
 * - The clock is the newest heartbeat time MirrorMaker brought from a data centre; it only
 *   moves forward.
 *
 * Version is the fifth field of a location's compact text (read-model compact.ts), base 36.
 */

/**
 * KEYS[1]: the partition's peeroffsets hash; KEYS[2..]: the copies' hashes.
 * ARGV[1]: data centre; ARGV[2]: the offset the caller expects stored (0 when none);
 * ARGV[3]: the offset after the batch; then per state: index into KEYS, locationId,
 * version (decimal), compact text. Returns {1, states written} or {0, stored offset}.
 */
export const peerApplyScript = `
local stored = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if stored ~= tonumber(ARGV[2]) then return {0, stored} end
local written = 0
for i = 4, #ARGV, 4 do
  local key = KEYS[tonumber(ARGV[i])]
  local old = redis.call('HGET', key, ARGV[i + 1])
  local oldVersion = -1
  if old then
    local n = 0
    for field in string.gmatch(old .. ',', '([^,]*),') do
      n = n + 1
      if n == 5 then oldVersion = tonumber(field, 36) break end
    end
  end
  if tonumber(ARGV[i + 2]) > oldVersion then
    redis.call('HSET', key, ARGV[i + 1], ARGV[i + 3])
    written = written + 1
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1, written}
`;

/** KEYS[1]: peer-clock. ARGV: data centre, heartbeat time (ms). Returns 1 when it moved forward. */
export const peerClockScript = `
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
`;

export const peerScripts = {
  inventoryPeerApply: peerApplyScript,
  inventoryPeerClock: peerClockScript,
};
