import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/** Bundles writer-child.ts into a temporary directory and returns the script's path. */
export function buildChild(): string {
  const script = join(mkdtempSync(join(tmpdir(), 'dokomodo-writer-child-')), 'writer-child.mjs');
  buildSync({
    entryPoints: ['test/compiler/writer-child.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'silent',
  });
  return script;
}
