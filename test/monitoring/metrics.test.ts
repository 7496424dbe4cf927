/** The metric contract itself: well-formed names, labels and help, and the values defined by code. */
import { describe, expect, it } from 'vitest';
import {
  BANDS,
  blockIntervalSeconds,
  CHAIN_LABELS,
  EXTERNAL_METRICS,
  METRICS,
  metricSpec,
  notarizationActive,
} from '../../src/contract/metrics.ts';
import { platformOf, platformText } from './helpers.ts';

describe('METRICS', () => {
  it('names are unique, prefixed and follow Prometheus naming', () => {
    const names = METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of METRICS) {
      expect(m.name).toMatch(/^dokomodo_(chain|iguana|poll)_[a-z_]+$/);
      if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
      else expect(m.name).not.toMatch(/_total$/);
      if (m.name.includes('timestamp') || m.name.includes('duration') || m.name.includes('interval'))
        expect(m.name).toMatch(/_seconds$/);
    }
    expect(names.filter((n) => EXTERNAL_METRICS.some((e) => e.name === n))).toEqual([]);
  });

  it('help is one line without a trailing period; labels are valid and never Prometheus-owned', () => {
    for (const m of METRICS) {
      expect(m.help).not.toMatch(/[\n\\]|\.$/);
      expect(m.help.length).toBeGreaterThan(10);
      for (const l of m.labels) {
        expect(l).toMatch(/^[a-z][a-z_]*$/);
        // `instance` and `job` come from the scrape target; a metric label would collide.
        expect(['instance', 'job', 'env']).not.toContain(l);
      }
      if (m.subject === 'chain') expect(m.labels.slice(0, 2)).toEqual([...CHAIN_LABELS]);
      if (m.subject === 'iguana') expect(m.labels).toEqual(['iguana', 'host']);
      if (m.subject === 'monitor') expect(m.labels).toEqual([]);
    }
  });

  it('holds what the rules and the brief name', () => {
    for (const n of [
      'dokomodo_chain_up',
      'dokomodo_chain_blocks',
      'dokomodo_chain_longest_chain',
      'dokomodo_chain_connections',
      'dokomodo_chain_notarized_height',
      'dokomodo_chain_last_notarization_timestamp_seconds',
      'dokomodo_chain_notarization_utxos',
      'dokomodo_chain_split_threshold',
      'dokomodo_chain_balance_coins',
      'dokomodo_chain_rpc_duration_seconds',
      'dokomodo_iguana_up',
      'dokomodo_poll_timestamp_seconds',
    ])
      expect(metricSpec(n), n).toBeDefined();
    // Only the up flags and the platform's own values survive a chain that does not answer.
    expect(METRICS.filter((m) => m.subject === 'chain' && !m.onlyWhenUp).map((m) => m.name)).toEqual([
      'dokomodo_chain_info',
      'dokomodo_chain_up',
      'dokomodo_chain_block_interval_seconds',
      'dokomodo_chain_notarization_enabled',
      'dokomodo_chain_split_threshold',
      'dokomodo_chain_rpc_duration_seconds',
    ]);
  });

  it('bands are the dPoW status bands and dragon_node colours', () => {
    expect(BANDS.notarizationIrregularSeconds).toBe(9000);
    expect(BANDS.notarizationInactiveSeconds).toBe(86400);
    expect([BANDS.utxoRed, BANDS.utxoYellow]).toEqual([5, 10]);
    expect(BANDS.stuckIntervals * 60).toBe(30 * 60);
  });
});

describe('values the monitor derives from the platform', () => {
  it('block interval: ac_blocktime, else 60; KMD 60; BTC 600, LTC 150', () => {
    const p = platformText(
      [
        'version: 1',
        'chains:',
        '  KMD: {}',
        '  LTC: { coin: LTC }',
        '  BTC: { coin: BTC }',
        '  SLOW: { params: { ac_supply: 1000, ac_blocktime: 180 } }',
        '  PLAIN: { params: { ac_supply: 1000 } }',
      ].join('\n'),
    );
    const by = Object.fromEntries(p.chains.map((c) => [c.name, blockIntervalSeconds(c)]));
    expect(by).toEqual({ KMD: 60, LTC: 150, BTC: 600, SLOW: 180, PLAIN: 60 });
  });

  it('notarization is active for enabled chains that an Iguana instance dPoWs', () => {
    const p = platformOf('examples/komodo-mainnet.yaml');
    const coins = new Set(p.iguana.flatMap((g) => g.coins));
    const active = p.chains.filter((c) => notarizationActive(c, coins)).map((c) => c.name);
    expect(active).toContain('KMD');
    expect(active).toContain('MCL');
    const off = platformText(
      [
        'version: 1',
        'chains:',
        '  KMD: {}',
        '  DOC: { params: { ac_supply: 1000 }, notarization: { enabled: false } }',
        '  LONE: { params: { ac_supply: 2000 } }',
        'iguana:',
        '  main: { coins: [KMD, DOC], notaries: s8 }',
        'notaries:',
        '  s8: { season: 8, seeds: [198.51.100.1, 198.51.100.2, 198.51.100.3, 198.51.100.4, 198.51.100.5, 198.51.100.6, 198.51.100.7, 198.51.100.8] }',
      ].join('\n'),
    );
    const offCoins = new Set(off.iguana.flatMap((g) => g.coins));
    expect(off.chains.map((c) => [c.name, notarizationActive(c, offCoins)])).toEqual([
      ['KMD', true],
      ['DOC', false],
      ['LONE', false],
    ]);
  });
});
