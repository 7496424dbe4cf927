// Chain tunnels between two relays on two loopback addresses (127.0.0.1: the Iguana host,
// 127.0.0.2: the chain's host): chain RPC over mutual TLS, a peer without a certificate of the
// platform's CA refused in the handshake, a port that is not a platform chain refused by the far
// relay, and the devnet's Iguana notarizing setup (addcoin, walletpassphrase → importprivkey)
// reaching a chain of the other host through 127.0.0.1.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { IguanaClient } from '../../src/operator/iguana-client.ts';
import { RpcClient } from '../../src/operator/rpc/client.ts';
import type { TlsMaterial } from '../../src/relay/certs.ts';
import {
  startTunnelListener,
  startTunnelServer,
  type TunnelListener,
  type TunnelServer,
} from '../../src/relay/tunnel.ts';
import { smallDevnet } from '../devnet/helpers.ts';
import { relayCerts, tempDir } from './helpers.ts';

let t: ReturnType<typeof tempDir>;
let dev: Awaited<ReturnType<typeof smallDevnet>>;
let far: TunnelServer;
let near: TunnelListener;
let nearTls: TlsMaterial;
let farTls: TlsMaterial;
let sim: IguanaSim;

beforeAll(async () => {
  t = tempDir();
  dev = await smallDevnet(['DOC', 'MARTY']);
  farTls = (await relayCerts(t.dir, 'chains-host', ['127.0.0.2'])).tls;
  nearTls = (await relayCerts(t.dir, 'iguana-host', ['127.0.0.1'])).tls;
  const doc = dev.devnet.chain('DOC');
  // only DOC is a platform chain of the far host; MARTY runs there too but is not allowed
  far = await startTunnelServer({
    host: '127.0.0.2',
    port: 0,
    tls: farTls,
    ports: new Map([[doc.rpcport, 'DOC']]),
  });
  near = await startTunnelListener({
    spec: {
      name: 'DOC',
      listenPort: 0,
      remotePort: doc.rpcport,
      peer: { host: '127.0.0.2', port: far.port },
    },
    tls: nearTls,
  });
  sim = await startIguana({ daemonRetryDelaysMs: [50] });
});

afterAll(async () => {
  await sim?.close();
  await near?.close();
  await far?.close();
  await dev?.cleanup();
  t?.cleanup();
});

describe('chain tunnel', () => {
  it('carries chain RPC (getinfo) over mutual TLS to the chain on the other host', async () => {
    const doc = dev.devnet.chain('DOC');
    const c = new RpcClient({
      port: near.port,
      user: doc.user,
      password: doc.password,
      label: 'DOC',
      retry: false,
    });
    const info = (await c.call('getinfo')) as Record<string, unknown>;
    expect(info['name']).toBe('DOC');
    // a keep-alive connection carries many calls
    for (let i = 0; i < 20; i++) expect(await c.call('getblockcount')).toBeTypeOf('number');
    await c.close();
    expect(far.counters.accepted).toBeGreaterThanOrEqual(1);
  });

  it('refuses a peer without a certificate of the platform CA', async () => {
    const before = far.counters.refusedTls;
    const attempt = (opts: tls.ConnectionOptions) =>
      new Promise<string>((resolve) => {
        const s = tls.connect({ host: '127.0.0.2', port: far.port, ca: farTls.ca, ...opts });
        s.on('secureConnect', () => s.write(`DKT1 ${dev.devnet.chain('DOC').rpcport}\n`));
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d.toString();
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
        s.on('close', () => resolve(got === '' ? 'closed' : got));
      });
    // no client certificate at all
    const none = await attempt({});
    expect(none).not.toMatch(/^OK/);
    // a certificate of another CA
    const other = tempDir();
    const stranger = (await relayCerts(other.dir, 'stranger')).tls;
    other.cleanup();
    const wrong = await attempt({ cert: stranger.cert, key: stranger.key });
    expect(wrong).not.toMatch(/^OK/);
    expect(far.counters.refusedTls - before).toBe(2);
  });

  it('refuses a port that is not the RPC port of a platform chain of its host', async () => {
    const marty = dev.devnet.chain('MARTY');
    const l = await startTunnelListener({
      spec: {
        name: 'MARTY',
        listenPort: 0,
        remotePort: marty.rpcport,
        peer: { host: '127.0.0.2', port: far.port },
      },
      tls: nearTls,
    });
    const before = far.counters.refusedPort;
    const c = new RpcClient({
      port: l.port,
      user: marty.user,
      password: marty.password,
      label: 'MARTY',
      retry: false,
    });
    await expect(c.call('getinfo')).rejects.toMatchObject({ kind: 'transport' });
    await c.close();
    await l.close();
    expect(far.counters.refusedPort - before).toBe(1);
    expect(l.counters.refused).toBe(1);
  });

  it('lets Iguana reach a chain of another host at 127.0.0.1: addcoin and walletpassphrase through the tunnel', async () => {
    const doc = dev.devnet.chain('DOC');
    const ig = new IguanaClient({ port: sim.port });
    await ig.addcoin({
      newcoin: 'DOC',
      rpchost: `127.0.0.1:${near.port}`,
      userpass: `${doc.user}:${doc.password}`,
    });
    const out = await ig.walletpassphrase('tunnel test passphrase', 3600);
    expect(out['btcpubkey']).toBe(sim.pubkey);
    // the simulator imported the notary key into DOC's wallet through the tunnel
    const rpc = new RpcClient({
      port: doc.rpcport,
      user: doc.user,
      password: doc.password,
      label: 'DOC',
      retry: false,
    });
    const v = (await rpc.call('validateaddress', [out['DOC']])) as Record<string, unknown>;
    expect(v['ismine']).toBe(true);
    await rpc.close();
  });
});
