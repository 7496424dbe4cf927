/**
 * The real Iguana for end-to-end tests: built by ../shared/tools/iguana/build.sh (cached), run in a
 * private network namespace together with the devnet chains and every dokomodo command, so its
 * fixed ports (7776, 13848) and its dialling of seeds never leave the test. The namespace is held
 * by one `unshare -n sleep` process; everything else enters it with `nsenter -t PID -n`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { type RunResult, runScanned } from '../notary/helpers.ts';

const BUILD = resolve('..', 'shared', 'tools', 'iguana', 'build.sh');

/** The binary's path, or why there is none (then the tests are skipped, saying so). */
export function realIguana(): { bin: string } | { why: string } {
  if (process.platform !== 'linux') return { why: 'the real Iguana builds on Linux only' };
  if (process.getuid?.() !== 0)
    return { why: 'not root: the build installs Debian packages and the tests need `unshare -n`' };
  if (!existsSync(BUILD)) return { why: `${BUILD} is missing (../shared sits beside the clone in CI)` };
  for (const tool of ['unshare', 'nsenter', 'stdbuf', 'ip'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return { why: `${tool} is not installed` };
  const r = spawnSync('bash', [BUILD], { encoding: 'utf8', timeout: 900_000 });
  const bin = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(bin))
    return {
      why: `build.sh failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    };
  return { bin };
}

export class Netns {
  private constructor(private readonly holder: ChildProcess) {}

  get pid(): number {
    return this.holder.pid!;
  }

  static async create(): Promise<Netns> {
    const holder = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo up && exec sleep 3600'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('unshare -n did not come up in 10 s')), 10_000);
      holder.stdout!.once('data', () => {
        clearTimeout(timer);
        ok();
      });
      holder.once('exit', (code) => fail(new Error(`unshare -n exited with ${code}`)));
    });
    return new Netns(holder);
  }

  /** argv run inside the namespace. */
  argv(cmd: string, args: readonly string[]): [string, string[]] {
    return ['nsenter', ['-t', String(this.pid), '-n', '--', cmd, ...args]];
  }

  /** A long-running process inside the namespace, its output appended to `log`. */
  daemon(cmd: string, args: readonly string[], opts: { cwd: string; log: string }): ChildProcess {
    const fd = openSync(opts.log, 'a');
    const [file, argv] = this.argv(cmd, args);
    return spawn(file, argv, { cwd: opts.cwd, stdio: ['ignore', fd, fd] });
  }

  /** The built CLI inside the namespace; its output is scanned for `secrets`. */
  dokomodo(
    args: string[],
    opts: { env: Record<string, string>; secrets: readonly string[]; input?: string; timeoutMs?: number },
  ): Promise<RunResult> {
    const [file, argv] = this.argv(process.execPath, [resolve('bin/dokomodo.js'), ...args]);
    return runScanned(file, argv, {
      ...opts,
      timeoutMs: opts.timeoutMs ?? 120_000,
      label: `dokomodo ${args.join(' ')}`,
    });
  }

  close(): void {
    this.holder.kill('SIGKILL');
  }
}

/** Polls `fn` every `everyMs` until it returns a value or `ms` passed (then undefined). */
export async function waitFor<T>(
  ms: number,
  everyMs: number,
  fn: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end && i < 10_000; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}
