import { existsSync } from 'node:fs';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { TARGETS, type TargetName } from '../../src/compiler/artifact.ts';
import { compile } from '../../src/compiler/compile.ts';

/** Targets covered by golden files and the secret scan (all of them once every renderer exists). */
export const GOLDEN_TARGETS: TargetName[] = [...TARGETS];

export const SECRET = 'test-secret-0123456789abcdef';

export function platformOf(file: string): Platform {
  const r = loadPlatformFile(file);
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
}

export function platformText(yaml: string): Platform {
  const r = loadPlatformText('/work/test.yaml', yaml);
  if (!r.platform) throw new Error(JSON.stringify(r.diagnostics));
  return r.platform;
}

export function render(p: Platform, targets: TargetName[], env?: string) {
  return compile(p, selectEnvironment(p, env), { secret: SECRET, targets });
}

/** True when a real tool is installed; in CI a missing tool is a failure, not a skip. */
export function haveTool(path: string): boolean {
  const ok = existsSync(path);
  if (!ok && process.env['CI']) throw new Error(`${path} is missing in CI: .ci/run must install it`);
  return ok;
}
