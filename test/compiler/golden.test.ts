/**
 * Golden files: every artifact of each example platform, compared byte for byte with the files
 * under test/golden/<scenario>/, and the exact set of names. Regenerate after an intended
 * change with `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts` and review the diff.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_TARGETS, platformOf, render } from './helpers.ts';
const scenarios = {
  dev: 'examples/dev.yaml',
  mainnet: 'examples/komodo-mainnet.yaml',
  relay: 'examples/relay.yaml',
};

function listFiles(root: string, dir = ''): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = dir ? `${dir}/${name}` : name;
    return statSync(join(root, rel)).isDirectory() ? listFiles(root, rel) : [rel];
  });
}

describe.each(Object.entries(scenarios))('golden %s', (scenario, file) => {
  const root = join('test/golden', scenario);
  const artifacts = render(platformOf(file), GOLDEN_TARGETS);
  if (process.env['UPDATE_GOLDEN']) {
    rmSync(root, { recursive: true, force: true });
    for (const a of artifacts) {
      mkdirSync(dirname(join(root, a.path)), { recursive: true });
      writeFileSync(join(root, a.path), a.content);
    }
  }
  it('has exactly the golden file names', () => {
    expect(artifacts.map((a) => a.path).sort()).toEqual(listFiles(root).sort());
  });
  it.each(artifacts.map((a) => [a.path, a] as const))('%s', (path, a) => {
    expect(a.content).toBe(readFileSync(join(root, path), 'utf8'));
  });
  it('is deterministic', () => {
    const again = render(platformOf(file), GOLDEN_TARGETS);
    expect(again).toEqual(artifacts);
  });
});
