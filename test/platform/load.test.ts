import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryHost } from '../../src/core/host.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { selectChains, selectEnvironment } from '../../src/platform/select.ts';
import { platformJsonSchema } from '../../src/platform/schema.ts';
import { scaleYaml } from '../../examples/scale/generate.mjs';

/** Iguana's minimum: an elected file with fewer seeds does not start. */
const SEEDS8 = Array.from({ length: 8 }, (_, i) => `198.51.100.${i + 1}`);

function load(yaml: string, files: Record<string, string> = {}) {
  return loadPlatformText('/work/p.yaml', yaml, { reader: memoryHost(files) });
}

describe('the example platforms', () => {
  it('examples/dev.yaml loads without diagnostics', () => {
    const r = loadPlatformFile('examples/dev.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.platform!.chains.length).toBeGreaterThan(3);
  });
  it('examples/komodo-mainnet.yaml loads with one warning: the operator’s pubkey is not set', () => {
    const r = loadPlatformFile('examples/komodo-mainnet.yaml');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['notary-pubkey-unset', 'warning']]);
    expect(r.platform!.chains.length).toBeGreaterThan(3);
  });

  it('the fast and the positioned YAML readings give the same platform', () => {
    for (const f of ['examples/dev.yaml', 'examples/komodo-mainnet.yaml']) {
      const text = readFileSync(f, 'utf8');
      const fast = loadPlatformText(f, text, { reader: memoryHost({}) });
      const slow = loadPlatformText(f, text, { reader: memoryHost({}), positionedOnly: true });
      expect(fast.platform).toBeDefined();
      expect(fast).toEqual(slow);
    }
    const scale = scaleYaml(256, 4);
    expect(loadPlatformText('s.yaml', scale)).toEqual(
      loadPlatformText('s.yaml', scale, { positionedOnly: true }),
    );
  });

  it('mainnet chains have the published ports and netmagic', () => {
    const p = loadPlatformFile('examples/komodo-mainnet.yaml').platform!;
    const by = Object.fromEntries(p.chains.map((c) => [c.name, c]));
    expect([by.KMD!.p2p, by.KMD!.rpc, by.KMD!.netmagic]).toEqual([7770, 7771, 'f9eee48d']);
    expect([by.PIRATE!.p2p, by.PIRATE!.rpc, by.PIRATE!.netmagic]).toEqual([45452, 45453, '58e0b617']);
    expect([by.ILN!.p2p, by.ILN!.netmagic]).toEqual([12985, 'feb4cb23']);
    expect([by.MCL!.p2p, by.MCL!.netmagic, by.MCL!.rules]).toEqual([33824, '4cc8719b', 'marmara']);
    expect([by.LTC!.kind, by.LTC!.p2p, by.LTC!.rpc, by.LTC!.confName, by.LTC!.datadir]).toEqual([
      'coin',
      9333,
      9332,
      'litecoin.conf',
      '~/.litecoin',
    ]);
    expect([by.KMD_3P!.kind, by.KMD_3P!.symbol, by.KMD_3P!.host]).toEqual(['kmd', 'KMD', 'nn-3p']);
  });

  it('launch arguments follow komodod spelling and file order', () => {
    const p = loadPlatformFile('examples/komodo-mainnet.yaml').platform!;
    const ccl = p.chains.find((c) => c.name === 'CCL')!;
    expect(ccl.launchArgs).toEqual([
      '-ac_name=CCL',
      '-ac_supply=200000000',
      '-ac_end=1',
      '-ac_cc=2',
      '-addressindex=1',
      '-spentindex=1',
      ...['209.222.101.247', '103.195.100.32', '142.93.136.89', '195.201.22.89', '15.235.204.174'].map(
        (a) => `-addnode=${a}`,
      ),
      ...['148.113.1.52', '65.21.77.109', '89.19.26.211', '89.19.26.212'].map((a) => `-addnode=${a}`),
    ]);
    const thc = p.chains.find((c) => c.name === 'THC')!;
    expect(thc.launchArgs).toContain(
      '-ac_reward=360000000,300000000,240000000,180000000,150000000,90000000,0',
    );
  });
});

describe('normalization', () => {
  it('applies defaults to the minimal form of the issue', () => {
    const r = load(
      'version: 1\nchains:\n  KMD: {}\n  DOC:\n    params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 }\n',
    );
    expect(r.diagnostics).toEqual([]);
    const p = r.platform!;
    expect(p.secret).toEqual({ env: 'DOKOMODO_SECRET' });
    const doc = p.chains[1]!;
    expect(doc).toMatchObject({
      name: 'DOC',
      kind: 'assetchain',
      acName: 'DOC',
      datadir: '~/.komodo/DOC',
      confName: 'DOC.conf',
      customDatadir: false,
      host: undefined,
    });
    expect(doc.notarization).toEqual({
      enabled: true,
      utxoValue: 10000,
      splitThreshold: 20,
      splitTarget: 50,
    });
    expect(p.defaults.rpc).toEqual({
      bind: '127.0.0.1',
      allowip: ['127.0.0.1'],
      workqueue: 256,
      threads: undefined,
    });
    expect(p.defaults.start).toEqual({ concurrency: 4, timeoutMs: 300000 });
  });

  it('a null chain entry means all defaults', () => {
    const r = load('version: 1\nchains:\n  KMD:\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.platform!.chains[0]!.kind).toBe('kmd');
  });

  it('ac_name in params gives two chains of one name their own symbol and datadir', () => {
    const r = load(
      'version: 1\nchains:\n  GLEEC:\n    params: { ac_supply: 210000000, ac_public: 1, ac_staked: 100 }\n  GLEEC_OLD:\n    params: { ac_name: GLEEC, ac_supply: 21000000, ac_public: 1, ac_staked: 100 }\n    datadir: ~/.komodo/GLEEC_OLD\n',
    );
    expect(r.diagnostics).toEqual([]);
    const old = r.platform!.chains[1]!;
    expect([old.symbol, old.acName, old.confName, old.customDatadir, old.p2p]).toEqual([
      'GLEEC_OLD',
      'GLEEC',
      'GLEEC.conf',
      true,
      33300,
    ]);
    expect(old.launchArgs).toContain('-datadir=~/.komodo/GLEEC_OLD');
  });

  it('ports with override are used as given', () => {
    const r = load(
      'version: 1\nchains:\n  KMD_3P:\n    coin: KMD\n    datadir: ~/.komodo_3p\n    ports: { p2p: 8770, rpc: 8771, override: true }\n',
    );
    expect(r.diagnostics).toEqual([]);
    const c = r.platform!.chains[0]!;
    expect([c.p2p, c.rpc, c.portsOverridden, c.customDatadir]).toEqual([8770, 8771, true, true]);
    expect(c.launchArgs).toEqual(['-datadir=~/.komodo_3p', '-port=8770']);
  });

  it('large-UTXO coins default to 0.001 notarization UTXOs', () => {
    const r = load('version: 1\nchains:\n  KMD: {}\n  EMC2: { coin: EMC2 }\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.platform!.chains[1]!.notarization.utxoValue).toBe(100000);
  });

  it('reads notary lists from Iguana elected files and flat files', () => {
    const pk = (n: number) => `02${n.toString(16).padStart(64, '0')}`;
    const elected = JSON.stringify({
      port: 13848,
      BTCminsigs: 13,
      minsigs: 11,
      seeds: SEEDS8,
      notaries: [{ a_EU: pk(1) }, { b_NA: pk(2) }],
    });
    const flat = JSON.stringify({ c_AR: pk(3) });
    const r = load(
      'version: 1\nchains:\n  KMD: {}\nnotaries:\n  main: { file: elected }\n  flat: { file: /etc/flat.json, minsigs: 1 }\niguana:\n  main: { coins: [KMD], notaries: main }\n',
      { '/work/elected': elected, '/etc/flat.json': flat },
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['notary-pubkey-unset']);
    const [main, fl] = r.platform!.notaries;
    expect([main!.port, main!.minsigs, main!.seeds, main!.notaries.map((n) => n.name)]).toEqual([
      13848,
      11,
      SEEDS8,
      ['a_EU', 'b_NA'],
    ]);
    expect([fl!.minsigs, fl!.notaries[0]!.pubkey]).toEqual([1, pk(3)]);
    expect(r.platform!.iguana[0]).toMatchObject({ port: 7776, mode: 'main', workdir: '~/dPoW/iguana' });
  });

  it('warns when the notary pubkey is not elected', () => {
    const r = load(
      `version: 1\ndefaults: { pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }\nchains:\n  KMD: {}\niguana:\n  main: { coins: [KMD], notaries: s8 }\nnotaries:\n  s8: { season: 8, seeds: [${SEEDS8.join(', ')}] }\n`,
    );
    expect(r.platform).toBeDefined();
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['elected-lacks-pubkey', 'warning']]);
  });

  it('parameters komodod silently changes are warnings, the file still loads', () => {
    const r = load(
      'version: 1\nchains:\n  DOC:\n    params: { ac_supply: 5, ac_public: 1, ac_staked: 150 }\n',
    );
    expect(r.platform).toBeDefined();
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.pos?.line])).toEqual([
      ['param-normalised', 'warning', 4],
    ]);
  });

  it('YAML anchors and merge keys work for shared chain settings', () => {
    const r = load(
      'version: 1\nx-common: &common { host: a, addnode: [198.51.100.7] }\nhosts:\n  a: { address: 198.51.100.1 }\nchains:\n  KMD: *common\n',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.platform!.chains[0]).toMatchObject({ host: 'a', addnode: ['198.51.100.7'] });
  });
});

describe('environments and targets', () => {
  const p = loadPlatformFile('examples/komodo-mainnet.yaml').platform!;
  it('selects by host', () => {
    const s = selectEnvironment(p, 'main');
    expect(s.chains.every((c) => c.host === 'nn-main')).toBe(true);
    expect(s.hosts.map((h) => h.name)).toEqual(['nn-main']);
  });
  const byList = load(
    'version: 1\nchains:\n  KMD: {}\n  DOC: { params: { ac_supply: 1000 } }\n  MARTY: { params: { ac_supply: 2000 } }\nenvironments:\n  testnet: { chains: [MARTY, KMD] }\n',
  ).platform!;
  it('selects by chain list', () => {
    expect(selectEnvironment(byList, 'testnet').chains.map((c) => c.name)).toEqual(['KMD', 'MARTY']);
  });
  it('unknown environment is a usage error with a hint', () => {
    expect(() => selectEnvironment(p, 'prodution')).toThrowError(/prodution/);
    try {
      selectEnvironment(p, 'prodution');
    } catch (e) {
      expect((e as { hint: string }).hint).toContain('production');
    }
  });
  it('resolves chain targets, lists and environments', () => {
    const all = selectEnvironment(p, undefined);
    expect(selectChains(p, all, ['KMD,PIRATE']).map((c) => c.name)).toEqual(['KMD', 'PIRATE']);
    expect(selectChains(p, all, ['third-party']).map((c) => c.name)).toEqual(['KMD_3P', 'MCL', 'TOKEL']);
    expect(selectChains(p, all, ['all']).length).toBe(p.chains.length);
    expect(() => selectChains(p, all, ['PIRAT'])).toThrowError(/PIRAT/);
  });
});

describe('the scale catalogue', () => {
  it('8192 chains on 64 hosts load, every declared port equal to the computed one', () => {
    const r = loadPlatformText('scale.yaml', scaleYaml(8192, 64));
    expect(r.diagnostics).toEqual([]);
    expect(r.platform!.chains.length).toBe(8192);
    expect(new Set(r.platform!.chains.map((c) => c.host)).size).toBe(64);
  });
});

describe('JSON Schema', () => {
  it('the committed schema/dokomodo.schema.json equals the generated one', () => {
    const committed = JSON.parse(readFileSync('schema/dokomodo.schema.json', 'utf8'));
    expect(committed).toEqual(platformJsonSchema());
  });
  it('describes every top-level key', () => {
    const s = platformJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(s.properties).sort()).toEqual([
      'alerts',
      'chains',
      'defaults',
      'environments',
      'hosts',
      'iguana',
      'notaries',
      'secret',
      'version',
    ]);
  });
});

describe('docs/platform-file.md', () => {
  const doc = readFileSync('docs/platform-file.md', 'utf8');
  it('describes every key of the schema', () => {
    const keys = new Set<string>();
    const walk = (s: unknown): void => {
      if (!s || typeof s !== 'object') return;
      const o = s as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') {
        for (const [k, v] of Object.entries(o.properties)) {
          keys.add(k);
          walk(v);
        }
      }
      for (const k of ['additionalProperties', 'items']) walk(o[k]);
      for (const k of ['anyOf', 'oneOf', 'allOf'])
        if (Array.isArray(o[k])) for (const x of o[k] as unknown[]) walk(x);
    };
    walk(platformJsonSchema());
    const missing = [...keys].filter(
      (k) => !doc.includes(`\`${k}\``) && !doc.includes(`${k}:`) && !doc.includes(`.${k}\``),
    );
    expect(missing).toEqual([]);
  });
  it('lists every diagnostic code the loader can emit', () => {
    const steps = readdirSync('src/platform/normalize').map((f) => `normalize/${f}`);
    const src = ['load.ts', 'normalize.ts', ...steps, 'zod-diagnostics.ts', 'index.ts']
      .map((f) => readFileSync(`src/platform/${f}`, 'utf8'))
      .join('\n');
    const codes = new Set(
      [...src.matchAll(/(?:err|warn|diag(?:nostic)?)\(\s*'([a-z-]+)'/g)].map((m) => m[1]!),
    );
    codes.add('duplicate-key');
    expect(codes.size).toBeGreaterThan(25);
    expect([...codes].filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });
  it('lists every assetchain parameter', async () => {
    const { AC_PARAMS } = await import('../../src/komodo/params.ts');
    expect(Object.keys(AC_PARAMS).filter((p) => !new RegExp(`\\|\\s*\`${p}\`\\s*\\|`).test(doc))).toEqual([]);
  });
});
