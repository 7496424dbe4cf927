/**
 * The real Iguana (KomodoPlatform/dPoW 2f846c0, built by ../shared/tools/iguana/build.sh), driven by
 * dokomodo with the rendered files as an operator deploys them, against devnet chains, all in one
 * private network namespace:
 *
 * render → copy each host's `hosts/<host>/home/` into that host's home → `start --devnet` → Iguana
 * started in a copy of the rendered `dPoW/iguana` (its `elected`) → `keys import` → `utxo
 * consolidate`/`split` → `iguana up` (stopped mid-bootstrap by a chain that is down, Iguana killed,
 * started again: `iguana up` starts over and completes) → a one-notary round (minsigs 1, the own
 * pubkey, myipaddr 127.0.0.1, 8 seeds of 127.0.0.2 — Iguana never dials a seed equal to its own
 * IP, and it must hear itself) completes: Iguana's log ends the round with both txids, the chain's
 * `getinfo.notarizedtxid` is Iguana's KMD transaction, `stats` counts the notarization → `iguana
 * status` after the round leaves Iguana alive.
 *
 * Talk to url: EIGUA2 lives on host `alias` (127.0.0.2); Iguana gets `rpchost: 127.0.0.2:…` and
 * `userpass` in its payload and calls it there (its log names the server port), and every
 * dokomodo command reaches it there too.
 *
 * The devnet's simulated network rounds are off (`-devnet-notarize-every=0`): every notarization
 * seen here is one the real Iguana made. Blocks come every 10 s, the devnet's default; the round
 * needs 5 confirmations and Iguana waits about 30 s before its first ping (the file takes ~2.5 min).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { killLeftovers, secretsOf } from '../notary/helpers.ts';
import { Netns, realIguana, waitFor } from './helpers.ts';

const found = realIguana();
const why = 'why' in found ? found.why : '';
if (why) {
  if (process.env['CI'] && process.getuid?.() === 0)
    throw new Error(`the real Iguana is required in CI: ${why}`);
  console.warn(`test/e2e: skipped, the real Iguana is not available: ${why}`);
}

const PASS = 'myverysecretandstrongpassphrase_noneabletobrute';
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const SECRET = 'e2e-real-iguana-secret-0123456789';
const SECRETS = [...secretsOf([PASS]), SECRET];
const ROUND_MS = 8 * 60_000;

const root = mkdtempSync(join(tmpdir(), 'dokomodo-e2e-'));
const home1 = join(root, 'home-local');
const home2 = join(root, 'home-alias');
const file = join(root, 'dokomodo.yaml');
const igDir = join(root, 'iguana-cwd');
const igLog = join(root, 'iguana.log');
let ns: Netns | undefined;
let iguana: ChildProcess | undefined;
const rpcOf = new Map<string, number>();

/** The CLI inside the namespace as the operator on host `local` (HOME = its home). */
function run(args: string[], opts: { home?: string; input?: string; timeoutMs?: number } = {}) {
  return ns!.dokomodo([...args, '-f', file], {
    env: { HOME: opts.home ?? home1, DOKOMODO_SECRET: SECRET },
    secrets: SECRETS,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

const log = () => (existsSync(igLog) ? readFileSync(igLog, 'latin1') : '');
const roundLines = () =>
  log()
    .split('\n')
    .filter((l) => /notariz|END isratify|LOCKED|PENDING|no \(/.test(l))
    .slice(-12)
    .join('\n');

/** Starts the real Iguana as the dPoW scripts do: `stdbuf -oL ../agents/iguana notary` in its workdir. */
async function startIguana(): Promise<void> {
  const { bin } = found as { bin: string };
  rmSync(igDir, { recursive: true, force: true });
  mkdirSync(igDir, { recursive: true });
  // Iguana writes DB/ confs/ tmp/ into its cwd: a fresh copy of the deployed workdir each time.
  cpSync(join(home1, 'dPoW', 'iguana'), igDir, { recursive: true });
  writeFileSync(igLog, `---- iguana started ${new Date().toISOString()}\n`, { flag: 'a' });
  iguana = ns!.daemon('stdbuf', ['-oL', bin, 'notary'], { cwd: igDir, log: igLog });
  const up = await waitFor(30_000, 250, async () =>
    log().includes('iguana API enabled') ? true : undefined,
  );
  if (!up) throw new Error(`Iguana did not open its API:\n${log().slice(-2000)}`);
}

function stopIguana(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const p = iguana;
  iguana = undefined;
  if (!p || p.exitCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    p.once('exit', () => ok());
    p.kill(signal);
  });
}

const alive = () => iguana !== undefined && iguana.exitCode === null && iguana.signalCode === null;

async function getinfo(chain: string): Promise<Record<string, unknown> | undefined> {
  const r = await run(['rpc', chain, 'getinfo'], { home: chain === 'EIGUA2' ? home2 : home1 });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

describe.skipIf(why !== '')('the real Iguana, end to end', () => {
  beforeAll(async () => {
    writeFileSync(
      file,
      `version: 1
secret: { env: DOKOMODO_SECRET }
defaults:
  pubkey: ${PUBKEY}
  datadir: ~/komodo
  start: { concurrency: 4, timeout: 60s }
hosts:
  local: { address: 127.0.0.1, home: ${home1}, roles: [chains, iguana] }
  alias: { address: 127.0.0.2, home: ${home2}, roles: [chains] }
chains:
  KMD: { host: local, args: { devnet-notarize-every: 0 } }
  EIGUA1:
    host: local
    params: { ac_supply: 1000000, ac_cc: 2 }
    args: { devnet-notarize-every: 0 }
  EIGUA2:
    host: alias
    params: { ac_supply: 2000000 }
    args: { devnet-notarize-every: 0 }
iguana:
  main: { host: local, port: 7776, coins: [KMD, EIGUA1, EIGUA2], notaries: dev }
notaries:
  dev:
    minsigs: 1
    # Not 127.0.0.1, the announced IP: Iguana never dials a seed equal to its own myipaddr, and a
    # one-notary round needs it to hear itself (its dPoW port listens on every address).
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list: [{ name: e2e_EU, pubkey: ${PUBKEY} }]
`,
    );
    ns = await Netns.create();
  }, 60_000);

  afterAll(async () => {
    await stopIguana('SIGKILL');
    if (ns) {
      await run(['stop', 'KMD', 'EIGUA1']).catch(() => undefined);
      await run(['stop', 'EIGUA2'], { home: home2 }).catch(() => undefined);
      ns.close();
    }
    killLeftovers(join(home1, 'komodo'), ['KMD', 'EIGUA1']);
    killLeftovers(join(home2, 'komodo'), ['EIGUA2']);
    if (process.env['DOKOMODO_E2E_KEEP']) console.warn(`test/e2e: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('render, deploy the files to each host home, start the chains and Iguana with the rendered elected file', async () => {
    const out = join(root, 'out');
    const r = await run(['render', '-o', out, '-t', 'conf,iguana']);
    expect(r.code, r.stderr).toBe(0);
    // What an operator deploys: each host's home tree into that host's home.
    cpSync(join(out, 'hosts', 'local', 'home'), home1, { recursive: true });
    cpSync(join(out, 'hosts', 'alias', 'home'), home2, { recursive: true });
    const elected = JSON.parse(readFileSync(join(home1, 'dPoW', 'iguana', 'elected'), 'utf8'));
    expect(elected).toMatchObject({ minsigs: 1, notaries: [{ e2e_EU: PUBKEY }] });
    expect(elected.seeds).toHaveLength(8);
    const coins = join(home1, '.dokomodo', 'iguana', 'main', 'coins');
    const kmd = JSON.parse(readFileSync(join(coins, 'KMD.json'), 'utf8'));
    expect(kmd.path).toBe(`${home1.slice(1)}/komodo`);
    expect(existsSync(`/${kmd.path}/komodo.conf`)).toBe(true);
    const eigua2 = JSON.parse(readFileSync(join(coins, 'EIGUA2.json'), 'utf8'));
    expect(eigua2.rpchost).toMatch(/^127\.0\.0\.2:\d+$/);
    rpcOf.set('EIGUA2', Number(eigua2.rpchost.split(':')[1]));

    const a = await run(['start', '--devnet', 'KMD', 'EIGUA1'], { timeoutMs: 180_000 });
    expect(a.stdout + a.stderr).toContain('start: 2 ok, 0 failed');
    const b = await run(['start', '--devnet', 'EIGUA2'], { home: home2, timeoutMs: 180_000 });
    expect(b.stdout + b.stderr).toContain('start: 1 ok, 0 failed');
    await startIguana();
    expect(log()).toContain('Notaries_numseeds.8');
  }, 300_000);

  it('keys import, utxo consolidate and split on every chain (EIGUA2 reached at 127.0.0.2)', async () => {
    const k = await run(['keys', 'import', '--passphrase-stdin'], { input: `${PASS}\n` });
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toContain('3 imported');
    const c = await run(['utxo', 'consolidate', '--json']);
    expect(c.code, c.stderr).toBe(0);
    // The split spends the consolidated output once it is confirmed (a block every 10 s).
    const s = await waitFor(120_000, 3000, async () => {
      const r = await run(['utxo', 'split']);
      return r.code === 0 ? r : undefined;
    });
    expect(s, 'utxo split never succeeded on every chain').toBeDefined();
    let last = '';
    const confirmed = await waitFor(120_000, 3000, async () => {
      const r = await run(['utxo', 'status', '--json']);
      last = r.stdout + r.stderr;
      const list = JSON.parse(r.stdout) as Array<{ chain: string; result?: { usable: number } }>;
      return list.every((x) => (x.result?.usable ?? 0) >= 20) ? list : undefined;
    });
    expect(confirmed?.map((x) => x.chain).sort(), last).toEqual(['EIGUA1', 'EIGUA2', 'KMD']);
  }, 330_000);

  it('iguana up stops at a chain that is down; Iguana killed; started again, iguana up starts over and completes', async () => {
    const down = await run(['stop', 'EIGUA2'], { home: home2 });
    expect(down.code, down.stderr).toBe(0);
    const first = await run(['iguana', 'up', '--passphrase-stdin', '--json', '--wait', '5'], {
      input: `${PASS}\n`,
    });
    expect(first.code).toBe(1);
    const r1 = JSON.parse(first.stdout) as { steps: Array<{ id: string; state: string }> };
    const state = Object.fromEntries(r1.steps.map((s) => [s.id, s.state]));
    expect(state).toMatchObject({ 'addcoin:KMD': 'done', 'dpow:EIGUA1': 'done', 'dpow:EIGUA2': 'failed' });

    await stopIguana('SIGKILL');
    const again = await run(['start', '--devnet', 'EIGUA2'], { home: home2, timeoutMs: 180_000 });
    expect(again.stdout + again.stderr).toContain('start: 1 ok, 0 failed');
    await startIguana();
    const second = await run(['iguana', 'up', '--passphrase-stdin', '--json'], { input: `${PASS}\n` });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const r2 = JSON.parse(second.stdout) as {
      restarted: boolean;
      steps: Array<{ id: string; state: string }>;
    };
    expect(r2.restarted).toBe(true);
    expect(r2.steps.every((s) => s.state === 'done')).toBe(true);
    // Every payload was accepted and Iguana calls EIGUA2 where rpchost says.
    expect(log()).toContain(`serverport.(127.0.0.2:${rpcOf.get('EIGUA2')})`);
  }, 240_000);

  it(
    'a notarization round runs for both chains, EIGUA2 through rpchost at 127.0.0.2',
    async () => {
      // What a one-notary round does with this build and the devnet (measured): Iguana picks the
      // checkpoint, finds a 0.0001 P2PK UTXO on both chains, locks the KMD one and runs the state
      // machine, and the round completes (next test).
      const started = await waitFor(ROUND_MS, 5000, async () => {
        const l = log();
        return /\] notarize EIGUA1->KMD [0-9a-f]{64} ht\.\d+ minsigs\.1/.test(l) &&
          /\] notarize EIGUA2->KMD [0-9a-f]{64} ht\.\d+ minsigs\.1/.test(l) &&
          /LOCKED KMD UTXO/.test(l)
          ? true
          : undefined;
      });
      expect(started, `no round started; Iguana's log:\n${roundLines()}`).toBe(true);
      const ended = await waitFor(ROUND_MS, 5000, async () =>
        /END isratify/.test(log()) ? true : undefined,
      );
      expect(ended, `no round ended; Iguana's log:\n${roundLines()}`).toBe(true);
      // The KMD UTXO a round locked is released when the round ends.
      expect(log()).toMatch(/UNLOCKED KMD UTXO/);
    },
    2 * ROUND_MS + 60_000,
  );

  it(
    'a notarization round completes on both chains: Iguana says so, notarized* move, stats counts it',
    async () => {
      // Iguana's end-of-round line: both transactions made (the KMD txid, the back-notarization).
      const endOf = (chain: string) =>
        new RegExp(
          `END isratify\\.0:0 bestk\\.0 1 sigs\\.1 state\\.ffffffff machine ht\\.(\\d+) completed state\\.ffffffff KMD\\.([0-9a-f]{64}) ${chain}\\.([0-9a-f]{64})`,
        ).exec(log());
      for (const [chain, home] of [
        ['EIGUA1', home1],
        ['EIGUA2', home2],
      ] as const) {
        const done = await waitFor(ROUND_MS, 5000, async () => endOf(chain) ?? undefined);
        expect(
          done,
          `no completed round of ${chain} within ${ROUND_MS / 1000} s:\n${roundLines()}`,
        ).toBeDefined();
        // Once the back-notarization is mined, the chain's notarized* name Iguana's KMD transaction
        // (the devnet makes no notarization of its own here).
        const info = await waitFor(60_000, 3000, async () => {
          const i = await getinfo(chain);
          return i?.['notarizedtxid'] === done![2] ? i : undefined;
        });
        expect(info?.['notarized'], `${chain}: ${JSON.stringify(await getinfo(chain))}`).toBe(
          Number(done![1]),
        );
        const st = await run(['stats', chain, '--json'], { home });
        expect(st.code, st.stderr).toBe(0);
        const stats = JSON.parse(st.stdout) as Array<{ chain: string; notarizations: number }>;
        expect(stats[0]!.notarizations, chain).toBeGreaterThanOrEqual(1);
      }
    },
    2 * ROUND_MS + 180_000,
  );

  it('iguana status after the rounds: everything from Iguana, and Iguana stays alive', async () => {
    const r = await run(['iguana', 'status', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({
      state: 'running',
      identity: { pubkey: PUBKEY },
      coins: [
        { coin: 'KMD', added: true },
        { coin: 'EIGUA1', added: true, dpow: true },
        { coin: 'EIGUA2', added: true, dpow: true },
      ],
      unlock: { status: 'unlocked', expired: false },
    });
    expect((s['unlock'] as { secondsLeft: number }).secondsLeft).toBeGreaterThan(3600);
    await new Promise((r) => setTimeout(r, 2000));
    expect(alive()).toBe(true);
    const again = await run(['iguana', 'status']);
    expect(again.code).toBe(0);
    expect(alive()).toBe(true);
    // The process table agrees: the pid still runs the binary.
    expect(execFileSync('ps', ['-o', 'comm=', '-p', String(iguana!.pid)], { encoding: 'utf8' })).toMatch(
      /stdbuf|iguana/,
    );
  }, 120_000);
});
