import { describe, expect, it } from 'vitest';
import { FailureRules, parseRules, type RuleRequest } from './rules.ts';

const request = (patch: Partial<RuleRequest> = {}): RuleRequest => ({
  route: 'purchase-orders',
  idempotencyKey: 'po-1',
  rawBody: '{"orderId":"WEB-1"}',
  ...patch,
});

describe('FailureRules', () => {
  it('applies the first unspent matching rule and spends its times', () => {
    const rules = new FailureRules();
    rules.set(
      parseRules([
        { action: 'status', status: 503, times: 2 },
        { action: 'slow', delayMs: 5 },
      ]),
    );
    expect(
      [rules.take(request()), rules.take(request()), rules.take(request())].map((r) => r?.action),
    ).toEqual(['status', 'status', 'slow']);
  });

  it('filters by route and by a substring of the key or the raw body', () => {
    const rules = new FailureRules();
    rules.set(
      parseRules([
        { route: 'inventory', action: 'down' },
        { match: 'WEB-7', action: 'down' },
      ]),
    );
    expect(rules.take(request())).toBeUndefined();
    expect(rules.take(request({ route: 'inventory', idempotencyKey: undefined, rawBody: '' }))).toBeDefined();
    expect(rules.take(request({ rawBody: '{"orderId":"WEB-7"}' }))?.match).toBe('WEB-7');
    expect(rules.take(request({ idempotencyKey: 'po-WEB-7' }))?.match).toBe('WEB-7');
    rules.clear();
    expect(rules.take(request({ idempotencyKey: 'po-WEB-7' }))).toBeUndefined();
  });
});

describe('parseRules', () => {
  it('refuses rules that would not do what was meant, naming the field', () => {
    expect(() => parseRules({ action: 'down' })).toThrow('rules must be a JSON array');
    expect(() => parseRules([{ action: 'down', time: 1 }])).toThrow(/^rules\[0\]\.time is not a rule field/);
    expect(() => parseRules([{ action: 'status' }])).toThrow(/^rules\[0\]\.status/);
    expect(() => parseRules([{ action: 'status', status: 200 }])).toThrow(/^rules\[0\]\.status/);
    expect(() => parseRules([{ action: 'slow' }])).toThrow(/^rules\[0\]\.delayMs/);
    expect(() => parseRules([{ action: 'down', route: 'orders' }])).toThrow(/^rules\[0\]\.route/);
    expect(() => parseRules([{ action: 'down', times: 0 }])).toThrow(/^rules\[0\]\.times/);
    expect(() => parseRules([{ action: 'explode' }])).toThrow(/^rules\[0\]\.action/);
    expect(() => parseRules([null])).toThrow(expect.objectContaining({ code: 'INVALID_RULES' }));
  });
});
