// The write floor: the least a program can do to put a rendered tree on disk. Reads a pack made
// by `pack()` (every file's path, mode and bytes) and writes each file with a plain
// writeFileSync into a fresh directory: no rendering, no hashing, no manifest, no lock.
//   node bench/write-floor.mjs PACK DIR
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Packs the tree a reader sees under `root` (through links, without `.dokomodo`) into PACK.json + PACK.bin. */
export function pack(root, out) {
  const index = [];
  const parts = [];
  const walk = (rel) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.dokomodo') continue;
      const st = statSync(join(root, r));
      if (st.isDirectory()) walk(r);
      else {
        const bytes = readFileSync(join(root, r));
        index.push([r, st.mode & 0o777, bytes.length]);
        parts.push(bytes);
      }
    }
  };
  walk('');
  writeFileSync(`${out}.json`, JSON.stringify(index));
  writeFileSync(`${out}.bin`, Buffer.concat(parts));
  return { files: index.length, bytes: parts.reduce((n, b) => n + b.length, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [packFile, root] = process.argv.slice(2);
  const index = JSON.parse(readFileSync(`${packFile}.json`, 'utf8'));
  const blob = readFileSync(`${packFile}.bin`);
  const made = new Set();
  let offset = 0;
  for (const [path, mode, length] of index) {
    const file = join(root, path);
    const dir = dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, blob.subarray(offset, offset + length), { mode });
    offset += length;
  }
}
