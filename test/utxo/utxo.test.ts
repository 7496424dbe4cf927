/**
 * utxo status/split/consolidate, stats and checkfork against devnet chains over real sockets.
 * The chains run with the notary pubkey of the published test passphrase (coinbase pays P2PK to
 * it), the key is imported over RPC, blocks come only from `devnet_mine` and notarizations only
 * from `devnet_notarize`, so every count below is exact.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { dokomodo } from '../cli/helpers.ts';

const PASSPHRASE = 'myverysecretandstrongpassphrase_noneabletobrute';
const keys = deriveKeys(PASSPHRASE, [KMD]);
const ADDRESS = keys.coins['KMD']!.address;
const WIF = keys.coins['KMD']!.wif;
const P2PK = `21${keys.pubkey}ac`;
const SECRET = 'utxo-test-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };

// Names no other test file uses, so the derived ports do not collide.
const A = 'NNUTXA'; // split 3 → 20, dry runs, consolidation, stats, checkfork (agrees)
const B = 'NNUTXB'; // killed after journaling, before sending
const C = 'NNUTXC'; // killed after sending, before the journal is removed; checkfork peer of B
const D = 'NNUTXD'; // killed after journaling, then its input spent by another transaction
const E = 'NNUTXE'; // only mined coins: insufficient funds
const names = [A, B, C, D, E];

const dir = mkdtempSync(join(tmpdir(), 'dokomodo-utxo-'));
const data = join(dir, 'data');
const journals = join(dir, 'journals');
const chainYaml = (threshold: number, target: number) => `version: 1
defaults: { pubkey: ${keys.pubkey}, start: { concurrency: 5, timeout: 30s }, stop: { timeout: 10s } }
chains:
${names
  .map(
    (n, i) =>
      `  ${n}: { params: { ac_supply: ${7000 + i} }, args: { devnet-blocktime: 0, devnet-notarize-every: 0 }, notarization: { split_threshold: ${threshold}, split_target: ${target} } }`,
  )
  .join('\n')}
`;
const file = join(dir, 'dokomodo.yaml');
writeFileSync(file, chainYaml(10, 20));
// The same chains (same ports) with a policy that splits up to 3: how the tests start from 3 UTXOs.
const file3 = join(dir, 'three.yaml');
writeFileSync(file3, chainYaml(1, 3));
const platform = loadPlatformText(file, readFileSync(file, 'utf8')).platform!;
const chainOf = (n: string) => platform.chains.find((c) => c.name === n)!;

const clients = new Map<string, RpcClient>();
function rpc<T = unknown>(chain: string, method: string, params: unknown[] = []): Promise<T> {
  let c = clients.get(chain);
  if (!c) {
    const creds = rpcCredentials(SECRET, chain);
    c = new RpcClient({ port: chainOf(chain).rpc, user: creds.user, password: creds.password, label: chain });
    clients.set(chain, c);
  }
  return c.call<T>(method, params);
}

const run = (args: string[], f = file) => dokomodo([...args, '-f', f], { env });
const runJson = <T>(args: string[], f = file) => {
  const r = run([...args, '--json'], f);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`dokomodo ${args.join(' ')}: exit ${r.code}, no JSON:\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, json };
};

interface Unspent {
  txid: string;
  vout: number;
  amount: number;
  scriptPubKey: string;
  generated: boolean;
}
const sats = (x: number) => Math.round(x * 1e8);
async function unspent(chain: string): Promise<Unspent[]> {
  return rpc<Unspent[]>(chain, 'listunspent', [0, 9999999, [ADDRESS]]);
}
const isNotarization = (u: Unspent) => u.scriptPubKey === P2PK && sats(u.amount) === 10_000;
async function notarizationUtxos(chain: string): Promise<number> {
  return (await unspent(chain)).filter(isNotarization).length;
}
const mempool = (chain: string) => rpc<string[]>(chain, 'getrawmempool');
const mine = (chain: string, n = 1) => rpc(chain, 'devnet_mine', [n]);

type RunResult = {
  chain: string;
  ok: boolean;
  result?: {
    skipped: string | null;
    resolved: { txid: string; outcome: string; reason: string }[];
    txs: {
      txid?: string;
      state: string;
      feeSats: number;
      inputs: { txid: string; vout: number; sats: number }[];
      outputs: { role: string; count: number; sats: number }[];
    }[];
    before: { usable: number; pending: number };
  };
  error?: { code: string; message: string; hint?: string };
};

const killer = join(dir, 'kill-split.mjs');

beforeAll(async () => {
  buildSync({
    entryPoints: ['test/utxo/kill-split.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: killer,
    logLevel: 'silent',
    // undici requires node built-ins; an ESM bundle needs a require of its own (as scripts/build.mjs)
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const r = run(['start', '--devnet', '--datadir', data]);
  try {
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await fund();
  } catch (e) {
    // afterAll does not run when beforeAll fails: stop what was started here
    await cleanup();
    throw e;
  }
});

async function fund(): Promise<void> {
  for (const n of names) {
    expect(await rpc(n, 'importprivkey', [WIF, '', false])).toBe(ADDRESS);
    await mine(n, 3); // three mined P2PK outputs of 3 coins to the notary pubkey
    // a P2PKH output to fund splits, except on E which keeps only mined coins
    if (n !== E) await rpc(n, 'sendtoaddress', [ADDRESS, 2]);
    await mine(n);
  }
  for (const n of [A, B, C, D]) {
    const three = runJson<RunResult[]>(['utxo', 'split', n, '--journal-dir', journals], file3);
    expect(three.code, three.stdout + three.stderr).toBe(0);
    await mine(n);
    expect(await notarizationUtxos(n)).toBe(3);
  }
}

async function cleanup(): Promise<void> {
  for (const c of clients.values()) await c.close();
  clients.clear();
  run(['stop', '--datadir', data]);
}

afterAll(cleanup);

describe('utxo status', () => {
  it('counts by Iguana’s rule and says a split is due', () => {
    const r = runJson<{ chain: string; ok: boolean; result: Record<string, unknown> }[]>([
      'utxo',
      'status',
      `${A},${E}`,
    ]);
    expect(r.code).toBe(0);
    const a = r.json[0]!.result;
    expect(a).toMatchObject({
      chain: A,
      pubkey: keys.pubkey,
      pubkeySource: 'platform',
      address: ADDRESS,
      utxoValue: 10_000,
      usable: 3,
      pending: 0,
      threshold: 10,
      target: 20,
      splitDue: true,
    });
    expect((a['funding'] as { count: number }).count).toBeGreaterThan(0);
    const e = r.json[1]!.result;
    expect(e).toMatchObject({ usable: 0, funding: { count: 0, sats: 0 } });
    expect((e['other'] as { sats: number }).sats).toBeGreaterThan(0);
    const table = run(['utxo', 'status', A]);
    expect(table.stdout).toMatch(/^CHAIN\s+UTXOS\s+PENDING\s+SIZE/);
    expect(table.stdout).toMatch(new RegExp(`${A}\\s+3\\s+0\\s+0\\.00010000\\s+10/20\\s+due`));
  });
});

describe('utxo split', () => {
  it('--dry-run shows the transaction and sends nothing', async () => {
    const before = await unspent(A);
    const r = runJson<RunResult[]>(['utxo', 'split', A, '--dry-run', '--journal-dir', journals]);
    expect(r.code).toBe(0);
    const tx = r.json[0]!.result!.txs[0]!;
    expect(tx.state).toBe('planned');
    expect(tx.outputs[0]).toMatchObject({ role: 'notarization', count: 17, sats: 10_000 });
    expect(tx.outputs[1]).toMatchObject({ role: 'change', count: 1 });
    // §11.4: (1 × 150 + 18 × 44 + 30) bytes × 3.5 sat/byte
    expect(tx.feeSats).toBe(3402);
    expect(await mempool(A)).toEqual([]);
    expect(await unspent(A)).toEqual(before);
    expect(existsSync(join(journals, `${A}.journal.json`))).toBe(false);
    const text = run(['utxo', 'split', A, '--dry-run', '--journal-dir', journals]);
    expect(text.stdout).toContain('dry run: nothing is signed or sent');
    expect(text.stdout).toMatch(/would send 1 transaction: 17 × 0\.00010000 \(3 → 20\)/);
    expect(text.stdout).toMatch(/fee\s+0\.00003402/);
    expect(await mempool(A)).toEqual([]);
  });

  it('raises a chain from 3 to its target in one transaction; a rerun sends nothing more', async () => {
    const r = runJson<RunResult[]>(['utxo', 'split', A, '--journal-dir', journals]);
    expect(r.code, r.stdout).toBe(0);
    const tx = r.json[0]!.result!.txs[0]!;
    expect(tx.state).toBe('sent');
    expect(await mempool(A)).toEqual([tx.txid]);
    // not mined yet: the pending outputs count, so a second run does not split again
    const again = runJson<RunResult[]>(['utxo', 'split', A, '--journal-dir', journals]);
    expect(again.json[0]!.result!.skipped).toMatch(/not due: 20 UTXOs \(17 pending\)/);
    expect(await mempool(A)).toEqual([tx.txid]);
    await mine(A);
    expect(await notarizationUtxos(A)).toBe(20);
    const decoded = await rpc<{ vout: { valueSat: number; scriptPubKey: { hex: string } }[] }>(
      A,
      'getrawtransaction',
      [tx.txid, 1],
    );
    expect(decoded.vout.filter((o) => o.scriptPubKey.hex === P2PK && o.valueSat === 10_000)).toHaveLength(17);
    const input = tx.inputs[0]!;
    const change = decoded.vout[17]!;
    expect(change.valueSat).toBe(input.sats - 17 * 10_000 - 3402);
    expect(existsSync(join(journals, `${A}.journal.json`))).toBe(false);
  });

  it('killed between signing and sending: the rerun sends the journaled transaction, exactly once', async () => {
    const kill = spawnSync(process.execPath, [killer, file, B, journals, 'journaled'], {
      env: { ...process.env, ...env },
    });
    expect(kill.signal, kill.stderr.toString()).toBe('SIGKILL');
    const journalFile = join(journals, `${B}.journal.json`);
    expect(statSync(journalFile).mode & 0o777).toBe(0o600);
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { txs: { txid: string; hex: string }[] };
    const txid = journal.txs[0]!.txid;
    expect(await mempool(B)).toEqual([]); // signed, never sent

    const r = runJson<RunResult[]>(['utxo', 'split', B, '--journal-dir', journals]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json[0]!.result!.resolved).toEqual([
      { txid, outcome: 'resent', reason: 'sent again from the journal' },
    ]);
    expect(r.json[0]!.result!.skipped).toMatch(/not due/);
    expect(await mempool(B)).toEqual([txid]);
    expect(existsSync(journalFile)).toBe(false);
    await mine(B);
    expect(await notarizationUtxos(B)).toBe(20);
    // the change came back to the wallet: it is one of our spendable P2PKH outputs
    const change = (await unspent(B)).find((u) => u.txid === txid && u.scriptPubKey !== P2PK);
    expect(change).toBeDefined();
    expect(sats(change!.amount)).toBeGreaterThan(1_000_000);
    const text = run(['utxo', 'split', B, '--journal-dir', journals]);
    expect(text.stdout).toMatch(/not due: 20 UTXOs ≥ threshold 10/);
    expect(await mempool(B)).toEqual([]);
  });

  it('killed after sending, before the journal is cleared: the rerun finds it landed and sends nothing', async () => {
    const kill = spawnSync(process.execPath, [killer, file, C, journals, 'sent'], {
      env: { ...process.env, ...env },
    });
    expect(kill.signal, kill.stderr.toString()).toBe('SIGKILL');
    const journal = JSON.parse(readFileSync(join(journals, `${C}.journal.json`), 'utf8')) as {
      txs: { txid: string }[];
    };
    const txid = journal.txs[0]!.txid;
    expect(await mempool(C)).toEqual([txid]);
    const r = run(['utxo', 'split', C, '--journal-dir', journals]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`interrupted run: ${txid} already landed`);
    expect(await mempool(C)).toEqual([txid]);
    await mine(C);
    expect(await notarizationUtxos(C)).toBe(20);
  });

  it('killed after journaling, its input then spent elsewhere: the journal is discarded and one new split lands', async () => {
    const kill = spawnSync(process.execPath, [killer, file, D, journals, 'journaled'], {
      env: { ...process.env, ...env },
    });
    expect(kill.signal).toBe('SIGKILL');
    const journal = JSON.parse(readFileSync(join(journals, `${D}.journal.json`), 'utf8')) as {
      txs: { txid: string; inputs: { txid: string; vout: number }[] }[];
    };
    const old = journal.txs[0]!;
    const input = old.inputs[0]!;
    const prev = (await unspent(D)).find((u) => u.txid === input.txid && u.vout === input.vout)!;
    // someone else spends the same output (to ourselves, minus a fee) and it is mined
    const raw = await rpc<string>(D, 'createrawtransaction', [
      [input],
      { [ADDRESS]: (sats(prev.amount) - 10_000) / 1e8 },
    ]);
    const signed = await rpc<{ hex: string }>(D, 'signrawtransaction', [raw]);
    const other = await rpc<string>(D, 'sendrawtransaction', [signed.hex]);
    await mine(D);

    const r = runJson<RunResult[]>(['utxo', 'split', D, '--journal-dir', journals]);
    expect(r.code, r.stdout).toBe(0);
    const res = r.json[0]!.result!;
    expect(res.resolved).toEqual([
      { txid: old.txid, outcome: 'discarded', reason: 'its inputs were spent by another transaction' },
    ]);
    const fresh = res.txs[0]!;
    expect(fresh.txid).not.toBe(old.txid);
    expect(fresh.inputs[0]!.txid).toBe(other);
    expect(await mempool(D)).toEqual([fresh.txid]);
    await mine(D);
    expect(await notarizationUtxos(D)).toBe(20);
  });

  it('insufficient funds: says how much is needed and how much there is', async () => {
    const r = run(['utxo', 'split', E, '--journal-dir', journals]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${E} split failed: insufficient-funds`);
    // 20 × 0.0001 + (150 + 21 × 44 + 30) × 3.5 sat
    expect(r.stdout).toContain('needs 0.00203864 (0.00200000 + fee 0.00003864)');
    expect(r.stdout).toContain('0.00000000 available in 0 outputs');
    // genesis and four mined blocks, 3 coins each
    expect(r.stdout).toContain('15.00000000 more sits in mined or other outputs');
    expect(r.stdout).toContain(`dokomodo utxo consolidate ${E}`);
    expect(await mempool(E)).toEqual([]);
    expect(existsSync(join(journals, `${E}.journal.json`))).toBe(false);
  });
});

describe('utxo consolidate', () => {
  it('merges everything but the notarization UTXOs into one P2PKH output; --dry-run sends nothing', async () => {
    // P2PKH outputs and mined P2PK outputs alike
    const before = (await unspent(A)).filter((u) => !isNotarization(u));
    expect(before.some((u) => u.generated) && before.some((u) => !u.generated)).toBe(true);
    const dry = runJson<RunResult[]>(['utxo', 'consolidate', A, '--dry-run', '--journal-dir', journals]);
    expect(dry.json[0]!.result!.txs[0]!.inputs).toHaveLength(before.length);
    expect(await mempool(A)).toEqual([]);

    const r = runJson<RunResult[]>(['utxo', 'consolidate', A, '--journal-dir', journals]);
    expect(r.code, r.stdout).toBe(0);
    const tx = r.json[0]!.result!.txs[0]!;
    const total = before.reduce((s, u) => s + sats(u.amount), 0);
    expect(tx.outputs).toEqual([
      expect.objectContaining({ role: 'self', count: 1, sats: total - tx.feeSats }),
    ]);
    // (n × 150 + 44 + 30) bytes × 3.5 sat/byte
    expect(tx.feeSats).toBe(Math.ceil((before.length * 150 + 74) * 3.5));
    await mine(A);
    expect(await notarizationUtxos(A)).toBe(20);
    const after = (await unspent(A)).filter((u) => !isNotarization(u));
    const merged = after.filter((u) => u.txid === tx.txid);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.scriptPubKey).toMatch(/^76a914[0-9a-f]{40}88ac$/);
    // what is left besides it is the coinbase of the block that mined it
    expect(after.filter((u) => u.txid !== tx.txid).every((u) => u.generated)).toBe(true);
  });

  it('chunks: at most --max-inputs per transaction', async () => {
    for (let i = 0; i < 3; i++) {
      await rpc(A, 'sendtoaddress', [ADDRESS, 0.5]);
      await mine(A);
    }
    const n = (await unspent(A)).filter((u) => !isNotarization(u)).length;
    const dry = runJson<RunResult[]>(['utxo', 'consolidate', A, '--dry-run', '--max-inputs', '2']);
    const txs = dry.json[0]!.result!.txs;
    expect(txs.every((t) => t.inputs.length <= 2)).toBe(true);
    expect(txs.reduce((s, t) => s + t.inputs.length, 0)).toBeGreaterThanOrEqual(n - 1);
  });
});

describe('stats', () => {
  it('counts this notary’s notarizations, the UTXOs left and how long the balance lasts', async () => {
    for (let i = 0; i < 3; i++) {
      await rpc(A, 'devnet_notarize');
      await mine(A);
    }
    const r = runJson<
      {
        chain: string;
        state: string;
        address: string;
        notarizations: number;
        last: { height: number; ageSeconds: number };
        utxos: number;
        costSats: number;
        daysLeft: number;
        walletTxs: number;
        balance: number;
      }[]
    >(['stats', A, '--window', '24h', '--datadir', data]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json[0]!;
    expect(s).toMatchObject({
      chain: A,
      state: 'ok',
      address: 'RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA',
      notarizations: 3,
      utxos: 17,
      // the wallet's input (0.0001) plus the split fee share of one P2PK output (44 × 3.5)
      costSats: 10_154,
    });
    expect(s.last.ageSeconds).toBeLessThan(60);
    const blocks = await rpc<number>(A, 'getblockcount');
    expect(s.last.height).toBe(blocks);
    expect(s.walletTxs).toBeGreaterThan(5);
    expect(s.daysLeft).toBeCloseTo(sats(s.balance) / (3 * 10_154), 0);
    const table = run(['stats', A]);
    expect(table.stdout).toMatch(/^CHAIN\s+NTX 24h\s+PER DAY\s+LAST NTX\s+AGE\s+NOTARIZED\s+UTXOS\s+BALANCE/);
    expect(table.stdout).toMatch(new RegExp(`${A}\\s+3\\s+3\\s+${blocks}\\s+\\d+s\\s+\\d+\\s+17\\s`));
  });
});

describe('checkfork', () => {
  it('agreeing peers are ok; a diverging chain is reported; credentials never printed', async () => {
    const url = (n: string) => {
      const c = rpcCredentials(SECRET, n);
      return `http://${c.user}:${c.password}@127.0.0.1:${chainOf(n).rpc}`;
    };
    // B's "reference node" is another chain: other hashes, and 15 blocks ahead
    await mine(C, 15);
    const peers = join(dir, 'peers.yaml');
    writeFileSync(peers, `${A}:\n  - url: ${url(A)}\n${B}:\n  - url: ${url(C)}\n`);
    const r = runJson<
      {
        chain: string;
        state: string;
        peers: { source: string; hashMatch: boolean; diff: number }[];
        problems: string[];
      }[]
    >(['checkfork', `${A},${B}`, '--peers', peers]);
    expect(r.code).toBe(1);
    const [a, b] = r.json;
    expect(a).toMatchObject({ chain: A, state: 'ok', problems: [] });
    expect(a!.peers[0]).toMatchObject({
      source: `http://127.0.0.1:${chainOf(A).rpc}`,
      hashMatch: true,
      diff: 0,
    });
    expect(b).toMatchObject({ chain: B, state: 'fork' });
    expect(b!.peers[0]!.hashMatch).toBe(false);
    expect(b!.problems.join('\n')).toMatch(/block \d+ differs from http:\/\/127\.0\.0\.1:\d+/);
    expect(b!.problems.join('\n')).toMatch(/height \d+ vs \d+ at .* \(\+\d+\)/);
    const text = run(['checkfork', `${A},${B}`, '--peers', peers]);
    expect(text.stdout).toMatch(new RegExp(`${A}\\s+ok\\s`));
    expect(text.stdout).toMatch(new RegExp(`${B}\\s+fork\\s`));
    for (const n of [A, C]) {
      const { user, password } = rpcCredentials(SECRET, n);
      for (const out of [r.stdout, r.stderr, text.stdout, text.stderr]) {
        expect(out).not.toContain(password);
        expect(out).not.toContain(user);
      }
    }
  });
});
