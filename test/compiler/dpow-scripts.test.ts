/**
 * The bootstrap plan against dPoW's own launch scripts, step by step. The scripts are read from
 * the unmodified dPoW source in ../shared/tools/iguana (extracted at test time) and interpreted
 * just enough to list the Iguana calls they make, in order: `curl … --data {…"method":…}` lines,
 * `coins/<file>` (one addcoin, its `newcoin`), `./wp_*` (walletpassphrase), `./add_coins` and
 * `./dpowassets` (followed), the `./listassetchains | sort | uniq | while read chain` loop
 * (expanded over assetchains.json) and `komodo-cli lockunspent` (step 0). A platform holding the
 * same coins in the same order must plan exactly that sequence.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executionSteps } from '../../src/operator/iguana.ts';
import { platformText } from './helpers.ts';

const TARBALL = resolve('..', 'shared', 'tools', 'iguana', 'dPoW-2f846c0.tar.gz');
const have = existsSync(TARBALL);
if (!have && process.env['CI']) throw new Error(`${TARBALL} is missing in CI`);
const work = mkdtempSync(join(tmpdir(), 'dokomodo-dpow-scripts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'dPoW', 'iguana');
if (have) execFileSync('tar', ['xzf', TARBALL, '-C', work]);

const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';

/** `method coin-or-ip` for every Iguana call of a script, in order; step 0 as `unlockutxos KMD`. */
function callsOf(script: string, vars: Record<string, string> = {}): string[] {
  const out: string[] = [];
  const lines = readFileSync(join(dir, script), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('#') || line === '') continue;
    const loop = /^\.\/listassetchains \| sort \| uniq \| while read chain; do$/.exec(line);
    if (loop) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i]!.trim() !== 'done'; i++) body.push(lines[i]!);
      for (const chain of assetchainNames()) out.push(...interpret(body, { ...vars, chain }));
      continue;
    }
    out.push(...interpret([line], vars));
  }
  return out;
}

function assetchainNames(): string[] {
  const list = JSON.parse(readFileSync(join(dir, 'assetchains.json'), 'utf8')) as Array<{ ac_name: string }>;
  return [...new Set(list.map((c) => c.ac_name))].sort();
}

function interpret(lines: string[], vars: Record<string, string>): string[] {
  const out: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('#') || line === '') continue;
    if (/^komodo-cli lockunspent true/.test(line)) out.push('unlockutxos KMD');
    else if (line === './add_coins' || line === './dpowassets') out.push(...callsOf(line.slice(2), vars));
    else if (/^\.\/wp_\d+$/.test(line)) out.push('walletpassphrase');
    else if (/^coins\/[a-z0-9_]+$/.test(line))
      out.push(`addcoin ${newcoinOf(readFileSync(join(dir, line), 'utf8'))}`);
    else if (/^coin="coins\/\$\(echo \$chain/.test(line)) out.push(`addcoin ${vars['chain']}`);
    else if (line.startsWith('curl ')) {
      const method = /\\"method\\":\\"([a-z]+)\\"/.exec(line)?.[1];
      if (!method) throw new Error(`a curl without a method: ${line}`);
      if (method === 'myipaddr') out.push('myipaddr');
      else if (method === 'addnotary') out.push(`addnotary ${/\\"ipaddr\\":\\"([0-9.]+)\\"/.exec(line)![1]}`);
      else if (method === 'addcoin') out.push(`addcoin ${newcoinOf(line)}`);
      else if (method === 'dpow') {
        const sym = /\\"symbol\\":\\"([^\\]+)\\"/.exec(line)![1]!;
        out.push(`dpow ${sym === '$chain' ? vars['chain'] : sym}`);
      } else throw new Error(`unexpected Iguana call ${method}`);
    }
  }
  return out;
}

function newcoinOf(text: string): string {
  return /\\?"newcoin\\?":\s*\\?"([A-Z0-9_]+)\\?"/.exec(text)![1]!;
}

/** A platform whose instance holds `coins` in the scripts' order, seeds as the scripts dial them. */
function platformFor(mode: 'main' | '3p', coins: string[], seeds: string[]): string {
  const chains = coins.map((c) => {
    if (c === 'KMD') return '  KMD: {}';
    if (c === 'LTC') return '  LTC: {}';
    return `  ${c}: { params: { ac_supply: 1000 } }`;
  });
  return [
    'version: 1',
    'secret: { env: DOKOMODO_SECRET }',
    `defaults: { pubkey: ${PUBKEY} }`,
    'hosts:',
    '  nn: { address: 203.0.113.7, user: notary }',
    'chains:',
    ...chains,
    'iguana:',
    `  x: { mode: ${mode}, port: ${mode === 'main' ? 7776 : 7779}, coins: [${coins.join(', ')}], notaries: s }`,
    'notaries:',
    '  s:',
    `    seeds: [${seeds.join(', ')}]`,
    `    list: [{ name: me_EU, pubkey: ${PUBKEY} }]`,
  ].join('\n');
}

function planned(yaml: string): string[] {
  const p = platformText(yaml);
  return executionSteps(p, p.iguana[0]!).map((s) =>
    s.step === 'addnotary'
      ? `addnotary ${String(s.request?.['ipaddr'])}`
      : s.coin !== undefined
        ? `${s.step} ${s.coin}`
        : s.step,
  );
}

describe.skipIf(!have)("the bootstrap plan follows dPoW's launch scripts step by step", () => {
  it('m_notary_main: KMD, wp, LTC, the assetchains sorted, GLEEC_OLD; dpow KMD then each assetchain, never LTC', () => {
    const script = callsOf('m_notary_main');
    // What the script does, as read: guards against an interpreter that silently reads nothing.
    expect(script.filter((s) => s.startsWith('addcoin ')).length).toBeGreaterThan(5);
    expect(script).toContain('dpow KMD');
    expect(script).not.toContain('dpow LTC');
    const coins = script.filter((s) => s.startsWith('addcoin ')).map((s) => s.slice(8));
    const seeds = script.filter((s) => s.startsWith('addnotary ')).map((s) => s.slice(10));
    expect(planned(platformFor('main', coins, seeds))).toEqual(script);
  });

  it('m_notary_3rdparty: KMD, wp, MCL, TOKEL; dpow for the third-party coins only', () => {
    const script = callsOf('m_notary_3rdparty');
    expect(script).toContain('dpow MCL');
    expect(script).not.toContain('dpow KMD');
    const coins = script.filter((s) => s.startsWith('addcoin ')).map((s) => s.slice(8));
    const seeds = script.filter((s) => s.startsWith('addnotary ')).map((s) => s.slice(10));
    expect(planned(platformFor('3p', coins, seeds))).toEqual(script);
  });
});
