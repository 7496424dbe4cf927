import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Artifact } from '../../src/compiler/artifact.ts';
import { compile } from '../../src/compiler/compile.ts';
import { writeArtifacts } from '../../src/compiler/write.ts';
import type { Platform } from '../../src/platform/model.ts';
import { selectEnvironment } from '../../src/platform/select.ts';

export { platformOf, platformText, SECRET } from '../compiler/helpers.ts';
import { SECRET } from '../compiler/helpers.ts';

/** The monitoring target alone. */
export function renderMonitoring(p: Platform, env?: string): Artifact[] {
  return compile(p, selectEnvironment(p, env), { secret: SECRET, targets: ['monitoring'] });
}

export function contentOf(artifacts: readonly Artifact[], path: string): string {
  const a = artifacts.find((x) => x.path === path);
  if (!a) throw new Error(`no artifact ${path} among ${artifacts.map((x) => x.path).join(', ')}`);
  return a.content;
}

/** Writes the artifacts into a fresh temporary directory with the real writer; returns its path. */
export function writeTemp(artifacts: readonly Artifact[]): string {
  const root = mkdtempSync(join(tmpdir(), 'dokomodo-monitoring-'));
  writeArtifacts(root, artifacts);
  return root;
}

export function removeTemp(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/**
 * The path of an executable on PATH, or undefined. In CI a missing tool is a failure, not a skip:
 * .ci/run installs it.
 */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  if (process.env['CI']) throw new Error(`${name} is missing in CI: .ci/run must install it`);
  return undefined;
}

export interface ToolRun {
  status: number | null;
  output: string;
}

export function run(tool: string, args: readonly string[], cwd?: string): ToolRun {
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Metric names a PromQL expression reads (a scanner good enough for the expressions we write). */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const out: string[] = [];
  for (const m of s.matchAll(/(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = s.slice(m.index + m[0].length).trimStart();
    if (rest.startsWith('(') || PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    out.push(m[0]);
  }
  return [...new Set(out)];
}
