/**
 * The monitor's Prometheus side: exactly the metrics of the contract (contract/metrics.ts),
 * refreshed from each poll's snapshot; app.ts serves them.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { MetricView, Series } from '../contract/alerts.ts';
import type { Platform } from '../platform/model.ts';
import { blockIntervalSeconds, METRICS, notarizationActive } from '../contract/metrics.ts';
import type { Snapshot } from './poller.ts';

const gzipAsync = promisify(gzip);

/** The text exposition format's content type (what Prometheus asks for and prom-client sends). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `\` and newlines escaped, as the text format wants in HELP; label values also escape `"`. */
const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => escapeHelp(s).replace(/"/g, '\\"');

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/**
 * The values of each poll as the contract's gauges, and their text exposition. The exposition is
 * written here, straight from the poll's values (byte for byte what prom-client writes for the
 * same gauges: test/monitor/exposition.test.ts), once per poll however many scrapers read it;
 * building 25,000 prom-client series and rendering them cost 40–100 ms of event loop per poll
 * at 1000 chains, which every request waiting at that moment paid.
 */
export class Exporter {
  /** The same values as the exposition, for the monitor's own alert evaluation. */
  private values = new Map<string, Series[]>();
  private last: Snapshot | undefined;
  private text: string | undefined;
  private bytes: Uint8Array<ArrayBuffer> | undefined;
  private gzipped: Promise<Uint8Array> | undefined;

  constructor(private readonly platform: Platform) {}

  /** Replaces every series with the snapshot's values: series of chains that went down disappear. */
  update(s: Snapshot): void {
    this.last = s;
    this.text = undefined;
    this.bytes = undefined;
    this.gzipped = undefined;
    const values = new Map<string, Series[]>();
    const iguanaCoins = new Set(this.platform.iguana.flatMap((g) => g.coins));
    const set = (name: string, labels: Record<string, string>, value: number | undefined) => {
      // +Inf is a value (days left when nothing is spent); NaN and undefined are not
      if (value === undefined || Number.isNaN(value)) return;
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

  /** The exposition of the last update (before any: the contract's metrics without series). */
  metricsText(): string {
    if (this.text !== undefined) return this.text;
    const parts: string[] = [];
    for (const m of METRICS) {
      const lines = [`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} gauge`];
      const series = this.values.get(m.name);
      if (series) {
        for (const x of series) {
          let labels = '';
          for (const k in x.labels) labels += `${labels ? ',' : ''}${k}="${escapeLabel(x.labels[k]!)}"`;
          lines.push(`${m.name}${labels ? `{${labels}}` : ''} ${valueText(x.value)}`);
        }
      } else if (m.labels.length === 0) {
        // a gauge without labels always has its one series (0 until set)
        lines.push(`${m.name} 0`);
      }
      parts.push(lines.join('\n'));
    }
    this.text = `${parts.join('\n\n')}\n`;
    return this.text;
  }

  /** The exposition as bytes, encoded once per update. */
  metricsBytes(): Uint8Array<ArrayBuffer> {
    this.bytes ??= new TextEncoder().encode(this.metricsText());
    return this.bytes;
  }

  /**
   * The exposition gzip-compressed (Prometheus scrapes with `Accept-Encoding: gzip`), made once
   * per update off the event loop (zlib's thread pool).
   */
  metricsGzip(): Promise<Uint8Array> {
    this.gzipped ??= gzipAsync(this.metricsBytes(), { level: 6 });
    return this.gzipped;
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
