// Writes one benchmark's results into docs/benchmarks.md, replacing only that benchmark's
// section (between its markers), so every benchmark can be rerun on its own.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const FILE = new URL('../docs/benchmarks.md', import.meta.url);
const HEAD = `# Benchmarks

Each section is written by the script named in it (\`npm run bench\` runs all). Every benchmark
compares dokomodo against a baseline measured in the same run on the same machine.
`;

/** Replaces (or appends) the section `id` with `markdown`, stamped with the machine and date. */
export function recordSection(id, title, markdown) {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEAD;
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const stamp = `_${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${os.cpus().length} × ${cpu.trim()}_`;
  const block = `${begin}\n## ${title}\n\n${stamp}\n\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  const tmp = new URL(`../docs/.benchmarks.md.${process.pid}`, import.meta.url);
  writeFileSync(tmp, next);
  renameSync(tmp, FILE);
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
