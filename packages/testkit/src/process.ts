import { type ChildProcess, spawn } from 'node:child_process';

export interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  /** The sum of a Prometheus metric's samples (all label sets) from the app's /metrics. */
  metric: (name: string) => Promise<number>;
}

let nextPort = 20_000 + Math.floor(Math.random() * 20_000);

/**
 * An app's real process (`node --import tsx src/main.ts` in `appDir`): node itself runs the
 * TypeScript, with no wrapper process, so signals reach the app. `portSetting` names the
 * setting of its HTTP port, which gets a free port of a wide range.
 */
export function startAppProcess(
  appDir: string,
  env: NodeJS.ProcessEnv,
  portSetting: string,
  nodeArgs: string[] = [],
): AppProcess {
  const port = nextPort++;
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: { ...env, [portSetting]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };
  return { child, port, output: () => output, exited, metric };
}
