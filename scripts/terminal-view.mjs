// What `npm start` shows of the running platform: an app's pino log line made readable
// (time, app, level, message, context), and the one status line (apps up, events/s in and
// applied, consumer lag). Pure functions: start.mjs does the reading and the writing.

const levelNames = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const colors = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
const reset = '\x1b[0m';
export const warnLevel = 40;
export const infoLevel = 30;

/** Fields every line carries, or that the line's own columns already show. */
const shown = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'timestamp', 'logger', 'v']);
const maxLength = 400;

/** HH:MM:SS of a moment, in the machine's time zone (what a person at the terminal reads). */
export function clockTime(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function contextOf(entry) {
  return Object.entries(entry)
    .filter(([key, value]) => !shown.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

function errorOf(err) {
  if (err === undefined || err === null) return '';
  if (typeof err === 'string') return `: ${err}`;
  return `: ${err.type ? `${err.type} ` : ''}${err.message ?? JSON.stringify(err)}`;
}

/**
 * The level of a line that is not pino's JSON: the runtime's warnings on stderr
 * ("(node:12) Warning: ..."), a crash's error and stack, or a tool's plain output.
 */
export function plainLevel(text) {
  if (
    /\b(error|exception|fatal|failed)\b/i.test(text) ||
    /(Error|Exception)\b/.test(text) ||
    /^\s+at\s/.test(text)
  )
    return 50;
  if (/\bwarn(ing)?\b/i.test(text) || /Warning\b/.test(text)) return warnLevel;
  return infoLevel;
}

/**
 * One line of an app's log as a person reads it, or undefined when it is below `minLevel`
 * or empty. A line that is not pino's JSON is shown as it is, at the level its words give
 * it (plainLevel), stamped `now`.
 */
export function prettyLogLine(app, line, { minLevel = warnLevel, color = false, now = Date.now() } = {}) {
  const text = line.trimEnd();
  if (text === '') return undefined;
  let entry;
  try {
    entry = JSON.parse(text);
  } catch {
    entry = undefined;
  }
  const structured = entry !== null && typeof entry === 'object' && typeof entry.level === 'number';
  const level = structured ? entry.level : plainLevel(text);
  if (level < minLevel) return undefined;
  const name = levelNames[level] ?? String(level);
  const label = color && colors[level] ? `${colors[level]}${name.padEnd(5)}${reset}` : name.padEnd(5);
  const body = structured
    ? [`${entry.msg ?? ''}${errorOf(entry.err)}`, contextOf(entry)].filter(Boolean).join('  ')
    : text;
  const out = `${clockTime(structured && typeof entry.time === 'number' ? entry.time : now)} ${app} ${label} ${body}`;
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}

/** Events per second, short: 0, 8.5, 120, 3.4k. */
export function formatRate(perSecond) {
  if (perSecond === undefined || Number.isNaN(perSecond)) return '-';
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k`;
  if (perSecond >= 100 || perSecond === 0) return String(Math.round(perSecond));
  return perSecond.toFixed(1);
}

/** The sum of an instant vector from Prometheus' /api/v1/query, or undefined when it holds no series. */
export function vectorSum(body) {
  const series = body?.status === 'success' && Array.isArray(body.data?.result) ? body.data.result : [];
  if (series.length === 0) return undefined;
  return series.reduce((sum, s) => sum + Number(s.value?.[1] ?? 0), 0);
}

/**
 * The live status line: the time, how many apps are ready (naming those that are not, with
 * their state), the flow from Prometheus when it runs, and the warnings seen so far; cut to
 * `width` so that rewriting it in place with `\r` never wraps.
 */
export function statusLine({ apps, flow, warnings = 0, now = Date.now(), width = 120 }) {
  const ready = apps.filter((a) => a.state === 'ready');
  const others = apps.filter((a) => a.state !== 'ready').map((a) => `${a.name} ${a.state}`);
  const parts = [
    `${ready.length}/${apps.length} apps ready${others.length > 0 ? ` (${others.join(', ')})` : ''}`,
  ];
  if (flow)
    parts.push(
      `in ${formatRate(flow.in)} ev/s`,
      `applied ${formatRate(flow.applied)} ev/s`,
      `lag ${flow.lag === undefined ? '-' : Math.round(flow.lag)}`,
    );
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  const line = `${clockTime(now)} ${parts.join(' · ')}`;
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}
