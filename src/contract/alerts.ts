/**
 * The alert rules, one source for both evaluators: the rendered Prometheus rules file (the
 * `expr` in PromQL) and the monitor's own evaluation (`evaluate` over the same metric values,
 * so an operator without Prometheus gets the same alerts at the same thresholds).
 */
import { BANDS } from './metrics.ts';

export type Labels = Record<string, string>;

export type Severity = 'warning' | 'critical';

export interface AlertRule {
  alert: string;
  expr: string;
  /** Prometheus duration the condition must hold before the alert fires; '' for at once. */
  for: string;
  severity: Severity;
  /** Go templates over `$labels` and `$value`. */
  summary: string;
  description: string;
  /**
   * The same condition as `expr`, evaluated by the monitor over its own metric values: one
   * result per series for which the condition holds, with the value PromQL would give. Absent
   * for rules over metrics the monitor does not have (node_exporter, Prometheus' own `up`).
   */
  evaluate?: (m: MetricView, now: number) => Firing[];
}

export interface Series {
  labels: Labels;
  value: number;
}

export interface Firing {
  labels: Labels;
  value: number;
}

/** The metric values of one poll, by metric name (as the monitor exports them). */
export interface MetricView {
  series(name: string): readonly Series[];
}

const chainKey = (l: Labels) => `${l['chain']}\u0000${l['host']}`;

/** `a OP b` with one-to-one matching on (chain, host), as PromQL matches the contract's series. */
function join(m: MetricView, a: string, b: string): Array<[Series, Series]> {
  const right = new Map(m.series(b).map((s) => [chainKey(s.labels), s]));
  const out: Array<[Series, Series]> = [];
  for (const l of m.series(a)) {
    const r = right.get(chainKey(l.labels));
    if (r) out.push([l, r]);
  }
  return out;
}

/** `… and dokomodo_chain_notarization_enabled == 1` */
function notarizing(m: MetricView, f: Firing[]): Firing[] {
  const on = new Set(
    m
      .series('dokomodo_chain_notarization_enabled')
      .filter((s) => s.value === 1)
      .map((s) => chainKey(s.labels)),
  );
  return f.filter((x) => on.has(chainKey(x.labels)));
}

const where = (m: MetricView, name: string, test: (v: number) => boolean): Firing[] =>
  m.series(name).filter((s) => test(s.value));

export interface AlertGroup {
  name: string;
  rules: AlertRule[];
}

const CHAIN_AT = '{{ $labels.chain }} on {{ $labels.host }}';
const NOTARIZING = 'and dokomodo_chain_notarization_enabled == 1';
// File systems that are not disks: their "free space" means nothing here.
const DISK_SELECTOR = '{fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"}';
const DISK_FREE = `node_filesystem_avail_bytes${DISK_SELECTOR} / node_filesystem_size_bytes${DISK_SELECTOR}`;

/** A log pattern alert resolves after this many seconds without a new matching line. */
export const LOG_QUIET_SECONDS = 1800;

function logTrouble(m: MetricView, now: number, level: Severity): Firing[] {
  return m
    .series('dokomodo_chain_log_pattern_last_seen_timestamp_seconds')
    .filter((s) => s.labels['level'] === level)
    .map((s) => ({ labels: s.labels, value: now - s.value }))
    .filter((x) => x.value < LOG_QUIET_SECONDS);
}

function notarizationAge(m: MetricView, now: number, limit: number): Firing[] {
  return notarizing(
    m,
    m
      .series('dokomodo_chain_last_notarization_timestamp_seconds')
      .map((s) => ({ labels: s.labels, value: now - s.value }))
      .filter((x) => x.value > limit),
  );
}

/** Every alert rule, grouped as in the rules file. Same list for every platform. */
export const ALERT_GROUPS: readonly AlertGroup[] = Object.freeze([
  {
    name: 'dokomodo-chains',
    rules: [
      {
        alert: 'DokomodoChainDown',
        expr: 'dokomodo_chain_up == 0',
        evaluate: (m) => where(m, 'dokomodo_chain_up', (v) => v === 0),
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is down`,
        description: `${CHAIN_AT} has not answered RPC for 5 minutes (daemon stopped, crashed or still warming up).`,
      },
      {
        alert: 'DokomodoChainStuck',
        expr: `time() - dokomodo_chain_tip_timestamp_seconds > ${BANDS.stuckIntervals} * dokomodo_chain_block_interval_seconds`,
        evaluate: (m, now) =>
          join(m, 'dokomodo_chain_tip_timestamp_seconds', 'dokomodo_chain_block_interval_seconds')
            .map(([tip, interval]) => ({
              labels: tip.labels,
              value: now - tip.value,
              limit: BANDS.stuckIntervals * interval.value,
            }))
            .filter((x) => x.value > x.limit)
            .map(({ labels, value }) => ({ labels, value })),
        for: '5m',
        severity: 'warning',
        summary: `${CHAIN_AT} has no new block`,
        description: `The best block of ${CHAIN_AT} is {{ $value | humanizeDuration }} old, more than ${BANDS.stuckIntervals} block intervals.`,
      },
      {
        alert: 'DokomodoChainBehind',
        expr: `dokomodo_chain_longest_chain - dokomodo_chain_blocks > ${BANDS.behindBlocks}`,
        evaluate: (m) =>
          join(m, 'dokomodo_chain_longest_chain', 'dokomodo_chain_blocks')
            .map(([longest, blocks]) => ({ labels: longest.labels, value: longest.value - blocks.value }))
            .filter((x) => x.value > BANDS.behindBlocks),
        for: '10m',
        severity: 'warning',
        summary: `${CHAIN_AT} is behind the network`,
        description: `${CHAIN_AT} is {{ $value | printf "%.0f" }} blocks behind the longest chain its peers announce.`,
      },
      {
        alert: 'DokomodoChainNoPeers',
        expr: 'dokomodo_chain_connections == 0',
        evaluate: (m) => where(m, 'dokomodo_chain_connections', (v) => v === 0),
        for: '10m',
        severity: 'warning',
        summary: `${CHAIN_AT} has no peers`,
        description: `${CHAIN_AT} has had no peer connections for 10 minutes; check addnode and the p2p port.`,
      },
    ],
  },
  {
    name: 'dokomodo-notarization',
    rules: [
      {
        alert: 'DokomodoNotarizationOverdue',
        expr: `time() - dokomodo_chain_last_notarization_timestamp_seconds > ${BANDS.notarizationIrregularSeconds} ${NOTARIZING}`,
        evaluate: (m, now) => notarizationAge(m, now, BANDS.notarizationIrregularSeconds),
        for: '5m',
        severity: 'warning',
        summary: `${CHAIN_AT} notarizes irregularly`,
        description: `The last notarization of ${CHAIN_AT} by this notary was {{ $value | humanizeDuration }} ago (irregular after 2.5 h).`,
      },
      {
        alert: 'DokomodoNotarizationOverdue',
        expr: `time() - dokomodo_chain_last_notarization_timestamp_seconds > ${BANDS.notarizationInactiveSeconds} ${NOTARIZING}`,
        evaluate: (m, now) => notarizationAge(m, now, BANDS.notarizationInactiveSeconds),
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is not notarizing`,
        description: `The last notarization of ${CHAIN_AT} by this notary was {{ $value | humanizeDuration }} ago (inactive after 24 h).`,
      },
      {
        alert: 'DokomodoNotarizationUtxosLow',
        // Below the split threshold is the splitter's cue; warn only when it did not top up in time.
        expr: `dokomodo_chain_notarization_utxos < dokomodo_chain_split_threshold ${NOTARIZING}`,
        evaluate: (m) =>
          notarizing(
            m,
            join(m, 'dokomodo_chain_notarization_utxos', 'dokomodo_chain_split_threshold')
              .filter(([utxos, threshold]) => utxos.value < threshold.value)
              .map(([utxos]) => utxos),
          ),
        for: '30m',
        severity: 'warning',
        summary: `${CHAIN_AT} is short of notarization UTXOs`,
        description: `${CHAIN_AT} has {{ $value | printf "%.0f" }} notarization UTXOs, below its split threshold for 30 minutes; run the UTXO split.`,
      },
      {
        alert: 'DokomodoNotarizationUtxosLow',
        expr: `dokomodo_chain_notarization_utxos < ${BANDS.utxoRed} ${NOTARIZING}`,
        evaluate: (m) =>
          notarizing(
            m,
            where(m, 'dokomodo_chain_notarization_utxos', (v) => v < BANDS.utxoRed),
          ),
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is almost out of notarization UTXOs`,
        description: `${CHAIN_AT} has {{ $value | printf "%.0f" }} notarization UTXOs; Iguana skips rounds without one. Split now.`,
      },
    ],
  },
  {
    name: 'dokomodo-funds',
    rules: [
      {
        alert: 'DokomodoFundsLow',
        expr: `dokomodo_chain_funds_left_seconds < ${BANDS.fundsWarningDays * 86400} ${NOTARIZING}`,
        evaluate: (m) =>
          notarizing(
            m,
            where(m, 'dokomodo_chain_funds_left_seconds', (v) => v < BANDS.fundsWarningDays * 86400),
          ),
        for: '30m',
        severity: 'warning',
        summary: `${CHAIN_AT} runs out of funds within a week`,
        description: `At its notarization rate the balance of ${CHAIN_AT} lasts {{ $value | humanizeDuration }} more; fund the notary address.`,
      },
      {
        alert: 'DokomodoFundsLow',
        expr: `dokomodo_chain_funds_left_seconds < ${BANDS.fundsCriticalDays * 86400} ${NOTARIZING}`,
        evaluate: (m) =>
          notarizing(
            m,
            where(m, 'dokomodo_chain_funds_left_seconds', (v) => v < BANDS.fundsCriticalDays * 86400),
          ),
        for: '10m',
        severity: 'critical',
        summary: `${CHAIN_AT} is about to run out of funds`,
        description: `At its notarization rate the balance of ${CHAIN_AT} lasts {{ $value | humanizeDuration }} more; notarizations stop when it is spent.`,
      },
    ],
  },
  {
    name: 'dokomodo-local',
    rules: [
      {
        alert: 'DokomodoChainDiskLow',
        expr: `dokomodo_chain_disk_free_ratio < ${BANDS.diskWarning}`,
        evaluate: (m) => where(m, 'dokomodo_chain_disk_free_ratio', (v) => v < BANDS.diskWarning),
        for: '10m',
        severity: 'warning',
        summary: `the disk of ${CHAIN_AT} is filling up`,
        description: `The file system of the data directory of ${CHAIN_AT} has {{ $value | humanizePercentage }} free.`,
      },
      {
        alert: 'DokomodoChainDiskLow',
        expr: `dokomodo_chain_disk_free_ratio < ${BANDS.diskCritical}`,
        evaluate: (m) => where(m, 'dokomodo_chain_disk_free_ratio', (v) => v < BANDS.diskCritical),
        for: '5m',
        severity: 'critical',
        summary: `the disk of ${CHAIN_AT} is almost full`,
        description: `The file system of the data directory of ${CHAIN_AT} has {{ $value | humanizePercentage }} free; a full disk corrupts the chain database.`,
      },
      {
        alert: 'DokomodoClockSkew',
        expr: `abs(dokomodo_chain_time_offset_seconds) > ${BANDS.clockSkewSeconds}`,
        evaluate: (m) =>
          m
            .series('dokomodo_chain_time_offset_seconds')
            .map((s) => ({ labels: s.labels, value: Math.abs(s.value) }))
            .filter((x) => x.value > BANDS.clockSkewSeconds),
        for: '10m',
        severity: 'warning',
        summary: `the clock of ${CHAIN_AT} is off`,
        description: `The peers of ${CHAIN_AT} see this host's clock {{ $value | printf "%.0f" }} s off; run an NTP client (chrony, systemd-timesyncd).`,
      },
    ],
  },
  {
    name: 'dokomodo-logs',
    rules: [
      {
        alert: 'DokomodoLogTrouble',
        expr: `time() - dokomodo_chain_log_pattern_last_seen_timestamp_seconds{level="warning"} < ${LOG_QUIET_SECONDS}`,
        evaluate: (m, now) => logTrouble(m, now, 'warning'),
        for: '',
        severity: 'warning',
        summary: `${CHAIN_AT} logged {{ $labels.pattern }}`,
        description: `${CHAIN_AT} wrote a {{ $labels.pattern }} line to its log {{ $value | humanizeDuration }} ago; the alert resolves after ${LOG_QUIET_SECONDS / 60} quiet minutes.`,
      },
      {
        alert: 'DokomodoLogTrouble',
        expr: `time() - dokomodo_chain_log_pattern_last_seen_timestamp_seconds{level="critical"} < ${LOG_QUIET_SECONDS}`,
        evaluate: (m, now) => logTrouble(m, now, 'critical'),
        for: '',
        severity: 'critical',
        summary: `${CHAIN_AT} logged {{ $labels.pattern }}`,
        description: `${CHAIN_AT} wrote a {{ $labels.pattern }} line to its log {{ $value | humanizeDuration }} ago; the alert resolves after ${LOG_QUIET_SECONDS / 60} quiet minutes.`,
      },
    ],
  },
  {
    name: 'dokomodo-iguana',
    rules: [
      {
        alert: 'DokomodoIguanaDown',
        expr: 'dokomodo_iguana_up == 0',
        evaluate: (m) => where(m, 'dokomodo_iguana_up', (v) => v === 0),
        for: '5m',
        severity: 'critical',
        summary: 'Iguana {{ $labels.iguana }} on {{ $labels.host }} is down',
        description:
          'Iguana instance {{ $labels.iguana }} on {{ $labels.host }} has not answered its API for 5 minutes: no notarizations by it.',
      },
    ],
  },
  {
    name: 'dokomodo-hosts',
    rules: [
      {
        alert: 'DokomodoDiskLow',
        expr: `${DISK_FREE} < ${BANDS.diskWarning} and node_filesystem_readonly == 0`,
        for: '10m',
        severity: 'warning',
        summary: '{{ $labels.mountpoint }} on {{ $labels.host }} is filling up',
        description:
          '{{ $labels.mountpoint }} on {{ $labels.host }} has {{ $value | humanizePercentage }} free.',
      },
      {
        alert: 'DokomodoDiskLow',
        expr: `${DISK_FREE} < ${BANDS.diskCritical} and node_filesystem_readonly == 0`,
        for: '5m',
        severity: 'critical',
        summary: '{{ $labels.mountpoint }} on {{ $labels.host }} is almost full',
        description:
          '{{ $labels.mountpoint }} on {{ $labels.host }} has {{ $value | humanizePercentage }} free; a full disk corrupts chain databases.',
      },
      {
        alert: 'DokomodoNodeExporterDown',
        expr: 'up{job="node"} == 0',
        for: '5m',
        severity: 'warning',
        summary: 'node_exporter on {{ $labels.host }} cannot be scraped',
        description:
          'Prometheus cannot scrape node_exporter at {{ $labels.instance }}: disk alerts for {{ $labels.host }} are blind.',
      },
    ],
  },
  {
    name: 'dokomodo-monitor',
    rules: [
      {
        alert: 'DokomodoMonitorDown',
        expr: 'up{job="dokomodo"} == 0',
        for: '5m',
        severity: 'critical',
        summary: 'the dokomodo monitor on {{ $labels.host }} cannot be scraped',
        description:
          'Prometheus cannot scrape the dokomodo monitor at {{ $labels.instance }}: every chain and Iguana alert is blind.',
      },
      {
        alert: 'DokomodoMonitorMissing',
        expr: 'absent(up{job="dokomodo"})',
        for: '10m',
        severity: 'critical',
        summary: 'no dokomodo monitor is scraped',
        description:
          'Prometheus has no dokomodo monitor target: give a host the `monitor` role in the platform file and render again.',
      },
      {
        alert: 'DokomodoMonitorStale',
        expr: 'time() - dokomodo_poll_timestamp_seconds > 300',
        for: '5m',
        severity: 'warning',
        summary: 'the dokomodo monitor on {{ $labels.host }} stopped polling',
        description:
          'The dokomodo monitor at {{ $labels.instance }} answers but finished its last poll {{ $value | humanizeDuration }} ago.',
      },
    ],
  },
]);

export function alertRules(): AlertRule[] {
  return ALERT_GROUPS.flatMap((g) => g.rules);
}

/** Prometheus' humanizeDuration, for whole seconds ≥ 1. */
export function humanizeDuration(v: number): string {
  const s = Math.floor(v);
  const days = Math.floor(s / 86400);
  const hours = Math.floor(s / 3600) % 24;
  const minutes = Math.floor(s / 60) % 60;
  const seconds = s % 60;
  if (days) return `${days}d ${hours}h ${minutes}m ${seconds}s`;
  if (hours) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/** The few Go template forms the rules use, expanded as Prometheus would. */
export function expandTemplate(text: string, labels: Labels, value: number): string {
  return text.replace(
    /\{\{ (\$labels\.(\w+)|\$value(?: \| (\w+)(?: "([^"]*)")?)?) \}\}/g,
    (_m, _all, label, fn, arg) => {
      if (label) return labels[label] ?? '';
      if (fn === 'humanizeDuration') return humanizeDuration(value);
      if (fn === 'humanizePercentage') return `${Number((value * 100).toPrecision(4))}%`;
      const fixed = fn === 'printf' ? /^%\.(\d)f$/.exec(arg ?? '') : null;
      if (fixed) return value.toFixed(Number(fixed[1]));
      return String(value);
    },
  );
}
