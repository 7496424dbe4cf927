import { spawnSync } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/, built by the test command) as a user would. */
export function dokomodo(
  args: string[],
  opts: { input?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): RunResult {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    DOKOMODO_PASSPHRASE: undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, ['bin/dokomodo.js', ...args], {
    input: opts.input ?? '',
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
