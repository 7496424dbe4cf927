/**
 * The background writer on its own (dist/write-worker.js): contents travel in the slots of a
 * shared buffer, long ones (which many files may share) in the job itself. Whatever the content —
 * multi-byte characters, slots filled to the brim, many more jobs than slots, one content in many files —
 * each file holds exactly its bytes, with its mode, and its hash is the hash of those bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundWriter, SLOT_BYTES, SLOTS } from '../../src/compiler/background.ts';
import { SHARED_CONTENT } from '../../src/compiler/write-file.ts';

const script = join(process.cwd(), 'dist/write-worker.js');
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-bg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('background writer', () => {
  it('writes every content byte for byte, through slots and jobs, with its mode and hash', () => {
    expect(existsSync(script), 'run `npm run build` first').toBe(true);
    const root = join(dir, 'gen');
    const files = new Map<string, { content: string; mode: number }>();
    let seed = 5;
    const rand = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const pieces = ['a', 'é', '日本', '🙂', '\n', 'x'.repeat(100)];
    // Many more jobs than slots: small files, mixed scripts, 64 to a job — one job short of three
    // rounds, so that the long contents below start in the last slot, where one that did not fit
    // would run off the end of the buffer.
    for (let i = 0; i < SLOTS * 64 * 3 - 64; i++) {
      let c = `file ${i}\n`;
      for (let k = rand(40); k > 0; k--) c += pieces[rand(pieces.length)];
      files.set(`d${i % 37}/f${i}.txt`, { content: c, mode: i % 5 === 0 ? 0o600 : 0o644 });
    }
    // Contents just short of going in the job: a slot takes only a few of them (three bytes per
    // unit are reserved), so jobs end by room as well as by count.
    const long = SHARED_CONTENT - 1;
    for (let i = 0; i < 40; i++) {
      const unit = ['b', '日', '🙂'][i % 3]!;
      files.set(`long/f${i}`, { content: unit.repeat(Math.floor(long / unit.length)), mode: 0o644 });
    }
    // Longer ones go in the job itself, once each, then by number.
    const near = Math.floor(SLOT_BYTES / 3) - 1;
    files.set('big/near-ascii', { content: 'b'.repeat(near), mode: 0o644 });
    files.set('big/near-wide', { content: '日'.repeat(near), mode: 0o644 });
    files.set('big/over', { content: 'é'.repeat(near + 2), mode: 0o755 });
    const shared = `platform: ${'p'.repeat(SHARED_CONTENT)}\n`;
    for (let h = 0; h < 5; h++) files.set(`hosts/h${h}/platform.yaml`, { content: shared, mode: 0o644 });
    mkdirSync(root);
    const bg = new BackgroundWriter(script, root);
    try {
      for (const [path, f] of files) bg.submit(path, f.content, f.mode);
      bg.drain();
    } finally {
      bg.stop();
    }
    expect(bg.hashes.size).toBe(files.size);
    for (const [path, f] of files) {
      const file = join(root, path);
      expect(readFileSync(file, 'utf8'), path).toBe(f.content);
      expect(statSync(file).mode & 0o777, path).toBe(f.mode);
      expect(bg.hashes.get(path), path).toBe(sha(f.content));
    }
  });
});
