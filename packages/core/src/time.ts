/**
 * `new Date(ms).toISOString()`, without its cost where it is paid per value: an answer of
 * the query API carries a time per location, a lake row three. In a profile of the query
 * API's reads, `locationView`, which called it per location, had 12.4 % of the busy time; the
 * day's part is kept for the few days in use and the time of day written from integers. Every millisecond time gives exactly
 * toISOString's text (years past 9999 and before 0 included); an invalid one throws its
 * RangeError.
 */
export function isoTime(ms: number): string {
  // NaN, infinities and times past Date's range: Date throws its RangeError.
  if (!(ms >= -maxTime && ms <= maxTime)) return new Date(ms).toISOString();
  const day = Math.floor(ms / dayMs);
  let prefix = days.get(day);
  if (prefix === undefined) {
    const iso = new Date(ms).toISOString();
    prefix = iso.slice(0, iso.indexOf('T') + 1);
    if (days.size >= keptDays) days.clear();
    days.set(day, prefix);
  }
  const inDay = ms - day * dayMs;
  if (!Number.isInteger(inDay)) return new Date(ms).toISOString();
  const seconds = Math.floor(inDay / 1000);
  return `${prefix}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${three(inDay % 1000)}Z`;
}

const dayMs = 86_400_000;
const maxTime = 8.64e15;
/** Days whose date text is kept; a read rarely spans more than a few. */
const keptDays = 64;
const days = new Map<number, string>();
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
