/**
 * A notary node's daemons: -pubkey on every Komodo-family daemon and never on litecoind (0.21
 * refuses it), -notary on the KMD whose Iguana notarizes LTC, the per-chain daemon binary in every
 * place that starts a chain, and the warnings of an unset or unelected pubkey.
 */
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { describe, expect, it } from 'vitest';
import { chainArgv } from '../../src/compiler/renderers/entrypoint.ts';
import { SEASONS } from '../../src/komodo/seasons.ts';
import { command, localChain } from '../../src/operator/daemon/local.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import { render } from '../compiler/helpers.ts';
import { dokomodo } from '../cli/helpers.ts';

const PUBKEY = SEASONS['8']!.notaries[5]!.pubkey;
const platform = (extra: { defaults?: string; chains?: string; iguana?: string } = {}) => {
  const r = loadPlatformText(
    '/work/p.yaml',
    `version: 1
defaults: { ${extra.defaults ?? `pubkey: "${PUBKEY}"`}, binaries: { marmarad: /opt/marmara/marmarad } }
hosts:
  a: { address: 127.0.0.1 }
  b: { address: 127.0.0.2 }
defaults_host: null
chains:
  KMD: { host: a }
${extra.chains ?? '  LTC: { host: a, coin: LTC }'}
  MCL:
    host: a
    rules: marmara
    daemon: { binary: marmarad, cli: marmara-cli }
    params: { ac_supply: 2000000, ac_cc: 2, ac_marmara: 1, ac_staked: 75, ac_reward: 3000000000 }
iguana:
  main: { host: a, coins: [KMD, LTC, MCL], notaries: s8 }
notaries:
  s8: { season: 8 }
`.replace('defaults_host: null\n', ''),
  );
  return r;
};

describe('a notary node', () => {
  it('KMD gets -pubkey and -notary=<LTC conf relative to $HOME>; LTC gets no -pubkey', () => {
    const r = platform();
    expect(r.diagnostics).toEqual([]);
    const p = r.platform!;
    const kmd = p.chains.find((c) => c.name === 'KMD')!;
    expect(kmd.launchArgs).toEqual([`-pubkey=${PUBKEY}`, '-notary=.litecoin/litecoin.conf']);
    const ltc = p.chains.find((c) => c.name === 'LTC')!;
    expect(ltc.launchArgs.some((a) => a.startsWith('-pubkey'))).toBe(false);
    expect(p.chains.find((c) => c.name === 'MCL')!.launchArgs).toContain(`-pubkey=${PUBKEY}`);
  });

  it('an explicit args.notary wins; LTC on another host or elsewhere than ~ gives no -notary', () => {
    const own = platform({ chains: '  LTC: { host: a, coin: LTC }' }).platform!;
    expect(own.chains[0]!.launchArgs.filter((a) => a.startsWith('-notary'))).toHaveLength(1);
    const explicit = loadPlatformText(
      '/work/p.yaml',
      `version: 1\ndefaults: { pubkey: "${PUBKEY}" }\nchains:\n  KMD: { args: { notary: .ltc/litecoin.conf } }\n  LTC: { coin: LTC }\niguana:\n  main: { coins: [KMD, LTC], notaries: s8 }\nnotaries:\n  s8: { season: 8 }\n`,
    ).platform!;
    expect(explicit.chains[0]!.launchArgs).toEqual(['-notary=.ltc/litecoin.conf', `-pubkey=${PUBKEY}`]);
    const away = platform({ chains: '  LTC: { host: b, coin: LTC }' }).platform!;
    expect(away.chains[0]!.launchArgs).toEqual([`-pubkey=${PUBKEY}`]);
    const abs = platform({ chains: '  LTC: { host: a, coin: LTC, datadir: /srv/ltc }' }).platform!;
    expect(abs.chains[0]!.launchArgs).toEqual([`-pubkey=${PUBKEY}`]);
  });

  it('no pubkey: a warning with its code, and no -pubkey/-notary anywhere', () => {
    const r = platform({ defaults: 'datadir: ~/.komodo' });
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['notary-pubkey-unset', 'warning']]);
    expect(
      r.platform!.chains.flatMap((c) => c.launchArgs).filter((a) => /^-(pubkey|notary)=/.test(a)),
    ).toEqual([]);
  });

  it('a pubkey outside the elected list: elected-lacks-pubkey', () => {
    const r = platform({ defaults: `pubkey: "02${'a'.repeat(64)}"` });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['elected-lacks-pubkey']);
  });
});

describe('daemon: a chain on its own build', () => {
  const p = platform().platform!;
  const mcl = p.chains.find((c) => c.name === 'MCL')!;
  it('start runs the binary of defaults.binaries', () => {
    const cmd = command(localChain(mcl, {}), { runtime: memoryRuntime(p, { secret: 'x'.repeat(32) }) });
    expect(cmd.file).toBe('/opt/marmara/marmarad');
    expect(cmd.args[0]).toBe('-ac_name=MCL');
    // The fork keeps komodod's layout: the same data directory, conf and pid file.
    expect(localChain(mcl, {}).pidFile.endsWith('/.komodo/MCL/komodod.pid')).toBe(true);
  });
  it('containers exec it; ansible installs it', () => {
    expect(chainArgv(mcl)[0]).toBe('marmarad');
    const files = render(p, ['ansible']);
    const host = files.find((a) => /ansible\/host_vars\/a\.ya?ml$/.test(a.path))!.content;
    expect(host).toMatch(/dokomodo_binaries_needed:\n(?: {2}- .*\n)*? {2}- marmarad\n {2}- marmara-cli\n/);
    const all = files.find((a) => a.path === 'ansible/group_vars/all.yml')!.content;
    expect(all).toContain('marmarad: /opt/marmara/marmarad');
    expect(all).toContain('marmara-cli: marmara-cli');
  });
});

describe('YAML merge keys, as docs/platform-file.md says', () => {
  const text = `version: 1
x-common: &common
  host: h1
  params: { ac_supply: 1000, ac_cc: 2 }
x-policy: &policy { split_threshold: 10, split_target: 40 }
hosts:
  h1: { address: 127.0.0.1 }
chains:
  KMD: {}
  DOC:
    <<: *common
    notarization: { <<: *policy, utxo_value: 20000 }
  MARTY:
    <<: *common
    params: { ac_supply: 2000 }
`;
  it('the fast and the positioned reading both merge', () => {
    for (const positionedOnly of [false, true]) {
      const r = loadPlatformText('/work/m.yaml', text, { positionedOnly });
      expect(r.diagnostics).toEqual([]);
      const doc = r.platform!.chains.find((c) => c.name === 'DOC')!;
      expect([doc.host, doc.params, doc.notarization]).toEqual([
        'h1',
        { ac_supply: '1000', ac_cc: '2' },
        { enabled: true, utxoValue: 20000, splitThreshold: 10, splitTarget: 40 },
      ]);
      // A key of the mapping itself replaces the merged one (YAML merges are shallow).
      expect(r.platform!.chains.find((c) => c.name === 'MARTY')!.params).toEqual({ ac_supply: '2000' });
    }
  });
  it('through validate', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'dokomodo-merge-')), 'dokomodo.yaml');
    writeFileSync(file, text);
    const r = dokomodo(['validate', '-f', file]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('3 chains, 1 host');
  });
});
