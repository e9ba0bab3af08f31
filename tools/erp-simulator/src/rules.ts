import { ErpError } from './http-errors.ts';
import { type ErpRoute, erpRoutes } from './model.ts';

export type FailureAction = 'down' | 'status' | 'slow';

export interface FailureRule {
  /** Default: every business route, the Slack hook included. */
  route?: ErpRoute;
  /** Only requests whose Idempotency-Key or raw body contains this substring. */
  match?: string;
  action: FailureAction;
  /** For 'status'. */
  status?: number;
  /** For 'slow': wait this long, then answer normally. */
  delayMs?: number;
  /** The next N matching requests only; default: until the rules are cleared. */
  times?: number;
}

/** What a rule is matched against. */
export interface RuleRequest {
  route: ErpRoute;
  idempotencyKey: string | undefined;
  rawBody: string;
}

const actions: readonly FailureAction[] = ['down', 'status', 'slow'];
const ruleFields = new Set(['route', 'match', 'action', 'status', 'delayMs', 'times']);
// A demo that sets a ten-minute delay has made a typo; the simulator should not hang that long.
const maxDelayMs = 120_000;

function invalid(index: number, field: string, problem: string): never {
  const name = field ? `rules[${index}].${field}` : `rules[${index}]`;
  throw new ErpError(400, 'INVALID_RULES', `${name} ${problem}`, {}, { field: name });
}

const isInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);

/**
 * Checks rules from a test or a curl command. Unknown fields are refused: a misspelt
 * `time: 1` would otherwise leave a rule failing every request until it is cleared.
 */
export function parseRules(value: unknown): FailureRule[] {
  if (!Array.isArray(value)) {
    throw new ErpError(400, 'INVALID_RULES', 'rules must be a JSON array', {}, { field: 'rules' });
  }
  return value.map((raw: unknown, index): FailureRule => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      invalid(index, '', 'must be an object');
    const rule = raw as Record<string, unknown>;
    for (const field of Object.keys(rule)) {
      if (!ruleFields.has(field))
        invalid(index, field, `is not a rule field (${[...ruleFields].join(', ')})`);
    }
    const { route, match, action, status, delayMs, times } = rule;
    if (route !== undefined && !erpRoutes.includes(route as ErpRoute)) {
      invalid(index, 'route', `must be one of ${erpRoutes.join(', ')}`);
    }
    if (match !== undefined && (typeof match !== 'string' || match === '')) {
      invalid(index, 'match', 'must be a non-empty string');
    }
    if (!actions.includes(action as FailureAction))
      invalid(index, 'action', `must be one of ${actions.join(', ')}`);
    if (action === 'status' && (!isInteger(status) || status < 400 || status > 599)) {
      invalid(index, 'status', 'must be an HTTP error status 400-599 for action status');
    }
    if (action === 'slow' && (!isInteger(delayMs) || delayMs < 0 || delayMs > maxDelayMs)) {
      invalid(index, 'delayMs', `must be an integer 0-${maxDelayMs} for action slow`);
    }
    if (times !== undefined && (!isInteger(times) || times < 1))
      invalid(index, 'times', 'must be an integer >= 1');
    return structuredClone(rule) as unknown as FailureRule;
  });
}

/** The active rules, in order, each with what is left of its `times`. */
export class FailureRules {
  private active: { rule: FailureRule; remaining: number }[] = [];

  /** Replaces all rules; callers pass rules that went through parseRules. */
  set(rules: FailureRule[]): void {
    this.active = rules.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  clear(): void {
    this.active = [];
  }

  /** The first unspent rule that matches, and spends one of its uses; undefined: answer normally. */
  take(request: RuleRequest): FailureRule | undefined {
    const hit = this.active.find(({ rule, remaining }) => remaining > 0 && matches(rule, request));
    if (!hit) return undefined;
    hit.remaining--;
    return hit.rule;
  }
}

function matches(rule: FailureRule, request: RuleRequest): boolean {
  if (rule.route !== undefined && rule.route !== request.route) return false;
  if (rule.match === undefined) return true;
  return (request.idempotencyKey?.includes(rule.match) ?? false) || request.rawBody.includes(rule.match);
}
