/** Shared helpers of the container tests: platforms, rendering to a temp tree, real tools. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Artifact, TargetName } from '../../src/compiler/artifact.ts';
import { compile } from '../../src/compiler/compile.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { selectEnvironment } from '../../src/platform/select.ts';

export const SECRET = 'container-tests-secret-0123456789abcdef';
export const EXAMPLES = ['examples/dev.yaml', 'examples/komodo-mainnet.yaml'] as const;
export const CONTAINER_TARGETS: TargetName[] = ['entrypoint', 'compose', 'kubernetes'];

export function platformFile(file: string): Platform {
  const r = loadPlatformFile(file);
  if (!r.platform) throw new Error(`${file}: ${JSON.stringify(r.diagnostics)}`);
  return r.platform;
}

export function platformText(yaml: string, file = '/work/dokomodo.yaml'): Platform {
  const r = loadPlatformText(file, yaml);
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
}

export function render(p: Platform, targets: TargetName[] = CONTAINER_TARGETS, env?: string): Artifact[] {
  return compile(p, selectEnvironment(p, env), { secret: SECRET, targets });
}

export function tempDir(prefix = 'dk-containers-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes artifacts below `root` with their modes (what the writer does, without its manifest). */
export function writeTree(root: string, artifacts: readonly Artifact[]): void {
  for (const a of artifacts) {
    const p = path.join(root, a.path);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, a.content);
    chmodSync(p, a.mode);
  }
}

/**
 * Whether a real tool is on PATH. Outside CI a missing tool skips its checks (with the reason);
 * in CI it is a failure: .ci/run installs it.
 */
export function have(tool: string): boolean {
  const ok = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;
  if (!ok && process.env['CI']) throw new Error(`${tool} is missing in CI: .ci/run must install it`);
  return ok;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeout?: number } = {},
): { code: number; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: opts.timeout ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function byPath(artifacts: readonly Artifact[], p: string): Artifact {
  const a = artifacts.find((x) => x.path === p);
  if (!a) throw new Error(`no artifact ${p}; have ${artifacts.map((x) => x.path).join(', ')}`);
  return a;
}

/** DNS-1123 label (Kubernetes object names, Service names must also start with a letter). */
export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
