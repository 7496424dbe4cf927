// The arrows between the folders of src/ are the ones docs/architecture.md allows, and no other.
// The table is read from the document, so the rule and its explanation cannot drift apart.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');

function allowedArrows(): Map<string, Set<string> | '*'> {
  const doc = readFileSync('docs/architecture.md', 'utf8');
  const section = doc.split('### Allowed imports')[1];
  if (!section) throw new Error('docs/architecture.md has no "### Allowed imports" section');
  const rows = new Map<string, Set<string> | '*'>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z]+)` \| ([^|]+) \|/.exec(line);
    if (!m) {
      if (rows.size > 0 && !line.startsWith('|')) break;
      continue;
    }
    const cell = m[2]!.trim();
    rows.set(m[1]!, cell === '`*`' ? '*' : new Set([...cell.matchAll(/`([a-z]+)`/g)].map((x) => x[1]!)));
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s*'([^']+)'/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) out.push(spec);
  }
  return out;
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : '';
}

describe('layering', () => {
  const rules = allowedArrows();
  const files = sourceFiles(SRC).filter((f) => folderOf(f) !== '');

  it('the table names every folder of src/', () => {
    const folders = [...new Set(files.map(folderOf))].sort();
    expect(folders.filter((f) => !rules.has(f))).toEqual([]);
    expect(rules.size).toBeGreaterThanOrEqual(8);
  });

  it('finds the imports it checks (static, re-export, dynamic)', () => {
    const sample =
      "import { a } from '../x/a.ts';\nexport { b } from './b.ts';\nconst c = await import('../y/c.ts');\nimport 'node:fs';";
    expect(importsOf(sample)).toEqual(['../x/a.ts', './b.ts', '../y/c.ts']);
  });

  it('every import between folders is an allowed arrow', () => {
    const wrong: string[] = [];
    let arrows = 0;
    for (const file of files) {
      const from = folderOf(file);
      const allowed = rules.get(from);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC + sep)) continue;
        const to = folderOf(target);
        if (to === from || to === '') continue;
        arrows++;
        if (allowed !== '*' && !allowed?.has(to)) wrong.push(`${relative('.', file)} → ${to} (${spec})`);
      }
    }
    expect(arrows).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});
