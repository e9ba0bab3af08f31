import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackContext } from '../component.ts';

/**
 * log4j2 configuration for the Kafka and Connect JVMs: everything to stdout, which the
 * stack appends to logs/<part>.log; chatty internals turned down to WARN.
 */
export function writeLog4j2(ctx: StackContext, name: string): string {
  const file = join(ctx.settings.dirs.conf, `${name}-log4j2.properties`);
  writeFileSync(
    file,
    [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = OUT',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.out.ref = OUT',
      'logger.request.name = kafka.request.logger',
      'logger.request.level = WARN',
      'logger.statechange.name = state.change.logger',
      'logger.statechange.level = WARN',
      'logger.reflections.name = org.reflections',
      'logger.reflections.level = ERROR',
      'logger.clients.name = org.apache.kafka.clients',
      'logger.clients.level = WARN',
      '',
    ].join('\n'),
  );
  return file;
}

export function writeProperties(file: string, properties: Record<string, string | number | boolean>): void {
  const lines = Object.entries(properties).map(([k, v]) => `${k}=${String(v)}`);
  // 0600: a secured stack's files hold SCRAM passwords.
  writeFileSync(file, `# written by the local stack on every start\n${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export const jvmBaseOptions = ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
