/**
 * `via: relay` end to end on loopback: a platform whose chain host says `via: relay`, the Iguana
 * payload rendered for its chain (`rpchost: 127.0.0.1:RPC`), the two relays of src/relay, and a
 * devnet chain that answers on its host's address only (127.0.0.2, standing for that host's
 * loopback):
 *
 * - the rendered rpchost and userpass reach the chain's getinfo through the tunnel, and nothing
 *   answers there without the relays;
 * - `iguana up` (src/operator/iguana.ts) gives the devnet Iguana the rpchost the renderer wrote,
 *   and its walletpassphrase imports the notary key into KMD (of the relayed host) through the tunnel.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.ts';
import { type Devnet, startDevnet } from '../../src/devnet/host.ts';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { iguanaUp } from '../../src/operator/iguana.ts';
import { notaryKeys } from '../../src/operator/keys.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { type Relay, relayHost, relayPlan, startRelay } from '../../src/relay/service.ts';
import { freePort } from '../support/ports.ts';
import { relayCerts, tempDir } from './helpers.ts';

const SECRET = 'relay-render-e2e-secret-0123456789';
const PASS = 'relay render e2e passphrase — never for real coins';
let t: ReturnType<typeof tempDir>;
let platform: Platform;
let ports: { ig: number; kmd: number; ntx: number };
let devnet: Devnet;
let sim: IguanaSim;
let far: Relay | undefined;
let near: Relay | undefined;

beforeAll(async () => {
  t = tempDir('dk-relay-render-');
  ports = { ig: await freePort(), kmd: await freePort(), ntx: await freePort() };
  const text = `version: 1
hosts:
  ig: { address: 127.0.0.1 }
  ch: { address: 127.0.0.2, via: relay }
chains:
  KMD: { host: ch, ports: { p2p: ${await freePort()}, rpc: ${ports.kmd}, override: true } }
  NTX01: { host: ch, params: { ac_supply: 71234 }, ports: { p2p: ${await freePort()}, rpc: ${ports.ntx}, override: true } }
iguana:
  main: { host: ig, port: ${ports.ig}, coins: [KMD, NTX01], notaries: dev, myip: 203.0.113.9 }
notaries:
  dev:
    minsigs: 1
    seeds: [${Array(8).fill('198.51.100.30').join(', ')}]
    list:
      - { name: devnode_EU, pubkey: ${deriveKeys(PASS, [KMD]).pubkey} }
`;
  const r = loadPlatformText(path.join(t.dir, 'relay.yaml'), text);
  if (!r.platform) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  platform = r.platform;
  // Both chains answer on their host's address only, with the credentials derived from the secret.
  for (const [name, conf, port] of [
    ['KMD', 'komodo.conf', ports.kmd],
    ['NTX01', 'NTX01.conf', ports.ntx],
  ] as const) {
    const creds = rpcCredentials(SECRET, name);
    mkdirSync(path.join(t.dir, name), { recursive: true });
    writeFileSync(
      path.join(t.dir, name, conf),
      `rpcuser=${creds.user}\nrpcpassword=${creds.password}\nrpcport=${port}\n`,
    );
  }
  devnet = await startDevnet({
    chains: [
      { name: 'KMD', datadir: path.join(t.dir, 'KMD'), rpcport: ports.kmd, bindHost: '127.0.0.2' },
      { name: 'NTX01', datadir: path.join(t.dir, 'NTX01'), rpcport: ports.ntx, bindHost: '127.0.0.2' },
    ],
    blockTimeMs: 0,
  });
  sim = await startIguana({ port: ports.ig, daemonRetryDelaysMs: [50] });
});

afterAll(async () => {
  await near?.close();
  await far?.close();
  await sim?.close();
  await devnet?.stop();
  t?.cleanup();
});

function renderedPayload(): Record<string, unknown> {
  const arts = compile(platform, selectEnvironment(platform, undefined), {
    secret: SECRET,
    targets: ['iguana'],
  });
  const a = arts.find((x) => x.path.endsWith('/coins/NTX01.json'));
  if (!a) throw new Error(`no NTX01 payload among ${arts.map((x) => x.path).join(', ')}`);
  return JSON.parse(a.content) as Record<string, unknown>;
}

async function getinfo(rpchost: string, userpass: string): Promise<Record<string, unknown>> {
  const [host, port] = rpchost.split(':');
  const [user, password] = userpass.split(':');
  const rpc = new RpcClient({
    host: host!,
    port: Number(port),
    user: user!,
    password: password!,
    label: 'NTX01',
    retry: false,
  });
  try {
    return (await rpc.call('getinfo', [])) as Record<string, unknown>;
  } finally {
    await rpc.close();
  }
}

describe('via: relay, rendered and relayed', () => {
  it("the rendered payload's rpchost carries getinfo through the tunnel, and only through it", async () => {
    const payload = renderedPayload();
    expect(payload['rpchost']).toBe(`127.0.0.1:${ports.ntx}`);
    // without the relays nothing listens there: the chain answers on its host's address only
    await expect(getinfo(payload['rpchost'] as string, payload['userpass'] as string)).rejects.toThrow();

    const farCerts = await relayCerts(t.dir, 'ch', ['127.0.0.2']);
    const nearCerts = await relayCerts(t.dir, 'ig', ['127.0.0.1']);
    far = await startRelay({
      plan: relayPlan(platform, relayHost(platform, 'ch')),
      tls: farCerts.tls,
      tokens: [],
      auditPath: path.join(t.dir, 'ch-audit.log'),
      tunnelServer: { host: '127.0.0.2', port: 0 },
      chainHost: '127.0.0.2',
      tunnels: true,
    });
    near = await startRelay({
      plan: relayPlan(platform, relayHost(platform, 'ig'), far.tunnelServer!.port),
      tls: nearCerts.tls,
      tokens: [],
      auditPath: path.join(t.dir, 'ig-audit.log'),
      tunnels: true,
    });
    expect(near.tunnels.map((x) => x.port)).toEqual([ports.kmd, ports.ntx]);

    const info = await getinfo(payload['rpchost'] as string, payload['userpass'] as string);
    expect(info['name']).toBe('NTX01');
    expect(far.tunnelServer!.counters.accepted).toBeGreaterThanOrEqual(1);
  });

  it('iguana up sends the rendered payload; walletpassphrase reaches the chain through the tunnel', async () => {
    expect(near, 'the relays of the first test').toBeDefined();
    const g = platform.iguana[0]!;
    const rt = memoryRuntime(platform, { secret: SECRET });
    const before = far!.tunnelServer!.counters.accepted;
    const result = await iguanaUp({
      runtime: rt,
      instance: g,
      passphrase: PASS,
      keys: notaryKeys(PASS, platform.chains),
      waitMs: 5_000,
    });
    const step = (kind: string) => result.steps.find((s) => s.step === kind);
    expect(step('addcoin')?.state).toBe('done');
    expect(step('walletpassphrase')?.state).toBe('done');
    // Iguana took the coin at the rendered rpchost, with the rendered userpass
    const payload = renderedPayload();
    const coin = sim.coins.get('NTX01');
    expect(`${coin?.host}:${coin?.port}`).toBe(payload['rpchost']);
    expect(coin?.userpass).toBe(payload['userpass']);
    // the key is in the wallet of the default coin (the first added, KMD): imported through the tunnel
    const chain = devnet.chain('KMD');
    const rpc = new RpcClient({
      host: '127.0.0.2',
      port: ports.kmd,
      user: chain.user,
      password: chain.password,
      label: 'KMD',
      retry: false,
    });
    const addr = notaryKeys(PASS, platform.chains).byChain.get('KMD')!.address;
    expect(((await rpc.call('validateaddress', [addr])) as Record<string, unknown>)['ismine']).toBe(true);
    await rpc.close();
    expect(far!.tunnelServer!.counters.accepted).toBeGreaterThan(before);
  });
});
