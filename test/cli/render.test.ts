import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildChild } from '../compiler/writer-build.ts';
import { dokomodo } from './helpers.ts';

const SECRET = 'cli-test-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };
const targets = 'conf,iguana,systemd';

describe('dokomodo render', () => {
  it('writes the tree, then --check finds no drift; an edit is drift and is protected', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const r = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rendered .*: \d+ new, 0 changed/);
    const conf = join(out, 'hosts/local/home/.dokomodo-dev/komodo/DOC/DOC.conf');
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(SECRET);

    const check = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets, '--check'], {
      env,
    });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('up to date');

    writeFileSync(conf, `${readFileSync(conf, 'utf8')}addnode=203.0.113.9\n`);
    const drift = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets, '--check'], {
      env,
    });
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(
      'would update hosts/local/home/.dokomodo-dev/komodo/DOC/DOC.conf (changed by hand)',
    );

    const refused = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error write-conflict');
    expect(readFileSync(conf, 'utf8')).toContain('addnode=203.0.113.9');

    const forced = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets, '--force'], {
      env,
    });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('backed up in');
    expect(readFileSync(conf, 'utf8')).not.toContain('addnode=203.0.113.9');
  });

  it('--check reports the files a removed chain left behind; --prune removes them', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const dev = readFileSync('examples/dev.yaml', 'utf8');
    const file = join(out, 'dokomodo.yaml');
    writeFileSync(file, dev);
    expect(dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets], { env }).code).toBe(0);
    // MARTY goes away (and with it its conf, unit and Iguana coin file).
    const without = dev.replace(/^ {2}MARTY:\n(?: {4}.*\n)+/m, '').replace(/, MARTY\b|\bMARTY, /g, '');
    expect(without).not.toMatch(/MARTY/);
    writeFileSync(file, without);
    const check = dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets, '--check'], {
      env,
    });
    expect(check.code).toBe(1);
    const left = check.stdout.split('\n').filter((l) => l.startsWith('left behind '));
    expect(left.length).toBeGreaterThan(1);
    expect(left.every((l) => l.includes('MARTY'))).toBe(true);
    expect(check.stdout).toMatch(new RegExp(`drift .*, ${left.length} left behind, `));
    const json = dokomodo(
      ['render', '-f', file, '--out', join(out, 'r'), '-t', targets, '--check', '--json'],
      { env },
    );
    const changes = JSON.parse(json.stdout).changes as Array<{ kind: string; path: string }>;
    expect(changes.filter((c) => c.kind === 'left-behind').length).toBe(left.length);
    // Writing without --prune keeps them (still reported); --prune removes them; then no drift.
    expect(dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets], { env }).code).toBe(0);
    expect(
      dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets, '--check'], { env }).code,
    ).toBe(1);
    expect(
      dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets, '--prune'], { env }).code,
    ).toBe(0);
    const clean = dokomodo(['render', '-f', file, '--out', join(out, 'r'), '-t', targets, '--check'], {
      env,
    });
    expect([clean.code, clean.stdout]).toEqual([0, expect.stringContaining('up to date')]);
  });

  it('without the secret: a clear error, nothing written', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const r = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets], {
      env: { DOKOMODO_SECRET: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error secret-missing');
    expect(r.stderr).toContain('hint:');
  });

  it('a platform file with errors writes nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const r = dokomodo(['render', '-f', 'test/fixtures/typo.yaml', '--out', out], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown-param');
    expect(() => statSync(join(out, '.dokomodo'))).toThrow();
  });

  it('unknown target and unknown host are usage errors', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    expect(dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', 'confs'], { env }).code).toBe(
      2,
    );
    const h = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', 'conf', '--host', 'nope'], {
      env,
    });
    expect([h.code, h.stderr.includes('unknown-host')]).toEqual([2, true]);
  });
});

describe('dokomodo render: the container targets ship the platform file', () => {
  it('copies it next to the compose file and into kubernetes/platform/, so the tree deploys as it is', () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const r = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', 'compose,kubernetes'], {
      env,
    });
    expect(r.code).toBe(0);
    const original = readFileSync('examples/dev.yaml', 'utf8');
    expect(readFileSync(join(out, 'hosts/local/compose/platform/dev.yaml'), 'utf8')).toBe(original);
    expect(readFileSync(join(out, 'kubernetes/platform/dev.yaml'), 'utf8')).toBe(original);
    const kustomization = readFileSync(join(out, 'kubernetes/kustomization.yaml'), 'utf8');
    expect(kustomization).toContain('dev.yaml=platform/dev.yaml');
    expect(kustomization).toContain('holds copies of the platform files');
  });
});

describe('dokomodo render into a place where nothing can be created', () => {
  it('fails at once with the path and the reason (no endless mkdir under /proc)', () => {
    const r = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', '/proc/dokomodo-test', '-t', 'conf'], {
      env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error write-failed: could not write /proc/dokomodo-test: the directory cannot be created there',
    );
  });
  it('an output path below a regular file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    writeFileSync(join(dir, 'file'), 'x');
    const r = dokomodo(
      ['render', '-f', 'examples/dev.yaml', '--out', join(dir, 'file', 'out'), '-t', 'conf'],
      { env },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('write-failed');
    expect(r.stderr).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});

describe('dokomodo render while another render writes the same directory', () => {
  it('exit 1 with render-locked naming the holder and a hint; never exit 70; the tree untouched', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dokomodo-render-'));
    const holder = spawn(process.execPath, [buildChild(), out, 'a', '4', '--pause', '20000'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the holder never took the lock')), 20_000);
        holder.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('holding')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const r = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `error render-locked: another dokomodo is writing ${out}: pid ${holder.pid} (`,
      );
      expect(r.stderr).toMatch(/since \d{4}-\d\d-\d\dT[\d:.]+Z/);
      expect(r.stderr).toContain('hint: wait for it to finish and rerun');
      expect(existsSync(join(out, 'hosts/local'))).toBe(false);
      const check = dokomodo(['render', '-f', 'examples/dev.yaml', '--out', out, '-t', targets, '--check'], {
        env,
      });
      expect(check.code).toBe(1);
      expect(check.stderr).toContain('error render-locked');
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);
});
