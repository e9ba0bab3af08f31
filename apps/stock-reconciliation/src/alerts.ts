import { errorMessage, type Logger } from '@inventory/core';

export type AlertKind = 'failed' | 'many-changes' | 'long-running' | 'overlap';

/** Posts to a Slack-compatible incoming webhook; an alert that cannot be sent is logged, never fatal. */
export function webhookAlerter(url: string | undefined, environment: string, logger: Logger) {
  return async (kind: AlertKind, text: string): Promise<boolean> => {
    const message = `:warning: [${environment}] stock reconciliation ${kind}: ${text}`;
    logger.warn({ alert: kind }, message);
    if (!url) return false;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return true;
    } catch (error) {
      logger.error({ alert: kind, err: errorMessage(error) }, 'alert could not be sent');
      return false;
    }
  };
}

export type Alert = ReturnType<typeof webhookAlerter>;
