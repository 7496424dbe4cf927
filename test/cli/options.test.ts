/**
 * Every option that takes a value, read from the registered commander tree: each must be declared
 * with a parser of cli/options.ts (a new option without one fails here), and each refuses its
 * bad values with a usage error (exit 2) that names the option, the value and what it accepts.
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDuration, valueSpec } from '../../src/cli/options.ts';
import type { Out } from '../../src/cli/output.ts';
import { createProgram, runCli } from '../../src/cli/run.ts';
import { parsePeers } from '../../src/operator/checkfork.ts';
import { dokomodo } from './helpers.ts';

interface Site {
  /** Command path, e.g. ['utxo', 'split']; [] for the global options. */
  path: string[];
  /** Placeholders for the command's required arguments. */
  args: string[];
  option: Option;
}

function memoryOut(): Out & { err: string; out: string } {
  const o = {
    err: '',
    out: '',
    color: false,
    stdout: (t: string) => {
      o.out += t;
    },
    stderr: (t: string) => {
      o.err += t;
    },
  };
  return o;
}

function sites(): Site[] {
  const program = createProgram(memoryOut(), () => {});
  const out: Site[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const args = cmd.registeredArguments.filter((a) => a.required).map(() => 'x');
    for (const option of cmd.options) out.push({ path, args, option });
    for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

const all = sites();
const valued = all.filter((s) => s.option.required || s.option.optional);
const label = (s: Site) => `${[...s.path, s.option.long ?? s.option.short].join(' ')}`;

describe('option values (every registered option)', () => {
  it('finds the commands’ options', () => {
    expect(valued.length).toBeGreaterThan(35);
    const names = new Set(valued.map((s) => s.option.long));
    for (const n of [
      '--timeout',
      '--interval',
      '--blocktime',
      '--warmup',
      '--wait',
      '--concurrency',
      '--window',
    ])
      expect(names).toContain(n);
  });

  it('every option that takes a value has a parser from cli/options.ts', () => {
    expect(valued.filter((s) => !valueSpec(s.option)).map(label)).toEqual([]);
  });

  it('docs/commands.md lists every option that takes a value', () => {
    const doc = readFileSync('docs/commands.md', 'utf8');
    const missing = new Set(
      valued
        .map((s) => s.option.long!)
        .filter((l) => !doc.includes(`\`${l}\``) && !doc.includes(`\`${l} `) && !doc.includes(`\`${l}=`)),
    );
    // -f and -e are listed by their short names.
    missing.delete('--file');
    missing.delete('--env');
    expect([...missing]).toEqual([]);
  });

  it('numeric defaults are numbers already (commander does not parse defaults)', () => {
    const wrong = valued.filter((s) => {
      const spec = valueSpec(s.option)!;
      const d = s.option.defaultValue;
      return ['int', 'number', 'duration'].includes(spec.kind) && d !== undefined && typeof d !== 'number';
    });
    expect(wrong.map(label)).toEqual([]);
  });

  const cases = valued.flatMap((s) => (valueSpec(s.option)?.bad ?? []).map((bad) => ({ s, bad })));
  it('has a bad value for every option', () => {
    expect(cases.length).toBeGreaterThan(valued.length * 2);
  });

  it.each(cases.map((c) => [label(c.s), c.bad, c] as const))('%s %j → usage error', async (_, bad, c) => {
    const o = memoryOut();
    const flag = c.s.option.long ?? c.s.option.short!;
    // A missing platform file, so that an action that runs by mistake fails at once.
    const file = flag === '--file' ? [] : ['-f', '/nonexistent/dokomodo.yaml'];
    const code = await runCli([...file, ...c.s.path, ...c.s.args, flag, bad], o);
    expect({ code, err: o.err }).toMatchObject({ code: 2 });
    expect(o.err).toContain('error bad-option: ');
    expect(o.err).toContain(`${flag} ${bad === '' || /\s/.test(bad) ? JSON.stringify(bad) : bad}: expected `);
    expect(o.err).toContain(valueSpec(c.s.option)!.accepts);
    // The message quotes the value; nothing else in it may be a NaN or an internal error.
    expect(o.err.replace(`${flag} ${bad}`, '')).not.toMatch(/NaN|internal/);
  });

  it.each([
    ['30', 30],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['500ms', 0.5],
    ['90s', 90],
    ['5m', 300],
    ['24h', 86400],
    ['7d', 604800],
    ['2w', 1209600],
    ['0', 0],
  ])('the duration %s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
  it.each(['', 'abc', '-1', '1e3', '5x', 'NaN', 'Infinity', '1 2', '0x10', 'h'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('good values reach the command parsed', () => {
    const find = (path: string, flag: string) => {
      const s = valued.find((x) => x.path.join(' ') === path && x.option.long === flag)!;
      return (text: string, previous?: unknown) =>
        (s.option.parseArg as (v: string, p: unknown) => unknown)(text, previous);
    };
    expect(find('rpc', '--timeout')('2m')).toBe(120);
    expect(find('rpc', '--concurrency')('64')).toBe(64);
    expect(find('utxo split', '--fee-rate')('3.5')).toBe(3.5);
    expect(find('stats', '--window')('7d')).toBe(604800);
    expect(find('monitor', '--listen')('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(find('monitor', '--listen')('9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(find('render', '--host')('nn-3p', ['nn-main'])).toEqual(['nn-main', 'nn-3p']);
  });
});

describe('path options that cannot be used', () => {
  it('entrypoint --datadir under /proc is a usage error naming the path, not exit 70', () => {
    const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', '/proc/nope'], {
      env: { DOKOMODO_SECRET: 'options-test-secret-0123456789abcdef', DOKOMODO_FILE: undefined },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error datadir-unusable: --datadir /proc/nope: cannot write /proc/nope/');
    expect(r.stderr).not.toMatch(/internal|ENOENT/);
  });
  it('entrypoint --datadir on a file is a usage error too', () => {
    const r = dokomodo(
      ['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', '/dev/null/x'],
      {
        env: { DOKOMODO_SECRET: 'options-test-secret-0123456789abcdef', DOKOMODO_FILE: undefined },
      },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('datadir-unusable');
    expect(r.stderr).toContain('not a directory');
  });
  it('devnet up --datadir under /proc is a usage error too', () => {
    const r = dokomodo(['-f', 'examples/dev.yaml', 'devnet', 'up', '--datadir', '/proc/nope/devnet'], {
      env: { DOKOMODO_SECRET: 'options-test-secret-0123456789abcdef', DOKOMODO_FILE: undefined },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error datadir-unusable: --datadir /proc/nope/devnet: ');
  });
  it('utxo split --journal-dir that cannot be created stops before any chain is touched', () => {
    const r = dokomodo(['-f', 'examples/dev.yaml', 'utxo', 'split', '--journal-dir', '/proc/nope/j'], {
      env: { DOKOMODO_SECRET: 'options-test-secret-0123456789abcdef', DOKOMODO_FILE: undefined },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error path-unusable: --journal-dir /proc/nope/j: ');
    expect(r.stdout).toBe('');
  });
  it('validate -f /dev/zero is refused at once (not-a-file), not read forever', () => {
    const r = dokomodo(['-f', '/dev/zero', 'validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error not-a-file: /dev/zero is a device, not a regular file');
  });
  it('checkfork --peers: a device is peers-unreadable, deep nesting bad-peers-file in our words', async () => {
    const dev = memoryOut();
    expect(await runCli(['-f', 'examples/dev.yaml', 'checkfork', '--peers', '/dev/zero'], dev)).toBe(2);
    expect(dev.err).toContain(
      'error peers-unreadable: cannot read /dev/zero: it is a device, not a regular file',
    );
    expect(() => parsePeers(`DOC: ${'['.repeat(50_000)}`, 'peers.yaml')).toThrow(
      'peers.yaml: nested more than 100 levels deep',
    );
  });
  it('render --out "" is refused before anything is written', () => {
    const r = dokomodo(['-f', 'examples/dev.yaml', 'render', '--out', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error bad-option: --out "": expected a path (not empty)');
  });
});
