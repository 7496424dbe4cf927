/**
 * The metric contract between the dokomodo monitor (which serves these on `/metrics`) and the
 * configuration `dokomodo render` generates for Prometheus, Alertmanager and Grafana (which only
 * reads them). Pure data: the monitor builds its registry from {@link METRICS}, the monitoring
 * renderer writes rules and dashboards against it, and docs/monitoring.md is checked against it.
 *
 * Per-chain thresholds (split threshold, target block interval) are exported as metrics rather
 * than baked into rules, so the rules stay a fixed handful of expressions for 8192 chains.
 */
import { normalizeParams } from '../komodo/params.ts';
import type { ChainModel } from '../platform/model.ts';

export type MetricType = 'gauge' | 'counter' | 'histogram';

/** What one series of a metric stands for. */
export type MetricSubject = 'chain' | 'local chain' | 'iguana' | 'monitor' | 'filesystem' | 'target';

export interface MetricSpec {
  name: string;
  type: MetricType;
  /** The `# HELP` line: one line, no trailing period. */
  help: string;
  /** Label names, in the order the monitor declares them. */
  labels: readonly string[];
  /** One series per chain of the platform, per Iguana instance, or one for the monitor itself. */
  subject: MetricSubject;
  /**
   * True when the series exists only while its chain answered the last poll. A chain that does not
   * answer keeps `dokomodo_chain_up 0` and its static metrics; its state metrics disappear rather
   * than repeat old values, so a down chain raises one alert, not five.
   */
  onlyWhenUp: boolean;
  /** Where the value comes from: the RPC call or the platform file key. */
  source: string;
}

/** Labels of every per-chain series: the platform's chain name and the host it runs on (`local` without hosts). */
export const CHAIN_LABELS = ['chain', 'host'] as const;
/**
 * Labels of every per-Iguana series. `iguana`, not `instance`: Prometheus owns `instance` (the
 * scrape target), and a metric label of that name would collide with it.
 */
export const IGUANA_LABELS = ['iguana', 'host'] as const;

function chainMetric(
  name: string,
  help: string,
  source: string,
  opts: { onlyWhenUp?: boolean; labels?: readonly string[] } = {},
): MetricSpec {
  return {
    name,
    type: 'gauge',
    help,
    labels: opts.labels ?? CHAIN_LABELS,
    subject: 'chain',
    onlyWhenUp: opts.onlyWhenUp ?? true,
    source,
  };
}

/** Every metric the dokomodo monitor serves. */
export const METRICS: readonly MetricSpec[] = Object.freeze([
  chainMetric(
    'dokomodo_chain_info',
    'Static identity of a chain; always 1',
    'platform file: `kind` is kmd, assetchain or coin; `symbol` is the Iguana symbol',
    { onlyWhenUp: false, labels: [...CHAIN_LABELS, 'kind', 'symbol'] },
  ),
  chainMetric(
    'dokomodo_chain_up',
    'Whether the chain daemon answered getinfo in the last poll (1) or not (0, also while warming up)',
    '`getinfo` succeeded',
    { onlyWhenUp: false },
  ),
  chainMetric('dokomodo_chain_blocks', 'Height of the local best chain', '`getinfo` → `blocks`'),
  chainMetric(
    'dokomodo_chain_longest_chain',
    'Height of the longest chain the daemon heard of from its peers (0 until it has peers)',
    '`getinfo` → `longestchain`',
  ),
  chainMetric('dokomodo_chain_connections', 'Number of connected peers', '`getinfo` → `connections`'),
  chainMetric(
    'dokomodo_chain_tip_timestamp_seconds',
    'Block time of the best block, in Unix seconds',
    '`getbestblockhash` → `getblockheader` → `time`',
  ),
  chainMetric(
    'dokomodo_chain_block_interval_seconds',
    'Target block interval of the chain, in seconds',
    'platform file: `ac_blocktime` (default 60) for assetchains, 60 for KMD, the coin’s own for third-party coins (BTC 600, LTC 150)',
    { onlyWhenUp: false },
  ),
  chainMetric(
    'dokomodo_chain_notarized_height',
    'Height of the last block of this chain that was notarized',
    '`getinfo` → `notarized` (0 for third-party coins)',
  ),
  chainMetric(
    'dokomodo_chain_notarization_enabled',
    'Whether this notary notarizes the chain (1): notarization enabled and the chain is a coin of an Iguana instance',
    'platform file: `notarization.enabled` and `iguana.*.coins`',
    { onlyWhenUp: false },
  ),
  chainMetric(
    'dokomodo_chain_last_notarization_timestamp_seconds',
    'Time of the newest notarization this notary took part in, in Unix seconds (0 when none is in the scanned history)',
    '`listtransactions` entries to the chain’s notarization address, newest `time` (reference §12.1)',
  ),
  chainMetric(
    'dokomodo_chain_notarization_utxos',
    'Number of UTXOs usable for notarization (exact notarization value, P2PK to the notary pubkey, confirmed)',
    '`listunspent 1` filtered by amount = `notarization.utxo_value` and a 35-byte P2PK script (reference §11.1)',
  ),
  chainMetric(
    'dokomodo_chain_split_threshold',
    'Notarization UTXO count below which the chain’s UTXOs are split',
    'platform file: `notarization.split_threshold`',
    { onlyWhenUp: false },
  ),
  chainMetric('dokomodo_chain_balance_coins', 'Wallet balance, in coins', '`getinfo` → `balance`'),
  chainMetric(
    'dokomodo_chain_funds_left_seconds',
    'How long the balance lasts at the notarization rate of the last 24 h, in seconds (+Inf when nothing was spent)',
    'balance ÷ (notarizations a day × measured cost per notarization), as `dokomodo stats` computes it',
  ),
  chainMetric(
    'dokomodo_chain_time_offset_seconds',
    'Median offset of the peers’ clocks from this host’s clock, in seconds',
    '`getinfo` (or `getnetworkinfo`) → `timeoffset`',
  ),
  {
    name: 'dokomodo_chain_disk_free_ratio',
    type: 'gauge',
    help: 'Free fraction of the file system holding the chain’s data directory (0–1)',
    labels: CHAIN_LABELS,
    subject: 'local chain',
    onlyWhenUp: false,
    source:
      '`statfs` of the data directory on the monitor’s host; `df -Pk` over SSH for chains of other hosts (not in containers)',
  },
  chainMetric(
    'dokomodo_chain_rpc_duration_seconds',
    'Wall time of all RPC calls of the chain’s last poll, in seconds',
    'measured by the monitor; exported whether or not the poll succeeded',
    { onlyWhenUp: false },
  ),
  {
    name: 'dokomodo_iguana_up',
    type: 'gauge',
    help: 'Whether the Iguana instance answered its HTTP API in the last poll (1) or not (0)',
    labels: IGUANA_LABELS,
    subject: 'iguana',
    onlyWhenUp: false,
    source: '`{"agent":"dpow","method":"notarychains"}` answered with a list (reference §8)',
  },
  {
    name: 'dokomodo_iguana_notary_peers',
    type: 'gauge',
    help: 'Number of notary peers the Iguana instance knows on the dPoW network',
    labels: IGUANA_LABELS,
    subject: 'iguana',
    onlyWhenUp: true,
    source: '`{"agent":"dpow","method":"ipaddrs"}` → array length (reference §8)',
  },
  {
    name: 'dokomodo_chain_log_pattern_last_seen_timestamp_seconds',
    type: 'gauge',
    help: 'When the monitor last read a line of a known trouble pattern in a chain’s log, in Unix seconds',
    labels: [...CHAIN_LABELS, 'pattern', 'level'],
    subject: 'local chain',
    onlyWhenUp: false,
    source:
      'the chain’s `debug.log` and its Iguana’s `iguana.log` (a line naming the chain), tailed every poll where they are: directly on the monitor’s host, over SSH on other hosts (patterns in `src/monitor/logs.ts`)',
  },
  {
    name: 'dokomodo_poll_timestamp_seconds',
    type: 'gauge',
    help: 'Time the monitor finished its last poll of every chain and Iguana instance, in Unix seconds',
    labels: [],
    subject: 'monitor',
    onlyWhenUp: false,
    source: 'the monitor’s clock',
  },
  {
    name: 'dokomodo_poll_duration_seconds',
    type: 'gauge',
    help: 'Wall time of the monitor’s last complete poll, in seconds',
    labels: [],
    subject: 'monitor',
    onlyWhenUp: false,
    source: 'the monitor’s clock',
  },
]);

/** A metric the rules and dashboards use that someone else serves. */
export interface ExternalMetricSpec {
  name: string;
  type: MetricType;
  labels: readonly string[];
  subject: MetricSubject;
  /** Who serves it. */
  source: string;
}

/** Metrics from node_exporter (disk) and Prometheus itself (`up`), used beside {@link METRICS}. */
export const EXTERNAL_METRICS: readonly ExternalMetricSpec[] = Object.freeze([
  {
    name: 'node_filesystem_avail_bytes',
    type: 'gauge',
    labels: ['device', 'fstype', 'mountpoint'],
    subject: 'filesystem',
    source: 'node_exporter',
  },
  {
    name: 'node_filesystem_size_bytes',
    type: 'gauge',
    labels: ['device', 'fstype', 'mountpoint'],
    subject: 'filesystem',
    source: 'node_exporter',
  },
  {
    name: 'node_filesystem_readonly',
    type: 'gauge',
    labels: ['device', 'fstype', 'mountpoint'],
    subject: 'filesystem',
    source: 'node_exporter',
  },
  { name: 'up', type: 'gauge', labels: [], subject: 'target', source: 'Prometheus, per scrape target' },
]);

/** Where the monitor listens on a host with the `monitor` role. */
export const MONITOR_PORT = 9710;
export const MONITOR_PATH = '/metrics';
export const NODE_EXPORTER_PORT = 9100;

/**
 * Status bands shared by the alert rules, the Grafana dashboard and the monitor's own page.
 * Notarization age: the dPoW README's active < 2.5 h, irregular 2.5–24 h, inactive > 24 h.
 * UTXOs: dragon_node's colours, < 5 red, < 10 yellow (reference §11.3, §12.2).
 */
export const BANDS = Object.freeze({
  notarizationIrregularSeconds: 2.5 * 3600,
  notarizationInactiveSeconds: 24 * 3600,
  utxoRed: 5,
  utxoYellow: 10,
  /** A chain is stuck after this many target block intervals without a new block. */
  stuckIntervals: 30,
  /** A chain is behind when the network's longest chain is more than this many blocks ahead. */
  behindBlocks: 10,
  /** Free-space fractions of a file system. */
  diskWarning: 0.1,
  diskCritical: 0.05,
  /** Days the notary's balance lasts at its notarization rate. */
  fundsWarningDays: 7,
  fundsCriticalDays: 2,
  /** Seconds the host clock may differ from its peers' before notarizations suffer. */
  clockSkewSeconds: 60,
});

/** Block intervals of third-party coins whose blocks are slower than a minute. */
const COIN_BLOCK_INTERVAL: Readonly<Record<string, number>> = Object.freeze({ BTC: 600, LTC: 150 });

/** The value of `dokomodo_chain_block_interval_seconds` for a chain. */
export function blockIntervalSeconds(chain: ChainModel): number {
  if (chain.kind === 'coin') return COIN_BLOCK_INTERVAL[chain.symbol] ?? 60;
  if (chain.kind === 'kmd' || chain.params['ac_blocktime'] === undefined) return 60;
  const t = normalizeParams(chain.params, chain.rules).blocktime;
  // A non-positive value would make the stuck threshold zero and page at once.
  return t > 0 ? t : 60;
}

/** The value of `dokomodo_chain_notarization_enabled`: enabled in the file and dPoW'd by an instance. */
export function notarizationActive(chain: ChainModel, iguanaCoins: ReadonlySet<string>): boolean {
  return chain.notarization.enabled && iguanaCoins.has(chain.name);
}

export function metricSpec(name: string): MetricSpec | undefined {
  return METRICS.find((m) => m.name === name);
}

/**
 * Iguana's output in its working directory: the rendered unit appends stdout and stderr there
 * (as the dPoW launch scripts do), and the monitor tails it.
 */
export const IGUANA_LOG = 'iguana.log';
