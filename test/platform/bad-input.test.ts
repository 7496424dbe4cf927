/**
 * The bad-input suite: broken platform files, each asserting the diagnostic code and the exact
 * position of the offending YAML node. Loading never throws.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { badCases as cases } from './bad-cases.ts';

describe('bad platform files', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  it.each(cases)('$name → $code at $line:$col', (c) => {
    const r = loadPlatformText('bad.yaml', c.yaml);
    expect(r.platform).toBeUndefined();
    const d = r.diagnostics.find((x) => x.severity === 'error');
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect({ code: d!.code, line: d!.pos?.line, col: d!.pos?.col }).toEqual({
      code: c.code,
      line: c.line,
      col: c.col,
    });
    expect(d!.pos?.file).toBe('bad.yaml');
    expect(d!.message.length).toBeGreaterThan(10);
    if (c.says) expect(`${d!.message} ${d!.hint ?? ''}`).toContain(c.says);
    if (c.code !== 'empty-file') expect(d!.frame).toContain('>');
  });
});

describe('bad files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bad-'));
  it('binary garbage', () => {
    const f = join(dir, 'garbage.yaml');
    writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    const r = loadPlatformFile(f);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['not-text']);
  });
  it('invalid UTF-8 without NUL', () => {
    const f = join(dir, 'latin1.yaml');
    writeFileSync(f, Buffer.from('version: 1\nchains:\n  K\xc9MD: {}\n', 'latin1'));
    expect(loadPlatformFile(f).diagnostics.map((d) => d.code)).toEqual(['not-text']);
  });
  it('a 50 MB file is refused before parsing', () => {
    const f = join(dir, 'huge.yaml');
    const line = '# padding padding padding padding padding padding padding padding padding padding\n';
    writeFileSync(
      f,
      `version: 1\nchains:\n  KMD: {}\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}`,
    );
    const r = loadPlatformFile(f);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['file-too-large']);
    expect(r.diagnostics[0]!.message).toContain('MiB');
  });
  it('a missing file', () => {
    const r = loadPlatformFile(join(dir, 'nope.yaml'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['file-not-found']);
    expect(r.diagnostics[0]!.hint).toContain('-f');
  });
  it('a directory', () => {
    expect(loadPlatformFile(dir).diagnostics.map((d) => d.code)).toEqual(['not-a-file']);
  });
});

describe('hostile files', () => {
  const chains = 'version: 1\nchains:\n  KMD: {}\n';
  /** 8 keys per level, each the previous level's anchor: 8^levels nodes from a few hundred bytes. */
  const mappingBomb = (levels: number): string => {
    const lines = [chains.trimEnd(), 'x-l0: &l0 {a: 1, b: 1, c: 1, d: 1}'];
    for (let i = 1; i <= levels; i++) {
      lines.push(
        `x-l${i}: &l${i} {${'abcdefgh'
          .split('')
          .map((k) => `${k}: *l${i - 1}`)
          .join(', ')}}`,
      );
    }
    return `${lines.join('\n')}\n`;
  };
  const first = (yaml: string) => {
    const r = loadPlatformText('bad.yaml', yaml);
    expect(r.platform).toBeUndefined();
    return r.diagnostics[0]!;
  };

  it('a mapping alias bomb is refused at the first alias that crosses the limit', () => {
    const yaml = mappingBomb(9);
    expect(yaml.length).toBeLessThan(800);
    const d = first(yaml);
    expect(d.code).toBe('platform-too-complex');
    // Levels hold 5, 41, 329, 2633, 21065, 168521 values: the walk crosses 100,000 + 2 per byte
    // inside x-l5 (line 9), at its fourth alias, `d: *l4`.
    const line9 = yaml.split('\n')[8]!;
    expect({ line: d.pos?.line, col: d.pos?.col }).toEqual({ line: 9, col: line9.indexOf('d: *l4') + 4 });
    expect(d.message).toContain('more than 101,');
  });
  it('a bomb of sequences, reached from a real key, is refused too', () => {
    const lines = ['version: 1', 'x-0: &s0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `x-${i}: &s${i} [${Array(10)
          .fill(`*s${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('chains:', '  KMD:', '    addnode: *s9');
    expect(first(`${lines.join('\n')}\n`).code).toBe('platform-too-complex');
  });
  it('sharing settings with anchors and merge keys is not a bomb', () => {
    const shared = 'x-node: &node { addnode: [198.51.100.20, 198.51.100.21] }\n';
    const list = Array.from(
      { length: 20 },
      (_, i) => `  C${i}: { <<: *node, params: { ac_supply: ${i + 1} } }`,
    );
    const r = loadPlatformText('ok.yaml', `version: 1\n${shared}chains:\n  KMD: {}\n${list.join('\n')}\n`);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.platform?.chains).toHaveLength(21);
  });
  it.each([
    ['flow', (n: number) => `${chains}x-deep: ${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['unclosed flow', (n: number) => `${chains}x-deep: ${'{a: '.repeat(n)}\n`],
    ['compact sequences', (n: number) => `${chains}x-deep:\n  ${'- '.repeat(n)}x\n`],
    [
      'block mappings',
      (n: number) =>
        `${chains}x-deep:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`,
    ],
  ])('nesting by %s: 100 levels load, 101 are refused, 20,000 too, with our words', (_, make) => {
    // The top-level mapping is level 1, `x-deep`'s value level 2.
    const ok = loadPlatformText('ok.yaml', make(99));
    expect(ok.diagnostics.filter((d) => d.code === 'platform-too-complex')).toEqual([]);
    for (const n of [100, 20_000]) {
      const d = first(make(n));
      expect(d.code).toBe('platform-too-complex');
      expect(d.pos?.line).toBeGreaterThanOrEqual(4);
      expect(d.message).not.toMatch(/call stack|RangeError/);
    }
  });
  it.each([
    ['after a quoted scalar', (b: string) => `${chains}x-a: "x" ${b}\n`],
    ['after an alias', (b: string) => `${chains}x-a: *x ${b}\n`],
    ['after a document end', (b: string) => `version: 1\n... ${b}\n`],
    [
      'after a block scalar, less indented than its text',
      (b: string) => `${chains}x-a: |\n      text\n  ${b}\n`,
    ],
    ['in a directive', (b: string) => `%YAML ${b}\nversion: 1\n`],
  ])('20,000 brackets %s: refused before the parsers try to recover', (_, make) => {
    const d = first(make('['.repeat(20_000)));
    expect(d.code).toBe('platform-too-complex');
  });
  it('brackets inside plain text and quotes are text', () => {
    const r = loadPlatformText(
      'ok.yaml',
      `version: 1\nx-a: see [1] and {2}\nx-b: "${'['.repeat(500)}"\nx-c: '${'{'.repeat(500)}'\nchains:\n  KMD: {}\n`,
    );
    expect(r.diagnostics).toEqual([]);
  });
  it('a block scalar indented far right is text, not nesting', () => {
    const art = Array.from({ length: 5 }, () => `${' '.repeat(300)}[[[[ art ]]]]`).join('\n');
    const r = loadPlatformText('ok.yaml', `version: 1\nx-note: |\n${art}\nchains:\n  KMD: {}\n`);
    expect(r.diagnostics).toEqual([]);
  });
  it('aliases chained 20,000 deep are refused at the alias', () => {
    const lines = [chains.trimEnd(), 'x-0: &a0 [1]'];
    for (let i = 1; i < 20_000; i++) lines.push(`x-${i}: &a${i} [*a${i - 1}]`);
    const d = first(`${lines.join('\n')}\n`);
    expect(d.code).toBe('platform-too-complex');
    expect(d.message).toContain('100 levels');
    expect(d.frame).toMatch(/\*a\d+/);
  });
  it('a duplicate among 50,000 keys is found (the parser’s own check is quadratic)', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: 1`).join('\n');
    const d = first(`${chains}x-many:\n${keys}\n  k7: 2\n`);
    expect({ code: d.code, line: d.pos?.line, col: d.pos?.col }).toEqual({
      code: 'duplicate-key',
      line: 50_005,
      col: 3,
    });
    expect(d.message).toContain('`k7`');
  });
  it('a huge key is quoted, not copied, into the message', () => {
    const d = first(`${chains}${'k'.repeat(1_000_000)}: 1\n`);
    expect(d.code).toBe('unknown-key');
    expect(d.message.length).toBeLessThan(500);
  });
});

describe('files that are not regular files', () => {
  it.each(['/dev/zero', '/dev/null'])('%s is refused before reading', (f) => {
    const r = loadPlatformFile(f);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['not-a-file']);
    expect(r.diagnostics[0]!.message).toContain('device');
  });
  it('a FIFO is refused without waiting for a writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dokomodo-fifo-'));
    const fifo = join(dir, 'dokomodo.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = loadPlatformFile(fifo);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['not-a-file']);
    expect(r.diagnostics[0]!.message).toContain('FIFO');
  });
});
