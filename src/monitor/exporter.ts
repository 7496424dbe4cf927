/**
 * The monitor's Prometheus side: one prom-client Registry holding exactly the metrics of the
 * contract (contract/metrics.ts), refreshed from each poll's snapshot; app.ts serves it.
 */
import { Gauge, Registry } from 'prom-client';
import type { MetricView, Series } from '../contract/alerts.ts';
import type { Platform } from '../platform/model.ts';
import { blockIntervalSeconds, METRICS, notarizationActive } from '../contract/metrics.ts';
import type { Snapshot } from './poller.ts';

export class Exporter {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge>();
  /** The same values as the gauges, for the monitor's own alert evaluation. */
  private values = new Map<string, Series[]>();
  private last: Snapshot | undefined;

  constructor(private readonly platform: Platform) {
    for (const m of METRICS) {
      // The contract lists gauges only; a spec of another type would be a contract change here too.
      const g = new Gauge({
        name: m.name,
        help: m.help,
        labelNames: [...m.labels],
        registers: [this.registry],
      });
      this.gauges.set(m.name, g);
    }
  }

  private gauge(name: string): Gauge {
    const g = this.gauges.get(name);
    if (!g) throw new Error(`metric ${name} is not in the contract`);
    return g;
  }

  /** Replaces every series with the snapshot's values: series of chains that went down disappear. */
  update(s: Snapshot): void {
    this.last = s;
    this.text = undefined;
    for (const g of this.gauges.values()) g.reset();
    const values = new Map<string, Series[]>();
    const iguanaCoins = new Set(this.platform.iguana.flatMap((g) => g.coins));
    const set = (name: string, labels: Record<string, string>, value: number | undefined) => {
      // +Inf is a value (days left when nothing is spent); NaN and undefined are not
      if (value === undefined || Number.isNaN(value)) return;
      this.gauge(name).set(labels, value);
      const list = values.get(name);
      if (list) list.push({ labels, value });
      else values.set(name, [{ labels, value }]);
    };
    for (const c of s.chains) {
      const l = { chain: c.chain.name, host: c.chain.host ?? 'local' };
      set('dokomodo_chain_info', { ...l, kind: c.chain.kind, symbol: c.chain.symbol }, 1);
      set('dokomodo_chain_up', l, c.up ? 1 : 0);
      set('dokomodo_chain_block_interval_seconds', l, blockIntervalSeconds(c.chain));
      set('dokomodo_chain_notarization_enabled', l, notarizationActive(c.chain, iguanaCoins) ? 1 : 0);
      set('dokomodo_chain_split_threshold', l, c.chain.notarization.splitThreshold);
      set('dokomodo_chain_rpc_duration_seconds', l, c.rpcSeconds);
      set('dokomodo_chain_disk_free_ratio', l, c.diskFree);
      if (!c.up) continue;
      set('dokomodo_chain_blocks', l, c.blocks);
      set('dokomodo_chain_longest_chain', l, c.longestChain);
      set('dokomodo_chain_connections', l, c.connections);
      set('dokomodo_chain_tip_timestamp_seconds', l, c.tipTime);
      set('dokomodo_chain_notarized_height', l, c.notarized);
      set('dokomodo_chain_last_notarization_timestamp_seconds', l, c.lastNotarization);
      set('dokomodo_chain_notarization_utxos', l, c.utxos);
      set('dokomodo_chain_balance_coins', l, c.balance);
      set('dokomodo_chain_funds_left_seconds', l, c.fundsLeftSeconds);
      set('dokomodo_chain_time_offset_seconds', l, c.timeOffset);
    }
    for (const g of s.iguana) {
      const l = { iguana: g.instance.name, host: g.instance.host ?? 'local' };
      set('dokomodo_iguana_up', l, g.up ? 1 : 0);
      if (g.up) set('dokomodo_iguana_notary_peers', l, g.peers);
    }
    for (const l of s.logs ?? []) {
      set(
        'dokomodo_chain_log_pattern_last_seen_timestamp_seconds',
        { chain: l.chain.name, host: l.chain.host ?? 'local', pattern: l.pattern, level: l.level },
        l.lastSeen,
      );
    }
    set('dokomodo_poll_timestamp_seconds', {}, s.at);
    set('dokomodo_poll_duration_seconds', {}, s.durationSeconds);
    this.values = values;
  }

  private text: Promise<Uint8Array<ArrayBuffer>> | undefined;

  /**
   * The exposition of the last update as bytes, rendered and encoded once per update however
   * often and by however many scrapers it is read.
   */
  metricsBytes(): Promise<Uint8Array<ArrayBuffer>> {
    this.text ??= this.registry.metrics().then((t) => new TextEncoder().encode(t));
    return this.text;
  }

  /** The values of the last update, as the rules of contract/alerts.ts read them. */
  view(): MetricView {
    const values = this.values;
    return { series: (name) => values.get(name) ?? [] };
  }

  get snapshot(): Snapshot | undefined {
    return this.last;
  }
}
