// What `dokomodo relay` serves on each host of a two-host platform, and the two relays running:
// the Iguana host (127.0.0.1) with the gateway and a tunnel listener on 127.0.0.1:RPCPORT for the
// chain of the other host (127.0.0.2), whose relay is the tunnel server. Iguana, driven through
// the gateway, reaches that chain at 127.0.0.1 — its RPC password inside the mTLS tunnel.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { type Devnet, startDevnet } from '../../src/devnet/host.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { collectStatus } from '../../src/operator/status.ts';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { relayReach } from '../../src/relay/reach.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { IguanaError } from '../../src/operator/iguana-client.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { RelayIguanaClient } from '../../src/relay/client.ts';
import { type Relay, relayHost, relayPlan, startRelay } from '../../src/relay/service.ts';
import { cli } from '../notary/helpers.ts';
import { freePort } from '../support/ports.ts';
import { relayCerts, tempDir, tokens } from './helpers.ts';

let t: ReturnType<typeof tempDir>;
let platform: Platform;
let platformText: string;
let ports: { ig: number; kmd: number; ntx: number; ntx2: number };
let sim: IguanaSim;
let devnet: Devnet;
let far: Relay;
let near: Relay;

const SECRET = 'relay-service-test-secret-0123456789';
const SEEDS = Array(8).fill('198.51.100.30').join(', ');

beforeAll(async () => {
  t = tempDir();
  ports = { ig: await freePort(), kmd: await freePort(), ntx: await freePort(), ntx2: await freePort() };
  const text = `version: 1
hosts:
  ig: { address: 127.0.0.1 }
  ch: { address: 127.0.0.2, relay: { tunnel_port: 7791 } }
chains:
  KMD: { host: ig, ports: { p2p: ${await freePort()}, rpc: ${ports.kmd}, override: true } }
  NTX01: { host: ch, params: { ac_supply: 71234 }, ports: { p2p: ${await freePort()}, rpc: ${ports.ntx}, override: true } }
  NTX02: { host: ch, params: { ac_supply: 71235 }, ports: { p2p: ${await freePort()}, rpc: ${ports.ntx2}, override: true } }
iguana:
  main: { host: ig, port: ${ports.ig}, coins: [KMD, NTX01], notaries: dev, myip: 203.0.113.9 }
notaries:
  dev:
    minsigs: 1
    seeds: [${SEEDS}]
    list:
      - { name: devnode_EU, pubkey: ${deriveKeys('relay service test', [KMD]).pubkey} }
`;
  platformText = text;
  const r = loadPlatformText('relay.yaml', text);
  if (!r.platform) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  platform = r.platform;
  // NTX01 answers on the chain host's address only, as a chain on another machine would, with
  // the credentials derived from the platform secret
  const creds = rpcCredentials(SECRET, 'NTX01');
  mkdirSync(path.join(t.dir, 'NTX01'), { recursive: true });
  writeFileSync(
    path.join(t.dir, 'NTX01', 'NTX01.conf'),
    `rpcuser=${creds.user}\nrpcpassword=${creds.password}\nrpcport=${ports.ntx}\n`,
  );
  devnet = await startDevnet({
    chains: [
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

describe('relay plan', () => {
  it('Iguana host: the gateway, and a tunnel per chain of its Iguana on another host', () => {
    // the peer's port comes from its host's relay.tunnel_port
    const plan = relayPlan(platform, relayHost(platform, 'ig'));
    expect(relayHost(platform, 'ig').relay).toEqual({ port: 7780, tunnelPort: 7781 });
    expect(Object.fromEntries(plan.iguana)).toEqual({ main: ports.ig });
    expect(Object.fromEntries(plan.chainPorts)).toEqual({ [ports.kmd]: 'KMD' });
    // NTX02 runs on ch too but main does not notarize it: no tunnel
    expect(plan.tunnels).toEqual([
      {
        name: 'NTX01',
        listenPort: ports.ntx,
        remotePort: ports.ntx,
        peer: { host: '127.0.0.2', port: 7791 },
      },
    ]);
  });

  it('chain host: no gateway, the tunnel server for its chains only', () => {
    const plan = relayPlan(platform, relayHost(platform, 'ch'));
    expect(plan.iguana.size).toBe(0);
    expect(Object.fromEntries(plan.chainPorts)).toEqual({ [ports.ntx]: 'NTX01', [ports.ntx2]: 'NTX02' });
    expect(plan.tunnels).toEqual([]);
  });

  it('refuses a gateway on a host without Iguana, and needs --host when several hosts are this machine', async () => {
    expect(() => relayHost(platform, undefined)).toThrow(/which host/);
    expect(() => relayHost(platform, 'nope')).toThrow(/no host named nope/);
    const c = await relayCerts(t.dir, 'x');
    await expect(
      startRelay({
        plan: relayPlan(platform, relayHost(platform, 'ch')),
        tls: c.tls,
        tokens: [],
        auditPath: path.join(t.dir, 'x-audit.log'),
        gateway: { host: '127.0.0.1', port: 0 },
        tunnels: false,
      }),
    ).rejects.toMatchObject({ code: 'relay-no-iguana' });
  });
});

describe('two relays', () => {
  it('Iguana, through the gateway, notarizes setup on a chain of the other host at 127.0.0.1', async () => {
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
    expect(far.gateway).toBeUndefined();
    const tk = tokens([{ id: 'op', allow: ['*', 'walletpassphrase'] }]);
    near = await startRelay({
      plan: relayPlan(platform, relayHost(platform, 'ig'), far.tunnelServer!.port),
      tls: nearCerts.tls,
      tokens: tk.list,
      auditPath: path.join(t.dir, 'ig-audit.log'),
      gateway: { host: '127.0.0.1', port: 0 },
      tunnels: true,
    });
    expect(near.tunnels.map((x) => x.port)).toEqual([ports.ntx]);

    const chain = devnet.chain('NTX01');
    const ig = new RelayIguanaClient({
      url: `https://127.0.0.1:${near.gateway!.port}`,
      token: tk.clear['op']!,
      pin: nearCerts.made.fingerprint,
      instance: 'main',
    });
    await ig.addcoin({
      newcoin: 'NTX01',
      rpchost: `127.0.0.1:${ports.ntx}`,
      userpass: `${chain.user}:${chain.password}`,
    });
    const out = await ig.walletpassphrase('two relays test passphrase', 3600);
    // walletpassphrase made Iguana import the key into NTX01 — through the tunnel
    const rpc = new RpcClient({
      host: '127.0.0.2',
      port: ports.ntx,
      user: chain.user,
      password: chain.password,
      label: 'NTX01',
      retry: false,
    });
    expect(((await rpc.call('validateaddress', [out['NTX01']])) as Record<string, unknown>)['ismine']).toBe(
      true,
    );
    await rpc.close();
    expect(far.tunnelServer!.counters.accepted).toBeGreaterThanOrEqual(2);
    // an unknown instance name is refused by the gateway
    const other = new RelayIguanaClient({
      url: `https://127.0.0.1:${near.gateway!.port}`,
      token: tk.clear['op']!,
      pin: nearCerts.made.fingerprint,
      instance: 'nope',
    });
    const e = (await other.notarychains().catch((x: unknown) => x)) as IguanaError;
    expect(e).toBeInstanceOf(IguanaError);
    expect(e.message).toMatch(/relay refused: not-found: no Iguana instance nope here/);
  });
});

describe('chain RPC from a machine that is not a host (relayReach)', () => {
  it('status of a chain of another host through its relay; a host whose relay is down is unreachable', async () => {
    const op = await relayCerts(t.dir, 'operator', ['laptop.invalid']);
    const before = far.tunnelServer!.counters.accepted;
    // the far relay listens on an ephemeral port: the platform names it as the host's tunnel_port;
    // \`ssh\` makes 127.0.0.2 another machine (else a loopback host is this one, reached directly)
    const remoteText = (port: number) =>
      platformText.replace(
        'relay: { tunnel_port: 7791 }',
        `relay: { tunnel_port: ${port} }, ssh: { user: nobody }`,
      );
    const text = loadPlatformText('relay.yaml', remoteText(far.tunnelServer!.port));
    const p = text.platform!;
    const rt = memoryRuntime(p, { secret: SECRET, reach: relayReach(p, op.tls) });
    const ntx = p.chains.filter((c) => c.name === 'NTX01');
    const s = await collectStatus(rt, ntx);
    expect(s.chains[0]).toMatchObject({ chain: 'NTX01', state: 'running' });
    expect(far.tunnelServer!.counters.accepted).toBeGreaterThan(before);
    await rt.close();

    // the same from the command line: dokomodo status --relay-certs DIR --relay-name operator
    const file = path.join(t.dir, 'remote.yaml');
    writeFileSync(file, remoteText(far.tunnelServer!.port));
    const r = await cli(
      ['status', 'NTX01', '--json', '--relay-certs', t.dir, '--relay-name', 'operator', '-f', file],
      {
        env: { DOKOMODO_SECRET: SECRET, HOME: t.dir },
        secrets: [SECRET],
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).chains[0]).toMatchObject({ chain: 'NTX01', state: 'running' });

    // nothing listens at the host's tunnel port: unreachable, with the reason
    const gone = loadPlatformText('relay.yaml', remoteText(await freePort('127.0.0.2'))).platform!;
    const rt2 = memoryRuntime(gone, {
      secret: SECRET,
      reach: relayReach(gone, op.tls, { probeTimeoutMs: 2000 }),
    });
    const s2 = await collectStatus(
      rt2,
      gone.chains.filter((c) => c.name === 'NTX01'),
    );
    expect(s2.chains[0]!.state).toBe('unreachable');
    expect(JSON.stringify(s2.chains[0])).toMatch(
      /connection refused \(is `dokomodo relay` running there\?\)/,
    );
    await rt2.close();
  });
});
