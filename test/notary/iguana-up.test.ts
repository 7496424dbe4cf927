/**
 * `dokomodo iguana up` and `iguana status` against devnet chain processes and the devnet Iguana
 * over real sockets. The Iguana simulator runs in this process, instrumented: every request is
 * logged by method (never its arguments: one carries the passphrase), and a fault can be armed
 * for one request, so each bootstrap step can be made to fail and the resumed run's requests
 * counted. Every CLI run's output is scanned for the passphrases, keys and WIFs.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { IguanaClient } from '../../src/operator/iguana-client.ts';
import { cli, freePort, killLeftovers, secretsOf } from './helpers.ts';

const PASS = 'iguana test passphrase — never for real coins';
const PASS2 = 'another iguana test passphrase — never for real coins';
const SECRETS = secretsOf([PASS, PASS2]);
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const SECRET = 'notary-iguana-test-secret-0123456789';
const MYIP = '203.0.113.7';
const SEEDS = ['198.51.100.10', '198.51.100.11'];
const ACS = ['NTIG01', 'NTIG02', 'NTIG03'];

const dir = mkdtempSync(join(tmpdir(), 'dokomodo-iguana-'));
const data = join(dir, 'data');
const file = join(dir, 'dokomodo.yaml');
const statePath = join(dir, '.dokomodo', 'iguana', 'main', 'state.json');
let igPort = 0;
let kmdRpc = 0;

/** Every step of the plan, in order, and the Iguana request it makes (none for step 0). */
const STEPS: Array<[string, string | undefined]> = [
  ['unlockutxos:KMD', undefined],
  ['myipaddr', `myipaddr ${MYIP}`],
  [`addnotary:${SEEDS[0]}`, `addnotary ${SEEDS[0]}`],
  [`addnotary:${SEEDS[1]}`, `addnotary ${SEEDS[1]}`],
  ['addcoin:KMD', 'addcoin KMD'],
  ['walletpassphrase', 'walletpassphrase'],
  ...ACS.map((c): [string, string] => [`addcoin:${c}`, `addcoin ${c}`]),
  ...ACS.map((c): [string, string] => [`dpow:${c}`, `dpow ${c}`]),
];
const WP = STEPS.findIndex(([id]) => id === 'walletpassphrase');
// After walletpassphrase, `iguana up` reads the real time left with activehandle.
const requestsOf = (from: number, to = STEPS.length) =>
  STEPS.slice(from, to).flatMap(([, r]) => (r === 'walletpassphrase' ? [r, 'activehandle'] : r ? [r] : []));

// ---- the instrumented Iguana ----------------------------------------------------------------

type Fault = 'crash' | 'error';
let sim: IguanaSim | undefined;
const log: string[] = [];
const faults = new Map<string, Fault>();

function entryOf(payload: unknown): string {
  const o = (payload ?? {}) as Record<string, unknown>;
  const m = String(o['method']);
  if (m === 'myipaddr' || m === 'addnotary') return `${m} ${String(o['ipaddr'])}`;
  if (m === 'addcoin') return `addcoin ${String(o['newcoin'])}`;
  if (m === 'dpow') return `dpow ${String(o['symbol'])}`;
  return m;
}

/** A new Iguana on the instance's port (as after a restart): empty, with a fresh request log. */
async function freshIguana(): Promise<IguanaSim> {
  await sim?.close();
  const s = await startIguana({ port: igPort, daemonRetryDelaysMs: [100, 200] });
  const orig = s.request.bind(s);
  s.request = async (payload: unknown, remote?: boolean) => {
    const entry = entryOf(payload);
    log.push(entry);
    const fault = faults.get(entry);
    if (fault) {
      faults.delete(entry);
      if (fault === 'crash') return { kind: 'crash' } as Awaited<ReturnType<IguanaSim['request']>>;
      return { kind: 'json', value: { error: 'injected failure', tag: '1' } } as Awaited<
        ReturnType<IguanaSim['request']>
      >;
    }
    return orig(payload, remote);
  };
  sim = s;
  log.length = 0;
  return s;
}

function expectComplete(s: IguanaSim): void {
  expect(s.myip).toBe(MYIP);
  expect(s.peers).toEqual(SEEDS);
  expect([...s.coins.keys()]).toEqual(['KMD', ...ACS]);
  expect([...s.dpow.keys()]).toEqual(ACS);
  expect(s.pubkey).toBe(PUBKEY);
}

// ---- the CLI --------------------------------------------------------------------------------

const env = { DOKOMODO_SECRET: SECRET, HOME: dir };
const run = (args: string[], input?: string, extra: Record<string, string | undefined> = {}) =>
  cli([...args, '-f', file], {
    env: { ...env, ...extra },
    secrets: SECRETS,
    ...(input !== undefined ? { input } : {}),
  });
const up = (extra: string[] = [], wait = '1') =>
  run(['iguana', 'up', '--passphrase-stdin', '--datadir', data, '--wait', wait, ...extra], `${PASS}\n`);

interface UpJson {
  ok: boolean;
  restarted: boolean;
  steps: Array<{
    id: string;
    state: string;
    note?: string;
    error?: { code: string; message: string; hint?: string };
  }>;
  error?: { code: string; message: string; hint?: string };
}
const states = (r: UpJson) => r.steps.map((s) => s.state);

function killChain(name: string): void {
  const pidFile = name === 'KMD' ? join(data, 'komodod.pid') : join(data, name, 'komodod.pid');
  process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  igPort = await freePort();
  kmdRpc = await freePort();
  const supply = (i: number) => 52000 + 17 * i;
  writeFileSync(
    file,
    `version: 1
defaults: { pubkey: ${PUBKEY}, start: { concurrency: 4, timeout: 30s }, stop: { timeout: 10s } }
hosts:
  local: { address: 127.0.0.1 }
chains:
  KMD: { ports: { p2p: ${await freePort()}, rpc: ${kmdRpc}, override: true } }
${ACS.map((c, i) => `  ${c}: { params: { ac_supply: ${supply(i)} } }`).join('\n')}
iguana:
  main: { port: ${igPort}, coins: [KMD, ${ACS.join(', ')}], notaries: dev, myip: ${MYIP} }
notaries:
  dev:
    minsigs: 1
    # Iguana's minimum of 8 seeds, each address repeated: dialled once each.
    seeds: [${[...SEEDS, ...SEEDS, ...SEEDS, ...SEEDS].join(', ')}]
    list:
      - { name: devnode_EU, pubkey: ${PUBKEY} }
`,
  );
  const r = await run(['start', '--devnet', '--datadir', data]);
  expect(r.stdout + r.stderr).toContain('start: 4 ok, 0 failed');
  // NTIG03's wallet is left without the key on purpose (the first bootstrap stops there).
  const k = await run(['keys', 'import', 'KMD,NTIG01,NTIG02', '--passphrase-stdin'], `${PASS}\n`);
  expect(k.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await run(['stop', '--datadir', data]).catch(() => undefined);
  killLeftovers(data, ['KMD', ...ACS]);
}, 60_000);

describe('iguana up', () => {
  it('Iguana unreachable: a clear error and exit 1; status says stopped', async () => {
    const r = await up();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error iguana-unreachable: iguana main: connection refused \(is Iguana running\?\)/,
    );
    expect(r.stderr).toContain(`hint: is Iguana running and listening on 127.0.0.1:${igPort}?`);
    expect(r.stdout).toContain('0 done, 0 skipped (finished earlier), 0 failed, 12 pending');
    const s = await run(['iguana', 'status', '--json']);
    expect(s.code).toBe(1);
    expect(JSON.parse(s.stdout)).toMatchObject({ reachable: false, state: 'stopped', unlock: null });
  });

  it('a passphrase that does not give the platform’s pubkey, or none at all: refused, nothing sent', async () => {
    await freshIguana();
    const wrong = await run(['iguana', 'up', '--passphrase-stdin'], `${PASS2}\n`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/error pubkey-mismatch: /);
    const none = await run(['iguana', 'up']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/error passphrase-missing: /);
    const multi = await run(['iguana', 'up', '--passphrase-stdin'], `${PASS}\n${PASS2}\n`);
    expect(multi.code).toBe(2);
    expect(multi.stderr).toMatch(/error passphrase-multiline: /);
    expect(log).toEqual([]);
  });

  it('first bootstrap stops at dpow of a chain whose wallet lacks the key; resumes after keys import', async () => {
    const r = await up(['--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as UpJson;
    const failedAt = STEPS.findIndex(([id]) => id === 'dpow:NTIG03');
    expect(states(out)).toEqual(STEPS.map((_, i) => (i < failedAt ? 'done' : 'failed')));
    expect(out.steps[failedAt]!.error).toMatchObject({ code: 'key-not-imported' });
    expect(out.steps[failedAt]!.error!.hint).toContain('dokomodo keys import NTIG03');
    expect(log).toEqual(['notarychains', ...requestsOf(0, failedAt)]);

    const k = await run(['keys', 'import', 'NTIG03', '--passphrase-stdin'], `${PASS}\n`);
    expect(k.stdout).toContain('1 imported');
    log.length = 0;
    const again = await up();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/· myipaddr skipped: finished earlier/);
    // The time left as Iguana's activehandle reports it: the 9999999 s asked, not the reply's 3600.
    expect(again.stdout).toMatch(/✓ walletpassphrase \(unlocked, 116 days left\)/);
    expect(again.stdout).toMatch(/✓ dpow NTIG03/);
    expect(again.stdout).toContain('ready: 2 done, 10 skipped (finished earlier), 0 failed, 0 pending');
    expect(log).toEqual(['notarychains', 'walletpassphrase', 'activehandle', 'dpow NTIG03']);
    expectComplete(sim!);
  });

  it('a rerun of a finished bootstrap only renews the unlock', async () => {
    log.length = 0;
    const r = await up(['--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UpJson;
    expect(states(out)).toEqual(STEPS.map(([id]) => (id === 'walletpassphrase' ? 'done' : 'skipped')));
    expect(log).toEqual(['notarychains', 'walletpassphrase', 'activehandle']);
  });

  it('the state file holds no secret and is private', () => {
    const text = readFileSync(statePath, 'utf8');
    for (const s of SECRETS) expect(text.includes(s)).toBe(false);
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(Object.keys((JSON.parse(text) as { done: object }).done)).toEqual(STEPS.map(([id]) => id));
  });

  it('iguana status: reachable, identity, coins, peers and unlock, all from Iguana', async () => {
    log.length = 0;
    const r = await run(['iguana', 'status', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({
      instance: 'main',
      reachable: true,
      state: 'running',
      peers: SEEDS,
      identity: { pubkey: PUBKEY, myip: MYIP },
      bootstrap: { total: STEPS.length, done: STEPS.length, complete: true, pending: [] },
      coins: [
        { coin: 'KMD', added: true, dpowPlanned: false, dpow: null },
        ...ACS.map((coin) => ({ coin, added: true, dpowPlanned: true, dpow: true })),
      ],
      unlock: { status: 'unlocked', expired: false },
    });
    expect((s['unlock'] as { secondsLeft: number }).secondsLeft).toBeGreaterThan(9_999_000);
    expect(s['round']).toBeUndefined();
    const text = await run(['iguana', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^iguana main  127\\.0\\.0\\.1:${igPort}  running`));
    expect(text.stdout).toMatch(/bootstrap\s+complete \(12\/12 steps/);
    expect(text.stdout).toMatch(
      /coins\s+KMD added · NTIG01 added, dpow · NTIG02 added, dpow · NTIG03 added, dpow/,
    );
    expect(text.stdout).toMatch(/peers\s+2: 198\.51\.100\.10, 198\.51\.100\.11/);
    expect(text.stdout).toMatch(/unlock\s+unlocked, 116 days left \(Iguana says so\)/);
    // Only probes without side effects: never `dpow active` (it crashes the real Iguana once a
    // round has completed), never myipaddr (it resets the relay id).
    expect(log).toEqual([
      'notarychains',
      'activehandle',
      'ipaddrs',
      'notarychains',
      'activehandle',
      'ipaddrs',
    ]);
  });

  it('a bootstrap done by hand (no state file) shows what Iguana has', async () => {
    const saved = readFileSync(statePath, 'utf8');
    rmSync(statePath);
    try {
      const r = await run(['iguana', 'status', '--json']);
      const s = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(s).toMatchObject({
        bootstrap: { done: 0, complete: false, updatedAt: null },
        coins: [
          { coin: 'KMD', added: true, dpow: null },
          ...ACS.map((coin) => ({ coin, added: true, dpowPlanned: true, dpow: null })),
        ],
        unlock: { status: 'unlocked', expired: false },
      });
      const text = await run(['iguana', 'status']);
      expect(text.stdout).toMatch(/coins\s+KMD added · NTIG01 added, dpow unknown/);
    } finally {
      writeFileSync(statePath, saved, { mode: 0o600 });
    }
  });

  it('an unlock that ran out is shown as Iguana reports it, and status exits 1', async () => {
    // A 1 s unlock sent by hand: Iguana locks after it, whatever dokomodo's state file says.
    await new IguanaClient({ port: igPort }).walletpassphrase(PASS, 1);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await run(['iguana', 'status']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unlock\s+locked \(Iguana says so\): run `dokomodo iguana up`/);
  });

  it('after a crash: a restarted Iguana is bootstrapped from the start, and KMD UTXOs it left locked are unlocked', async () => {
    const unspent = await run(['rpc', 'KMD', 'listunspent', '--json']);
    const utxo = (JSON.parse(unspent.stdout) as Array<{ result: Array<{ txid: string; vout: number }> }>)[0]!
      .result[0]!;
    const lock = await run([
      'rpc',
      'KMD',
      'lockunspent',
      'false',
      JSON.stringify([{ txid: utxo.txid, vout: utxo.vout }]),
    ]);
    expect(lock.stdout.trim()).toBe('true');
    await freshIguana();
    const r = await up();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /! Iguana has no coin although this instance added some: it was restarted; bootstrapping it from the start/,
    );
    expect(r.stdout).toMatch(/✓ unlockutxos KMD \(unlocked 1 UTXO\)/);
    expect(log).toEqual(['notarychains', 'walletpassphrase', ...requestsOf(0)]);
    expectComplete(sim!);
    const locked = await run(['rpc', 'KMD', 'listlockunspent']);
    expect(JSON.parse(locked.stdout)).toEqual([]);
  });

  it('interrupted at every step, then resumed: finished steps are not repeated, the end state is complete', async () => {
    for (let k = 0; k < STEPS.length; k++) {
      const [id, request] = STEPS[k]!;
      await freshIguana();
      rmSync(statePath, { force: true });
      // How step k fails: a chain down for the daemon steps, Iguana dropping or refusing the call otherwise.
      const chainDown = id === 'unlockutxos:KMD' ? 'KMD' : id === 'dpow:NTIG01' ? 'NTIG01' : undefined;
      if (chainDown) killChain(chainDown);
      else faults.set(request!, k % 2 ? 'crash' : 'error');

      const first = await up(['--json']);
      expect(first.code, `step ${id}`).toBe(1);
      const out = JSON.parse(first.stdout) as UpJson;
      expect(states(out), `step ${id}`).toEqual(
        STEPS.map((_, i) => (i < k ? 'done' : i === k ? 'failed' : 'pending')),
      );
      const code = out.steps[k]!.error!.code;
      expect(code, `step ${id}`).toBe(
        chainDown ? 'rpc-transport' : k % 2 ? 'iguana-crashed' : 'iguana-error',
      );
      expect(out.steps[k]!.error!.hint, `step ${id}`).toBeTruthy();
      // The failed step's own request, without what would have followed it (activehandle).
      const sent = [...requestsOf(0, k), ...(chainDown ? [] : [request!])];
      expect(log, `step ${id}`).toEqual(['notarychains', ...sent]);

      let resumed: Awaited<ReturnType<typeof up>>;
      if (chainDown === 'NTIG01') {
        // Bring the chain back in a -28 warm-up: the resumed run waits it out before dpow.
        const starting = run(['start', '--devnet', '--datadir', data, '--warmup', '3', chainDown]);
        try {
          const rpcPort = await rpcPortOf(chainDown);
          for (let i = 0; i < 100 && !(await portAnswers(rpcPort)); i++)
            await new Promise((r) => setTimeout(r, 50));
          log.length = 0;
          resumed = await up(['--json', '-v'], '30');
        } finally {
          // never leave a start in flight behind a failed assertion: it would outlive afterAll's stop
          expect((await starting).code).toBe(0);
        }
        expect(resumed.stderr).toMatch(/dpow:NTIG01: NTIG01: validateaddress: .*\(-28\); retry in \d+ ms/);
      } else {
        if (chainDown) expect((await run(['start', '--devnet', '--datadir', data, chainDown])).code).toBe(0);
        log.length = 0;
        resumed = await up(['--json']);
      }
      expect(resumed.code, `step ${id}: ${resumed.stderr}`).toBe(0);
      const again = JSON.parse(resumed.stdout) as UpJson;
      expect(states(again), `step ${id}`).toEqual(
        STEPS.map(([sid], i) => (i >= k || sid === 'walletpassphrase' ? 'done' : 'skipped')),
      );
      expect(again.restarted).toBe(false);
      expect(log, `step ${id}`).toEqual([
        'notarychains',
        ...(k > WP ? ['walletpassphrase', 'activehandle'] : []),
        ...requestsOf(k),
      ]);
      expectComplete(sim!);
    }
  }, 120_000);

  it('Iguana stopped in the middle of the bootstrap and started again: the rerun starts over', async () => {
    await freshIguana();
    rmSync(statePath, { force: true });
    faults.set('addcoin NTIG02', 'crash');
    const first = await up();
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/✗ addcoin NTIG02 failed: iguana-crashed: /);
    await freshIguana();
    const r = await up(['--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UpJson;
    expect(out.restarted).toBe(true);
    expect(states(out)).toEqual(STEPS.map(() => 'done'));
    expect(log).toEqual(['notarychains', 'walletpassphrase', ...requestsOf(0)]);
    expectComplete(sim!);
  });
});

async function rpcPortOf(chain: string): Promise<number> {
  const r = await run(['chains', '--json']);
  const list = JSON.parse(r.stdout) as Array<{ name: string; rpc: number }>;
  return list.find((c) => c.name === chain)!.rpc;
}
