/**
 * The relay with the real Iguana (KomodoPlatform/dPoW, built by ../shared/tools/iguana/build.sh, as
 * test/e2e does), two hosts in one private network namespace: `local` (127.0.0.1: KMD, RIGUA1,
 * Iguana, its relay with the gateway and a tunnel listener) and `alias` (127.0.0.2: RIGUA2 and its
 * relay's tunnel server).
 *
 * - `iguana up --via` bootstraps Iguana through the gateway — the real Iguana takes
 *   `walletpassphrase` only from 127.0.0.1 (reference §10a), and the relay is that 127.0.0.1 —
 *   and `iguana status --via` reads it back; a read-only token cannot bootstrap;
 * - RIGUA2 answers only on its host's address (its conf binds 127.0.0.2, standing for that host's
 *   loopback), and Iguana gets it at `rpchost: 127.0.0.1:RPCPORT`: the tunnel listener, carried
 *   over mutual TLS to alias's relay. A notarization round completes for RIGUA2 through it.
 *
 * Written before the render knew `via: relay`: the platform keeps alias `direct`, so RIGUA2's
 * rendered payload is sent by hand with its rpchost changed to what `via: relay` now renders
 * (`127.0.0.1:RPCPORT`, test/relay/render-e2e.test.ts), and `iguana up` runs on a copy of the
 * platform file without RIGUA2.
 * Skipped, saying why, where the real Iguana cannot be built (not root, not Linux).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { Netns, realIguana, waitFor } from '../e2e/helpers.ts';
import { killLeftovers, secretsOf } from '../notary/helpers.ts';

const found = realIguana();
const why = 'why' in found ? found.why : '';
if (why) console.warn(`test/relay/real-iguana: skipped, the real Iguana is not available: ${why}`);

const PASS = 'relay real iguana passphrase — never for real coins';
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const SECRET = 'relay-real-iguana-secret-0123456789';
const SECRETS = [...secretsOf([PASS]), SECRET];

const root = mkdtempSync(join(tmpdir(), 'dokomodo-relay-real-'));
const home = join(root, 'home');
const home2 = join(root, 'home-alias');
const upFile = join(root, 'up.yaml');
const farLog = join(root, 'relay-alias.log');
const ROUND_MS = 8 * 60_000;
const file = join(root, 'dokomodo.yaml');
const igDir = join(root, 'iguana-cwd');
const igLog = join(root, 'iguana.log');
const relayLog = join(root, 'relay.log');
const certs = join(root, 'certs');
const tokensFile = join(root, 'relay.tokens');
const auditFile = join(root, 'audit.log');
let ns: Netns | undefined;
let iguana: ChildProcess | undefined;
let relay: ChildProcess | undefined;
let farRelay: ChildProcess | undefined;
let rpc2 = 0;
let pin = '';
const tok: Record<string, string> = {};

const run = (
  args: string[],
  opts: {
    input?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    home?: string;
    file?: string;
  } = {},
) =>
  ns!.dokomodo([...args, '-f', opts.file ?? file], {
    env: { HOME: opts.home ?? home, DOKOMODO_SECRET: SECRET, ...opts.env },
    secrets: [...SECRETS, ...Object.values(tok)],
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    timeoutMs: opts.timeoutMs ?? 180_000,
  });
const text = (p: string) => (existsSync(p) ? readFileSync(p, 'latin1') : '');
const utf8 = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const via = () => ['--via', 'https://127.0.0.1:7780', '--pin', pin];

/** One raw call through the gateway, from inside the namespace (no CLI makes arbitrary Iguana calls). */
async function gateway(body: Record<string, unknown>): Promise<unknown> {
  const script = `const https = require('node:https'); const crypto = require('node:crypto');
const [body, token, pin] = process.argv.slice(1);
const req = https.request({ host: '127.0.0.1', port: 7780, method: 'POST', path: '/iguana/main', rejectUnauthorized: false,
  headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'x-dokomodo-nonce': crypto.randomBytes(18).toString('base64url'), 'x-dokomodo-time': String(Date.now()) } },
  (res) => { if (res.socket.getPeerCertificate().fingerprint256 !== pin) process.exit(3); let t = ''; res.on('data', (d) => (t += d)); res.on('end', () => { console.log(t); process.exit(res.statusCode === 200 ? 0 : 1); }); });
req.end(body);`;
  const [cmd, argv] = ns!.argv(process.execPath, ['-e', script, JSON.stringify(body), tok['operator']!, pin]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`gateway ${JSON.stringify(body.method)}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { reply: unknown }).reply;
}

describe.skipIf(why !== '')('the relay in front of the real Iguana', () => {
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
  local: { address: 127.0.0.1, home: ${home}, roles: [chains, iguana] }
  alias: { address: 127.0.0.2, home: ${home2}, roles: [chains], relay: { tunnel_port: 7781 } }
chains:
  KMD: { host: local, args: { devnet-notarize-every: 0 } }
  RIGUA1: { host: local, params: { ac_supply: 1000000 }, args: { devnet-notarize-every: 0 } }
  RIGUA2: { host: alias, params: { ac_supply: 2000000 }, args: { devnet-notarize-every: 0 } }
iguana:
  main: { host: local, port: 7776, coins: [KMD, RIGUA1, RIGUA2], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list: [{ name: relay_EU, pubkey: ${PUBKEY} }]
`,
    );
    // what `iguana up` bootstraps: RIGUA2 is added by hand, through the tunnel
    writeFileSync(
      upFile,
      readFileSync(file, 'utf8').replace('coins: [KMD, RIGUA1, RIGUA2]', 'coins: [KMD, RIGUA1]'),
    );
    ns = await Netns.create();
  }, 60_000);

  afterAll(async () => {
    relay?.kill('SIGKILL');
    farRelay?.kill('SIGKILL');
    iguana?.kill('SIGKILL');
    if (ns) {
      await run(['stop', 'KMD', 'RIGUA1']).catch(() => undefined);
      await run(['stop', 'RIGUA2'], { home: home2 }).catch(() => undefined);
      ns.close();
    }
    killLeftovers(join(home, 'komodo'), ['KMD', 'RIGUA1']);
    killLeftovers(join(home2, 'komodo'), ['RIGUA2']);
    if (process.env['DOKOMODO_E2E_KEEP']) {
      console.warn(`test/relay/real-iguana: kept ${root}`);
      return;
    }
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('render, start the chains, the real Iguana and the relay', async () => {
    const out = join(root, 'out');
    const r = await run(['render', '-o', out, '-t', 'conf,iguana']);
    expect(r.code, r.stderr).toBe(0);
    cpSync(join(out, 'hosts', 'local', 'home'), home, { recursive: true });
    cpSync(join(out, 'hosts', 'alias', 'home'), home2, { recursive: true });
    // RIGUA2 answers on its host's address only (standing for that host's 127.0.0.1): the render
    // opened it to the Iguana host (rpcbind 0.0.0.0), which the relay makes unnecessary
    const conf2 = join(home2, 'komodo', 'RIGUA2', 'RIGUA2.conf');
    writeFileSync(conf2, readFileSync(conf2, 'utf8').replace(/^rpcbind=.*$/m, 'rpcbind=127.0.0.2'));
    rpc2 = Number(/^rpcport=(\d+)$/m.exec(readFileSync(conf2, 'utf8'))?.[1]);
    const a = await run(['start', '--devnet', 'KMD', 'RIGUA1']);
    expect(a.stdout + a.stderr).toContain('start: 2 ok, 0 failed');
    const b = await run(['start', '--devnet', 'RIGUA2'], { home: home2 });
    expect(b.stdout + b.stderr).toContain('start: 1 ok, 0 failed');
    const k = await run(['keys', 'import', '--passphrase-stdin'], { input: `${PASS}\n` });
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toContain('3 imported');
    // notarization UTXOs on every chain, as test/e2e makes them (a block every 10 s)
    const cons = await run(['utxo', 'consolidate', '--json']);
    expect(cons.code, cons.stderr).toBe(0);
    const split = await waitFor(120_000, 3000, async () => {
      const r = await run(['utxo', 'split']);
      return r.code === 0 ? r : undefined;
    });
    expect(split, 'utxo split never succeeded on every chain').toBeDefined();
    const confirmed = await waitFor(120_000, 3000, async () => {
      const r = await run(['utxo', 'status', '--json']);
      const list = JSON.parse(r.stdout) as Array<{ chain: string; result?: { usable: number } }>;
      return list.every((x) => (x.result?.usable ?? 0) >= 20) ? list : undefined;
    });
    expect(confirmed?.map((x) => x.chain).sort()).toEqual(['KMD', 'RIGUA1', 'RIGUA2']);

    mkdirSync(igDir, { recursive: true });
    cpSync(join(home, 'dPoW', 'iguana'), igDir, { recursive: true });
    iguana = ns!.daemon('stdbuf', ['-oL', (found as { bin: string }).bin, 'notary'], {
      cwd: igDir,
      log: igLog,
    });
    const up = await waitFor(30_000, 250, async () =>
      text(igLog).includes('iguana API enabled') ? true : undefined,
    );
    expect(up, text(igLog).slice(-2000)).toBe(true);

    const c = await run(['relay', 'cert', '--out', certs, '--name', 'local', '--san', '127.0.0.1']);
    pin = /pin {3}sha256:([0-9A-F:]{95})/.exec(c.stdout)?.[1] ?? '';
    expect(pin).toHaveLength(95);
    const c2 = await run(['relay', 'cert', '--out', certs, '--name', 'alias', '--san', '127.0.0.2']);
    expect(c2.code, c2.stderr).toBe(0);
    for (const [id, allow] of [
      ['reader', 'SuperNET.activehandle,dpow.*'],
      ['operator', '*,walletpassphrase'],
    ] as const) {
      const t = await run(['relay', 'token', '--id', id, '--allow', allow, '--tokens', tokensFile]);
      expect(t.code, t.stderr).toBe(0);
      tok[id] = t.stdout.trim();
    }
    relay = ns!.daemon(
      process.execPath,
      [
        'bin/dokomodo.js',
        'relay',
        '-f',
        file,
        '--host',
        'local',
        '--certs',
        certs,
        '--tokens',
        tokensFile,
        '--audit',
        auditFile,
        '--listen',
        '127.0.0.1:7780',
        '--tunnel-listen',
        '127.0.0.1:7781',
      ],
      { cwd: process.cwd(), log: relayLog },
    );
    farRelay = ns!.daemon(
      process.execPath,
      [
        'bin/dokomodo.js',
        'relay',
        '-f',
        file,
        '--host',
        'alias',
        '--certs',
        certs,
        '--audit',
        join(root, 'audit-alias.log'),
        '--chain-address',
        '127.0.0.2',
      ],
      { cwd: process.cwd(), log: farLog },
    );
    const served = await waitFor(20_000, 100, async () =>
      text(relayLog).includes('audit') && text(farLog).includes('audit') ? true : undefined,
    );
    expect(served, text(relayLog) + text(farLog)).toBe(true);
    // local's relay carries RIGUA2 from 127.0.0.1; alias's serves it
    expect(utf8(relayLog)).toContain(`tunnel    127.0.0.1:${rpc2} → 127.0.0.2:7781 (RIGUA2)`);
    expect(utf8(farLog)).toContain('chains    127.0.0.2:7781 (mTLS) → RIGUA2 on 127.0.0.2');
  }, 600_000);

  it('a read-only token cannot bootstrap; nothing reaches Iguana', async () => {
    const r = await run(['iguana', 'up', '--passphrase-stdin', '--wait', '1', ...via()], {
      input: `${PASS}\n`,
      env: { DOKOMODO_RELAY_TOKEN: tok['reader']! },
      file: upFile,
    });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /relay refused: not-allowed: token reader does not allow SuperNET\.myipaddr/,
    );
  }, 120_000);

  it('iguana up --via bootstraps the real Iguana through the gateway, walletpassphrase included', async () => {
    const r = await run(['iguana', 'up', '--passphrase-stdin', '--json', '--wait', '30', ...via()], {
      input: `${PASS}\n`,
      env: { DOKOMODO_RELAY_TOKEN: tok['operator']! },
      file: upFile,
    });
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      steps: Array<{ id: string; state: string; error?: unknown }>;
    };
    // every step done (unlockutxos may have nothing to do: skipped)
    expect(
      out.steps.filter(
        (s) => s.state !== 'done' && !(s.id.startsWith('unlockutxos') && s.state === 'skipped'),
      ),
      r.stdout,
    ).toEqual([]);
    const state = Object.fromEntries(out.steps.map((s) => [s.id, s.state]));
    expect(state).toMatchObject({
      walletpassphrase: 'done',
      'addcoin:RIGUA1': 'done',
      'dpow:RIGUA1': 'done',
    });
    expect(r.code).toBe(0);
    // the real Iguana took walletpassphrase: the relay is 127.0.0.1 to it
    expect(text(igLog)).not.toContain('no remote');
    const s = await run(['iguana', 'status', '--json', ...via()], {
      env: { DOKOMODO_RELAY_TOKEN: tok['reader']! },
      file: upFile,
    });
    expect(s.code, s.stdout + s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({
      reachable: true,
      state: 'running',
      identity: { pubkey: PUBKEY },
      unlock: { status: 'unlocked', expired: false },
      endpoint: '127.0.0.1:7780',
    });
  }, 240_000);

  it(
    'RIGUA2 of the other host through the tunnel: Iguana adds it at 127.0.0.1, and a notarization round completes',
    async () => {
      const payload = JSON.parse(
        readFileSync(join(home, '.dokomodo', 'iguana', 'main', 'coins', 'RIGUA2.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(payload['rpchost']).toBe(`127.0.0.2:${rpc2}`);
      // what `via: relay` will render: the tunnel on this host, not the chain host's address
      const added = await gateway({
        ...payload,
        rpchost: `127.0.0.1:${rpc2}`,
        agent: 'iguana',
        method: 'addcoin',
      });
      expect(JSON.stringify(added)).not.toMatch(/error/);
      const dpow = await gateway({ agent: 'iguana', method: 'dpow', symbol: 'RIGUA2', pubkey: PUBKEY });
      expect(JSON.stringify(dpow)).not.toMatch(/error/);
      // Iguana's end-of-round line for RIGUA2: the KMD txid and the back-notarization
      const endOf = () =>
        /END isratify\.0:0 bestk\.0 1 sigs\.1 state\.ffffffff machine ht\.(\d+) completed state\.ffffffff KMD\.([0-9a-f]{64}) RIGUA2\.([0-9a-f]{64})/.exec(
          text(igLog),
        );
      const done = await waitFor(ROUND_MS, 5000, async () => endOf() ?? undefined);
      const lines = text(igLog)
        .split('\n')
        .filter((l) => /RIGUA2|notariz|END isratify/.test(l))
        .slice(-15)
        .join('\n');
      expect(done, `no completed round of RIGUA2:\n${lines}`).toBeDefined();
      // Iguana called RIGUA2 at 127.0.0.1 — where only the tunnel listens
      expect(text(igLog)).toContain(`serverport.(127.0.0.1:${rpc2})`);
      const info = await waitFor(90_000, 3000, async () => {
        const r = await run(['rpc', 'RIGUA2', 'getinfo'], { home: home2 });
        const i = r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
        return i?.['notarizedtxid'] === done![2] ? i : undefined;
      });
      expect(info?.['notarized']).toBe(Number(done![1]));
      // nothing of the chain's RPC reached the far relay's refusals
      expect(text(farLog)).not.toMatch(/refused/);
      // and the whole instance, RIGUA2 included, is healthy by Iguana's own account
      const st = await run(['iguana', 'status', '--json', ...via()], {
        env: { DOKOMODO_RELAY_TOKEN: tok['reader']! },
      });
      expect(st.code, st.stdout + st.stderr).toBe(0);
      expect(JSON.parse(st.stdout)).toMatchObject({
        coins: [
          { coin: 'KMD', added: true },
          { coin: 'RIGUA1', added: true, dpow: true },
          // its dpow was sent by hand, not by `iguana up`: not in the bootstrap state (null: unknown)
          { coin: 'RIGUA2', added: true, dpow: null },
        ],
      });
    },
    2 * ROUND_MS,
  );

  it('the audit log names every call and holds no passphrase, key or token', () => {
    const log = text(auditFile);
    for (const s of [...SECRETS, ...Object.values(tok)]) expect(log.includes(s)).toBe(false);
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { token: string; method: string; result: string });
    expect(
      lines.some((l) => l.token === 'operator' && l.method === 'walletpassphrase' && l.result === 'ok'),
    ).toBe(true);
    expect(lines.some((l) => l.token === 'operator' && l.method === 'iguana.dpow' && l.result === 'ok')).toBe(
      true,
    );
    expect(lines.some((l) => l.token === 'reader' && l.result === 'not-allowed')).toBe(true);
  });
});
