import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, TargetName } from '../../src/compiler/artifact.ts';
import { compile } from '../../src/compiler/compile.ts';
import { writeArtifacts } from '../../src/compiler/write.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { testHostsUnavailable } from '../harness/testhosts.ts';

export const SECRET = 'ansible-test-secret-0123456789';
export const PLAYBOOK = 'ansible/site.yml';

export function platformOf(file: string): Platform {
  const r = loadPlatformFile(file);
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
}

export function platformText(yaml: string, file = '/work/dokomodo.yaml'): Platform {
  const r = loadPlatformText(file, yaml);
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
}

export function render(
  p: Platform,
  targets: TargetName[],
  opts: { env?: string; hosts?: string[] } = {},
): Artifact[] {
  return compile(p, selectEnvironment(p, opts.env), {
    secret: SECRET,
    targets,
    ...(opts.hosts ? { hosts: opts.hosts } : {}),
  });
}

/**
 * The targets the deploy installs, minus those whose renderer is still a placeholder (it throws
 * "not implemented"), so these tests pick up systemd and monitoring as soon as they exist.
 */
export function deployTargets(p: Platform): TargetName[] {
  const out: TargetName[] = ['conf', 'iguana', 'ansible'];
  for (const t of ['systemd', 'monitoring'] as const) {
    try {
      render(p, [t]);
      out.push(t);
    } catch (e) {
      if (!String(e).includes('not implemented')) throw e;
    }
  }
  return out;
}

/** Renders into `out` the way `dokomodo render --out` does (the real writer). */
export function renderTo(out: string, p: Platform, targets: TargetName[]): Artifact[] {
  const artifacts = render(p, targets);
  writeArtifacts(out, artifacts, { source: 'dokomodo.yaml' });
  return artifacts;
}

/** Whether a real tool is installed; in CI a missing tool is a failure, never a skip. */
export function have(tool: string): boolean {
  const ok = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', tool]).status === 0;
  if (!ok && process.env['CI']) throw new Error(`${tool} is missing in CI: .ci/run must install it`);
  return ok;
}

export function haveFile(path: string): boolean {
  const ok = existsSync(path);
  if (!ok && process.env['CI']) throw new Error(`${path} is missing in CI: .ci/run must install it`);
  return ok;
}

export interface Run {
  code: number;
  out: string;
  ms: number;
}

/** Runs an Ansible tool with a quiet, colourless, self-contained environment. */
export function ansible(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Run {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: {
      ...process.env,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      NO_COLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ...opts.env,
    },
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { code: r.status ?? -1, out, ms: performance.now() - t0 };
}

export interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

/** The PLAY RECAP lines of an ansible-playbook run, by host. */
export function recap(out: string): Record<string, Recap> {
  const res: Record<string, Recap> = {};
  const tail = out.slice(out.lastIndexOf('PLAY RECAP'));
  for (const m of tail.matchAll(
    /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)/gm,
  )) {
    res[m[1]!] = {
      ok: Number(m[2]),
      changed: Number(m[3]),
      unreachable: Number(m[4]),
      failed: Number(m[5]),
      skipped: Number(m[6]),
    };
  }
  return res;
}

/**
 * Why the deploy tests cannot run here (Ansible, ssh or the test hosts missing), or undefined;
 * in CI a missing piece is a failure, never a skip.
 */
export function deployUnavailable(): string | undefined {
  const missing = ['ansible-playbook', 'ssh'].filter((t) => !have(t));
  const why = missing.length > 0 ? `${missing.join(', ')} missing` : testHostsUnavailable();
  if (why && process.env['CI']) throw new Error(`deploy tests cannot run in CI: ${why}`);
  return why;
}

/** Scripts standing for the binaries a deploy copies (`dokomodo_binaries_src`), in DIR/binaries; returns that directory. */
export function fakeBinaries(dir: string, names: readonly string[]): string {
  const binDir = join(dir, 'binaries');
  mkdirSync(binDir);
  for (const b of names) writeFileSync(join(binDir, b), `#!/bin/sh\necho fake ${b}\n`, { mode: 0o755 });
  return binDir;
}

/**
 * Ansible's own state under DIR (temporary files, its home, the SSH masters' sockets — which end
 * with the test hosts' sshd at teardown), with pipelining on.
 */
export function ansibleEnv(dir: string): Record<string, string> {
  return {
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    ANSIBLE_HOME: join(dir, 'ansible-home'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'cp'),
    ANSIBLE_PIPELINING: '1',
  };
}
