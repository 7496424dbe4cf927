/**
 * What the iguana target renders, checked against what the real Iguana needs (shared/tools/iguana
 * README): an elected file with at least 8 seeds, and addcoin payloads whose `path` is absolute
 * (Iguana reads `/<path>/<conf>` and does not expand `~`).
 */
import { describe, expect, it } from 'vitest';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { platformOf, platformText, render } from './helpers.ts';

function files(p: ReturnType<typeof platformOf>): Map<string, string> {
  const r = render(p, ['iguana']);
  return new Map(r.map((a) => [a.path, a.content]));
}

const PK = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';

describe('iguana target', () => {
  it('examples/dev.yaml: an elected file Iguana starts with (8 seeds), one addnotary for them', () => {
    const out = files(platformOf('examples/dev.yaml'));
    const elected = JSON.parse(out.get('hosts/local/home/dPoW/iguana/elected')!);
    expect(elected.seeds.length).toBeGreaterThanOrEqual(8);
    const plan = JSON.parse(out.get('hosts/local/home/.dokomodo/iguana/main/bootstrap.json')!);
    const dialled = plan.steps.filter((s: { step: string }) => s.step === 'addnotary');
    expect(dialled.map((s: { request: { ipaddr: string } }) => s.request.ipaddr)).toEqual(['127.0.0.2']);
  });

  it('every payload path is absolute: the host home, else /root', () => {
    for (const [file, home] of [
      ['examples/dev.yaml', '/root/.dokomodo-dev/komodo'],
      ['examples/komodo-mainnet.yaml', '/home/notary/.'],
    ] as const) {
      const out = files(platformOf(file));
      const coins = [...out].filter(([path]) => /\/coins\/[A-Z0-9_]+\.json$/.test(path));
      expect(coins.length, file).toBeGreaterThan(2);
      for (const [path, text] of coins) {
        const payload = JSON.parse(text) as { path: string; conf: string };
        expect(payload.path, path).not.toContain('~');
        // Written without its leading slash, as the dPoW scripts do (`${HOME#"/"}`).
        expect(`/${payload.path}`.startsWith(home), `${path}: ${payload.path}`).toBe(true);
      }
    }
  });

  it("a chain on another host gets that host's home (and rpchost), a declared home wins", () => {
    const p = platformText(`version: 1
secret: { env: DOKOMODO_SECRET }
defaults: { pubkey: ${PK} }
hosts:
  ig: { address: 10.0.0.1, home: /srv/notary }
  ch: { address: 10.0.0.2, user: kmd }
chains:
  KMD: { host: ig }
  DOC: { host: ch, params: { ac_supply: 1000 } }
iguana:
  main: { host: ig, coins: [KMD, DOC], notaries: n }
notaries:
  n:
    seeds: [10.0.0.1, 10.0.0.1, 10.0.0.1, 10.0.0.1, 10.0.0.1, 10.0.0.1, 10.0.0.1, 10.0.0.1]
    list: [{ name: me_EU, pubkey: ${PK} }]
`);
    const out = files(p);
    const kmd = JSON.parse(out.get('hosts/ig/home/.dokomodo/iguana/main/coins/KMD.json')!);
    const doc = JSON.parse(out.get('hosts/ig/home/.dokomodo/iguana/main/coins/DOC.json')!);
    expect(kmd.path).toBe('srv/notary/.komodo');
    expect(doc.path).toBe('home/kmd/.komodo/DOC');
    expect(doc.rpchost).toBe(`10.0.0.2:${p.chains.find((c) => c.name === 'DOC')!.rpc}`);
  });
});

describe('one address rule for the renderer and the clients', () => {
  it('a chain on a loopback alias (127.0.0.2) is reached there by Iguana (rpchost) and by dokomodo', async () => {
    const p = platformText(`version: 1
secret: { env: DOKOMODO_SECRET }
defaults: { pubkey: ${PK} }
hosts:
  local: { address: 127.0.0.1 }
  alias: { address: 127.0.0.2 }
  named: { address: localhost }
chains:
  KMD: { host: local }
  DOC: { host: alias, params: { ac_supply: 1000 } }
  MARTY: { host: named, params: { ac_supply: 2000 } }
iguana:
  main: { host: local, coins: [KMD, DOC, MARTY], notaries: n }
notaries:
  n:
    seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1]
    list: [{ name: me_EU, pubkey: ${PK} }]
`);
    const out = files(p);
    for (const [name, address] of [
      ['DOC', '127.0.0.2'],
      ['MARTY', '127.0.0.1'],
    ] as const) {
      const chain = p.chains.find((c) => c.name === name)!;
      const payload = JSON.parse(out.get(`hosts/local/home/.dokomodo/iguana/main/coins/${name}.json`)!);
      expect(payload.rpchost).toBe(`${address}:${chain.rpc}`);
      const client = memoryRuntime(p, { secret: 'a-secret' }).clients.chain(chain);
      expect(client.origin).toBe(`http://${payload.rpchost}`);
      await client.close();
    }
    // Iguana binds 127.0.0.1 only: an instance on this machine is called there.
    expect(memoryRuntime(p, { secret: 'a-secret' }).clients.iguana(p.iguana[0]!).host).toBe('127.0.0.1');
  });
});

describe('the unlock timeout', () => {
  const yaml = (unlock: string) => `version: 1
secret: { env: DOKOMODO_SECRET }
defaults: { pubkey: ${PK} }
chains:
  KMD: {}
iguana:
  main: { coins: [KMD], notaries: n${unlock} }
notaries:
  n:
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list: [{ name: me_EU, pubkey: ${PK} }]
`;
  const timeoutOf = (p: ReturnType<typeof platformText>) => {
    const plan = JSON.parse(files(p).get('hosts/local/home/.dokomodo/iguana/main/bootstrap.json')!);
    return plan.steps.find((s: { step: string }) => s.step === 'walletpassphrase').timeout;
  };

  it("is dPoW's 9999999 s by default and what `unlock` says otherwise", () => {
    expect(timeoutOf(platformText(yaml('')))).toBe(9_999_999);
    expect(timeoutOf(platformText(yaml(', unlock: 24h')))).toBe(86_400);
  });

  it('0 is refused (Iguana: "timeout must be positive")', () => {
    const r = loadPlatformText('/work/test.yaml', yaml(', unlock: 0'));
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['out-of-range', 'error']]);
  });
});
