/**
 * Where a reservation without a location is asked, across data centres (`reservation-home:<id>`,
 * read-model keys.ts). Contract:
 *
 * - The note names the one data centre that may be asked next for the id. It moves only from
 *   a data centre that refused the id to the caller, which saw that refusal; a refusal stands
 *   for the id (the aggregator keeps the first decision), so a data centre the note left can
 *   never confirm it, and the only one that can is the one noted.
 * - Several requests for the same id at once (a double submission) each read the note and
 *   follow it: a move is compare-and-set, so only one of them moves it, and the others ask
 *   where it was moved to and hear that decision.
 * - The note lives in this data centre's Redis: requests for one id through two data centres
 *   are not ordered by it.
 */

/**
 * KEYS[1]: reservation-home:<id>. ARGV[1]: the data centre the caller saw refuse ('' before
 * any: the note is made only where there is none); ARGV[2]: the data centre to note; ARGV[3]:
 * retention (ms). Returns the data centre noted now: ARGV[2] when the caller moved it, or
 * where another request noted it.
 */
export const reservationHomeStepScript = `
local current = redis.call('GET', KEYS[1])
if (not current and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ARGV[2]
end
return current
`;

export interface ReservationHomeCommands {
  inventoryReservationHomeStep(
    key: string,
    refusedBy: string,
    next: string,
    retentionMs: number,
  ): Promise<string>;
}

/** Defines the script on a client (once per client) and returns its typed call. */
export function reservationHomeCommands(redis: {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}): ReservationHomeCommands {
  redis.defineCommand('inventoryReservationHomeStep', { numberOfKeys: 1, lua: reservationHomeStepScript });
  return redis as unknown as ReservationHomeCommands;
}
