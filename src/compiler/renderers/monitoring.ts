/**
 * monitoring target: fleet-wide Prometheus, Alertmanager and Grafana configuration under
 * `monitoring/`, written against the metric contract in src/contract/metrics.ts.
 *
 * Per-chain thresholds (split threshold, block interval) are metrics the monitor exports, so the
 * rules are the same dozen expressions whether the platform has 4 chains or 8192. The platform
 * shapes only the scrape targets and the examples in the rules' unit tests.
 */
import { stringify } from 'yaml';
import {
  BANDS,
  blockIntervalSeconds,
  MONITOR_PATH,
  MONITOR_PORT,
  NODE_EXPORTER_PORT,
  notarizationActive,
} from '../../contract/metrics.ts';
import type { ChainModel } from '../../platform/model.ts';
import {
  type Artifact,
  artifact,
  header,
  hostOf,
  json,
  LOCAL_HOST,
  type RenderContext,
} from '../artifact.ts';

export const MONITORING_DIR = 'monitoring';
export const RULES_FILE = 'rules/dokomodo.rules.yml';
export const RULES_TEST_FILE = 'rules/dokomodo.rules.test.yml';
export const ALERTMANAGER_ADDRESS = '127.0.0.1:9093';
/** Placeholder receiver: `.invalid` never resolves, so an unedited file cannot post alerts anywhere. */
export const WEBHOOK_PLACEHOLDER = 'https://alert-receiver.invalid/dokomodo';

// YAML 1.1 because Prometheus and Alertmanager read with go-yaml v2: `yes`, `on`, `1e3` as chain or
// host names must come out quoted. No line folding, no anchors, keys in the order built.
const YAML_OPTIONS = {
  version: '1.1',
  indent: 2,
  lineWidth: 0,
  minContentWidth: 0,
  aliasDuplicateObjects: false,
  sortMapEntries: false,
} as const;

function yamlFile(ctx: RenderContext, value: unknown, comment: readonly string[] = []): string {
  return header(ctx, '#') + comment.map((l) => `# ${l}\n`).join('') + stringify(value, YAML_OPTIONS);
}

// ---------------------------------------------------------------------------------------------
// Alert rules

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
}

export interface AlertGroup {
  name: string;
  rules: AlertRule[];
}

const CHAIN_AT = '{{ $labels.chain }} on {{ $labels.host }}';
const NOTARIZING = 'and dokomodo_chain_notarization_enabled == 1';
// File systems that are not disks: their "free space" means nothing here.
const DISK_SELECTOR = '{fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"}';
const DISK_FREE = `node_filesystem_avail_bytes${DISK_SELECTOR} / node_filesystem_size_bytes${DISK_SELECTOR}`;

/** Every alert rule, grouped as in the rules file. Same list for every platform. */
export const ALERT_GROUPS: readonly AlertGroup[] = Object.freeze([
  {
    name: 'dokomodo-chains',
    rules: [
      {
        alert: 'DokomodoChainDown',
        expr: 'dokomodo_chain_up == 0',
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is down`,
        description: `${CHAIN_AT} has not answered RPC for 5 minutes (daemon stopped, crashed or still warming up).`,
      },
      {
        alert: 'DokomodoChainStuck',
        expr: `time() - dokomodo_chain_tip_timestamp_seconds > ${BANDS.stuckIntervals} * dokomodo_chain_block_interval_seconds`,
        for: '5m',
        severity: 'warning',
        summary: `${CHAIN_AT} has no new block`,
        description: `The best block of ${CHAIN_AT} is {{ $value | humanizeDuration }} old, more than ${BANDS.stuckIntervals} block intervals.`,
      },
      {
        alert: 'DokomodoChainBehind',
        expr: `dokomodo_chain_longest_chain - dokomodo_chain_blocks > ${BANDS.behindBlocks}`,
        for: '10m',
        severity: 'warning',
        summary: `${CHAIN_AT} is behind the network`,
        description: `${CHAIN_AT} is {{ $value | printf "%.0f" }} blocks behind the longest chain its peers announce.`,
      },
      {
        alert: 'DokomodoChainNoPeers',
        expr: 'dokomodo_chain_connections == 0',
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
        for: '5m',
        severity: 'warning',
        summary: `${CHAIN_AT} notarizes irregularly`,
        description: `The last notarization of ${CHAIN_AT} by this notary was {{ $value | humanizeDuration }} ago (irregular after 2.5 h).`,
      },
      {
        alert: 'DokomodoNotarizationOverdue',
        expr: `time() - dokomodo_chain_last_notarization_timestamp_seconds > ${BANDS.notarizationInactiveSeconds} ${NOTARIZING}`,
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is not notarizing`,
        description: `The last notarization of ${CHAIN_AT} by this notary was {{ $value | humanizeDuration }} ago (inactive after 24 h).`,
      },
      {
        alert: 'DokomodoNotarizationUtxosLow',
        // Below the split threshold is the splitter's cue; warn only when it did not top up in time.
        expr: `dokomodo_chain_notarization_utxos < dokomodo_chain_split_threshold ${NOTARIZING}`,
        for: '30m',
        severity: 'warning',
        summary: `${CHAIN_AT} is short of notarization UTXOs`,
        description: `${CHAIN_AT} has {{ $value | printf "%.0f" }} notarization UTXOs, below its split threshold for 30 minutes; run the UTXO split.`,
      },
      {
        alert: 'DokomodoNotarizationUtxosLow',
        expr: `dokomodo_chain_notarization_utxos < ${BANDS.utxoRed} ${NOTARIZING}`,
        for: '5m',
        severity: 'critical',
        summary: `${CHAIN_AT} is almost out of notarization UTXOs`,
        description: `${CHAIN_AT} has {{ $value | printf "%.0f" }} notarization UTXOs; Iguana skips rounds without one. Split now.`,
      },
    ],
  },
  {
    name: 'dokomodo-iguana',
    rules: [
      {
        alert: 'DokomodoIguanaDown',
        expr: 'dokomodo_iguana_up == 0',
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

function rulesDocument(): unknown {
  return {
    groups: ALERT_GROUPS.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) => ({
        alert: r.alert,
        expr: r.expr,
        ...(r.for ? { for: r.for } : {}),
        labels: { severity: r.severity },
        annotations: { summary: r.summary, description: r.description },
      })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Scrape targets

export interface ScrapeTarget {
  /** `address:port` */
  address: string;
  host: string;
}

interface Fleet {
  env: string;
  monitors: ScrapeTarget[];
  nodes: ScrapeTarget[];
}

function fleetOf(ctx: RenderContext): Fleet {
  const { platform, selection } = ctx;
  const env = selection.env ?? 'all';
  const addressOf = (name: string): string =>
    platform.hosts.find((h) => h.name === name)?.address ?? '127.0.0.1';
  // A platform without hosts runs everything, the monitor included, on this machine.
  const local = platform.hosts.length === 0;
  const hosts = local ? [LOCAL_HOST] : selection.hosts.map((h) => h.name);
  const monitorHosts = local
    ? [LOCAL_HOST]
    : selection.hosts.filter((h) => h.roles.includes('monitor')).map((h) => h.name);
  return {
    env,
    monitors: monitorHosts.map((h) => ({ address: `${target(addressOf(h))}:${MONITOR_PORT}`, host: h })),
    nodes: hosts.map((h) => ({ address: `${target(addressOf(h))}:${NODE_EXPORTER_PORT}`, host: h })),
  };
}

/** An IPv6 literal needs brackets before `:port`. */
function target(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

function staticConfigs(targets: readonly ScrapeTarget[], env: string): unknown[] {
  return targets.map((t) => ({ targets: [t.address], labels: { env, host: t.host } }));
}

function prometheusDocument(fleet: Fleet): unknown {
  return {
    global: { scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '30s' },
    rule_files: [RULES_FILE],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_ADDRESS] }] }] },
    scrape_configs: [
      {
        job_name: 'dokomodo',
        // Chain series carry the chain's own `host`; it must win over the monitor target's.
        honor_labels: true,
        metrics_path: MONITOR_PATH,
        static_configs: staticConfigs(fleet.monitors, fleet.env),
      },
      { job_name: 'node', static_configs: staticConfigs(fleet.nodes, fleet.env) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Alertmanager

function alertmanagerDocument(): unknown {
  const webhook = (name: string) => ({
    name,
    webhook_configs: [{ url: WEBHOOK_PLACEHOLDER, send_resolved: true }],
  });
  return {
    route: {
      receiver: 'dokomodo-warning',
      group_by: ['alertname', 'severity', 'host'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { matchers: ['severity="critical"'], receiver: 'dokomodo-critical', repeat_interval: '1h' },
        { matchers: ['severity="warning"'], receiver: 'dokomodo-warning' },
      ],
    },
    // Warning and critical rules of one alert both fire at the critical level; page once.
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'chain', 'host', 'mountpoint'],
      },
    ],
    receivers: [webhook('dokomodo-critical'), webhook('dokomodo-warning')],
  };
}

// ---------------------------------------------------------------------------------------------
// promtool unit tests of the rules: for each alert, an object that trips it and one that does not.

interface PromSeries {
  series: string;
  values: string;
}
interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
interface AlertCheck {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
interface RuleTest {
  name: string;
  interval: string;
  input_series: PromSeries[];
  alert_rule_test: AlertCheck[];
}

type Labels = Record<string, string>;

function seriesText(name: string, labels: Labels): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${body}}`;
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
      if (fn === 'printf' && arg === '%.0f') return value.toFixed(0);
      return String(value);
    },
  );
}

function ruleOf(alert: string, severity: Severity): AlertRule {
  const r = alertRules().find((x) => x.alert === alert && x.severity === severity);
  if (!r) throw new Error(`no ${severity} rule ${alert}`);
  return r;
}

function fires(alert: string, severity: Severity, labels: Labels, value: number): ExpAlert {
  const r = ruleOf(alert, severity);
  const all: Labels = { ...labels, severity };
  return {
    exp_labels: Object.fromEntries(
      Object.keys(all)
        .sort()
        .map((k) => [k, all[k]!]),
    ),
    exp_annotations: {
      summary: expandTemplate(r.summary, labels, value),
      description: expandTemplate(r.description, labels, value),
    },
  };
}

function check(evalTime: string, alertname: string, exp: ExpAlert[]): AlertCheck {
  return { eval_time: evalTime, alertname, exp_alerts: exp };
}

interface Sample {
  /** Notarized chains that misbehave (bad, late), one that behaves, one that is not notarized. */
  bad: { chain: string; host: string; interval: number; threshold: number };
  good: { chain: string; host: string; interval: number; threshold: number };
  late: { chain: string; host: string };
  /** The chain with the slowest blocks, to show the stuck threshold scaling with the interval. */
  slow: { chain: string; host: string; interval: number };
  quiet: { chain: string; host: string };
  monitor: ScrapeTarget;
  otherMonitor: ScrapeTarget;
  node: ScrapeTarget;
  otherNode: ScrapeTarget;
  iguana: { name: string; host: string };
  otherIguana: { name: string; host: string };
  env: string;
}

function sampleOf(ctx: RenderContext, fleet: Fleet): Sample {
  const { platform, selection } = ctx;
  const coins = new Set(platform.iguana.flatMap((g) => g.coins));
  const ordered = [
    ...selection.chains.filter((c) => notarizationActive(c, coins)),
    ...selection.chains.filter((c) => !notarizationActive(c, coins)),
  ];
  const used = new Set(ordered.map((c) => c.name));
  const invent = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    return name;
  };
  const pick = (c: ChainModel | undefined, fallback: string) => ({
    chain: c?.name ?? invent(fallback),
    host: c ? hostOf(c.host) : (fleet.nodes[0]?.host ?? LOCAL_HOST),
    interval: c ? blockIntervalSeconds(c) : 60,
    // The warning band needs room between the critical level and the threshold.
    threshold: c && c.notarization.splitThreshold > BANDS.utxoRed + 1 ? c.notarization.splitThreshold : 20,
  });
  const bad = pick(ordered[0], 'CHAIN_A');
  const good = pick(ordered[1], 'CHAIN_B');
  const late = pick(ordered[2], 'CHAIN_C');
  let slow = bad;
  for (const c of ordered) {
    const interval = blockIntervalSeconds(c);
    if (interval > slow.interval) slow = { ...bad, chain: c.name, host: hostOf(c.host), interval };
  }
  const quiet = { chain: invent('UNNOTARIZED'), host: bad.host };
  const monitor = fleet.monitors[0] ?? { address: `127.0.0.1:${MONITOR_PORT}`, host: LOCAL_HOST };
  const otherMonitor = fleet.monitors[1] ?? { address: `standby.invalid:${MONITOR_PORT}`, host: 'standby' };
  const node = fleet.nodes[0] ?? { address: `127.0.0.1:${NODE_EXPORTER_PORT}`, host: LOCAL_HOST };
  const otherNode = fleet.nodes[1] ?? { address: `standby.invalid:${NODE_EXPORTER_PORT}`, host: 'standby' };
  const instances = platform.iguana;
  const iguana = instances[0]
    ? { name: instances[0].name, host: hostOf(instances[0].host) }
    : { name: 'main', host: bad.host };
  const otherIguana = instances[1]
    ? { name: instances[1].name, host: hostOf(instances[1].host) }
    : { name: iguana.name === '3p' ? 'main' : '3p', host: iguana.host };
  return {
    bad,
    good,
    late,
    slow,
    quiet,
    monitor,
    otherMonitor,
    node,
    otherNode,
    iguana,
    otherIguana,
    env: fleet.env,
  };
}

function ruleTests(s: Sample): RuleTest[] {
  const mon = { env: s.env, instance: s.monitor.address, job: 'dokomodo' };
  const chainL = (c: { chain: string; host: string }): Labels => ({ ...mon, chain: c.chain, host: c.host });
  const A = chainL(s.bad);
  const B = chainL(s.good);
  const C = chainL(s.quiet);
  const D = chainL(s.late);
  const ser = (name: string, labels: Labels, values: string): PromSeries => ({
    series: seriesText(name, labels),
    values,
  });

  const S = chainL(s.slow);
  const steady = s.slow.chain === s.bad.chain ? s.good : s.bad;
  const stuckAfter = BANDS.stuckIntervals * s.slow.interval; // seconds
  const stuckEval = Math.ceil(stuckAfter / 60) + 10; // minutes: past the threshold and `for`
  const stuckLen = stuckEval + 5;

  const igL = (g: { name: string; host: string }): Labels => ({ ...mon, host: g.host, iguana: g.name });
  const fsL = (t: ScrapeTarget, mountpoint: string, fstype: string): Labels => ({
    device: fstype === 'tmpfs' ? 'tmpfs' : '/dev/sda1',
    env: s.env,
    fstype,
    host: t.host,
    instance: t.address,
    job: 'node',
    mountpoint,
  });
  const upL = (t: ScrapeTarget, job: string): Labels => ({
    env: s.env,
    host: t.host,
    instance: t.address,
    job,
  });
  const full = fsL(s.node, '/', 'ext4');
  const roomy = fsL(s.otherNode, '/', 'ext4');
  const ram = fsL(s.node, '/run', 'tmpfs');
  const T = s.bad.threshold;

  return [
    {
      name: 'DokomodoChainDown: a chain that stops answering; one that answers',
      interval: '1m',
      input_series: [ser('dokomodo_chain_up', A, '1x4 0x20'), ser('dokomodo_chain_up', B, '1x25')],
      alert_rule_test: [
        check('3m', 'DokomodoChainDown', []),
        check('7m', 'DokomodoChainDown', []),
        check('15m', 'DokomodoChainDown', [fires('DokomodoChainDown', 'critical', A, 0)]),
      ],
    },
    {
      name: `DokomodoChainStuck: ${s.slow.chain}'s tip stops (${s.slow.interval} s blocks); ${steady.chain}'s advances`,
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_tip_timestamp_seconds', S, `0x${stuckLen}`),
        ser('dokomodo_chain_block_interval_seconds', S, `${s.slow.interval}x${stuckLen}`),
        ser('dokomodo_chain_tip_timestamp_seconds', chainL(steady), `0+60x${stuckLen}`),
        ser('dokomodo_chain_block_interval_seconds', chainL(steady), `${steady.interval}x${stuckLen}`),
      ],
      alert_rule_test: [
        check(`${Math.floor(stuckAfter / 60) - 1}m`, 'DokomodoChainStuck', []),
        check(`${stuckEval}m`, 'DokomodoChainStuck', [
          fires('DokomodoChainStuck', 'warning', S, stuckEval * 60),
        ]),
      ],
    },
    {
      name: 'DokomodoChainBehind: 20 blocks behind; 5 behind is normal',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_longest_chain', A, '1000x30'),
        ser('dokomodo_chain_blocks', A, '980x30'),
        ser('dokomodo_chain_longest_chain', B, '1000x30'),
        ser('dokomodo_chain_blocks', B, '995x30'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoChainBehind', []),
        check('15m', 'DokomodoChainBehind', [fires('DokomodoChainBehind', 'warning', A, 20)]),
      ],
    },
    {
      name: 'DokomodoChainNoPeers: no connections; eight connections',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_connections', A, '0x30'),
        ser('dokomodo_chain_connections', B, '8x30'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoChainNoPeers', []),
        check('15m', 'DokomodoChainNoPeers', [fires('DokomodoChainNoPeers', 'warning', A, 0)]),
      ],
    },
    {
      // Notarizations before the test's time 0 keep it short: ages of a day without a day of samples.
      name: `DokomodoNotarizationOverdue: last notarized 2 h and 23.5 h before; one notarizing; one not notarized`,
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_last_notarization_timestamp_seconds', A, '-7200x60'),
        ser('dokomodo_chain_notarization_enabled', A, '1x60'),
        ser('dokomodo_chain_last_notarization_timestamp_seconds', D, '-84600x60'),
        ser('dokomodo_chain_notarization_enabled', D, '1x60'),
        ser('dokomodo_chain_last_notarization_timestamp_seconds', B, '0+60x60'),
        ser('dokomodo_chain_notarization_enabled', B, '1x60'),
        ser('dokomodo_chain_last_notarization_timestamp_seconds', C, '-100000x60'),
        ser('dokomodo_chain_notarization_enabled', C, '0x60'),
      ],
      alert_rule_test: [
        check('3m', 'DokomodoNotarizationOverdue', []),
        check('20m', 'DokomodoNotarizationOverdue', [
          fires('DokomodoNotarizationOverdue', 'warning', D, 84600 + 20 * 60),
        ]),
        check('45m', 'DokomodoNotarizationOverdue', [
          fires('DokomodoNotarizationOverdue', 'warning', A, 7200 + 45 * 60),
          fires('DokomodoNotarizationOverdue', 'warning', D, 84600 + 45 * 60),
          fires('DokomodoNotarizationOverdue', 'critical', D, 84600 + 45 * 60),
        ]),
      ],
    },
    {
      name: `DokomodoNotarizationUtxosLow: ${T - 1} then 3 UTXOs below a threshold of ${T}; plenty; not notarized`,
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_notarization_utxos', A, `${T - 1}x40 3x30`),
        ser('dokomodo_chain_split_threshold', A, `${T}x70`),
        ser('dokomodo_chain_notarization_enabled', A, '1x70'),
        ser('dokomodo_chain_notarization_utxos', B, `${s.good.threshold + 10}x70`),
        ser('dokomodo_chain_split_threshold', B, `${s.good.threshold}x70`),
        ser('dokomodo_chain_notarization_enabled', B, '1x70'),
        ser('dokomodo_chain_notarization_utxos', C, '0x70'),
        ser('dokomodo_chain_split_threshold', C, `${T}x70`),
        ser('dokomodo_chain_notarization_enabled', C, '0x70'),
      ],
      alert_rule_test: [
        check('20m', 'DokomodoNotarizationUtxosLow', []),
        check('35m', 'DokomodoNotarizationUtxosLow', [
          fires('DokomodoNotarizationUtxosLow', 'warning', A, T - 1),
        ]),
        check('50m', 'DokomodoNotarizationUtxosLow', [
          fires('DokomodoNotarizationUtxosLow', 'warning', A, 3),
          fires('DokomodoNotarizationUtxosLow', 'critical', A, 3),
        ]),
      ],
    },
    {
      name: 'DokomodoIguanaDown: an instance that stops answering; one that answers',
      interval: '1m',
      input_series: [
        ser('dokomodo_iguana_up', igL(s.iguana), '1x4 0x20'),
        ser('dokomodo_iguana_up', igL(s.otherIguana), '1x25'),
      ],
      alert_rule_test: [
        check('7m', 'DokomodoIguanaDown', []),
        check('15m', 'DokomodoIguanaDown', [fires('DokomodoIguanaDown', 'critical', igL(s.iguana), 0)]),
      ],
    },
    {
      name: 'DokomodoDiskLow: 8 % then 4 % free; 50 % free; a nearly full tmpfs is ignored',
      interval: '1m',
      input_series: [
        ser('node_filesystem_avail_bytes', full, '8x30 4x30'),
        ser('node_filesystem_size_bytes', full, '100x60'),
        ser('node_filesystem_readonly', full, '0x60'),
        ser('node_filesystem_avail_bytes', roomy, '50x60'),
        ser('node_filesystem_size_bytes', roomy, '100x60'),
        ser('node_filesystem_readonly', roomy, '0x60'),
        ser('node_filesystem_avail_bytes', ram, '1x60'),
        ser('node_filesystem_size_bytes', ram, '100x60'),
        ser('node_filesystem_readonly', ram, '0x60'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoDiskLow', []),
        check('15m', 'DokomodoDiskLow', [fires('DokomodoDiskLow', 'warning', full, 0.08)]),
        check('45m', 'DokomodoDiskLow', [
          fires('DokomodoDiskLow', 'warning', full, 0.04),
          fires('DokomodoDiskLow', 'critical', full, 0.04),
        ]),
      ],
    },
    {
      name: 'DokomodoNodeExporterDown: a node_exporter that stops answering; one that answers',
      interval: '1m',
      input_series: [ser('up', upL(s.node, 'node'), '1x4 0x20'), ser('up', upL(s.otherNode, 'node'), '1x25')],
      alert_rule_test: [
        check('7m', 'DokomodoNodeExporterDown', []),
        check('15m', 'DokomodoNodeExporterDown', [
          fires('DokomodoNodeExporterDown', 'warning', upL(s.node, 'node'), 0),
        ]),
      ],
    },
    {
      name: 'DokomodoMonitorDown: a monitor that stops answering; one that answers',
      interval: '1m',
      input_series: [
        ser('up', upL(s.monitor, 'dokomodo'), '1x4 0x20'),
        ser('up', upL(s.otherMonitor, 'dokomodo'), '1x25'),
      ],
      alert_rule_test: [
        check('7m', 'DokomodoMonitorDown', []),
        check('15m', 'DokomodoMonitorDown', [
          fires('DokomodoMonitorDown', 'critical', upL(s.monitor, 'dokomodo'), 0),
        ]),
      ],
    },
    {
      name: 'DokomodoMonitorMissing: the monitor target is scraped, then disappears',
      interval: '1m',
      input_series: [
        ser('up', upL(s.monitor, 'dokomodo'), '1x5 _x40'),
        ser('up', upL(s.node, 'node'), '1x45'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoMonitorMissing', []),
        check('35m', 'DokomodoMonitorMissing', [
          fires('DokomodoMonitorMissing', 'critical', { job: 'dokomodo' }, 1),
        ]),
      ],
    },
    {
      name: 'DokomodoMonitorStale: polls stop at 10 min; polls go on',
      interval: '1m',
      input_series: [
        ser('dokomodo_poll_timestamp_seconds', upL(s.monitor, 'dokomodo'), '0+60x10 600x30'),
        ser('dokomodo_poll_timestamp_seconds', upL(s.otherMonitor, 'dokomodo'), '0+60x40'),
      ],
      alert_rule_test: [
        check('12m', 'DokomodoMonitorStale', []),
        check('25m', 'DokomodoMonitorStale', [
          fires('DokomodoMonitorStale', 'warning', upL(s.monitor, 'dokomodo'), 25 * 60 - 600),
        ]),
      ],
    },
  ];
}

function rulesTestDocument(s: Sample): unknown {
  return {
    rule_files: [RULES_FILE.slice('rules/'.length)],
    evaluation_interval: '1m',
    tests: ruleTests(s),
  };
}

// ---------------------------------------------------------------------------------------------
// Grafana dashboard

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
const DS = { type: 'prometheus', uid: '${datasource}' };
const CHAIN_SEL = '{chain=~"$chain",host=~"$host"}';
const HOST_SEL = '{host=~"$host"}';

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  format?: 'table' | 'time_series';
}

function tgt(refId: string, expr: string, extra: Partial<Target> = {}): Target & { datasource: unknown } {
  return { datasource: DS, refId, expr, ...extra };
}

function steps(...s: Array<[string, number | null]>): unknown {
  return { mode: 'absolute', steps: s.map(([color, value]) => ({ color, value })) };
}

const AGE_THRESHOLDS = steps(
  ['green', null],
  ['yellow', BANDS.notarizationIrregularSeconds],
  ['red', BANDS.notarizationInactiveSeconds],
);
const UTXO_THRESHOLDS = steps(['red', null], ['yellow', BANDS.utxoRed], ['green', BANDS.utxoYellow]);
const DISK_THRESHOLDS = steps(['red', null], ['yellow', BANDS.diskCritical], ['green', BANDS.diskWarning]);
const UP_MAPPINGS = [
  {
    type: 'value',
    options: { '0': { text: 'DOWN', color: 'red', index: 0 }, '1': { text: 'UP', color: 'green', index: 1 } },
  },
];

function override(name: string, properties: Array<{ id: string; value: unknown }>): unknown {
  return { matcher: { id: 'byName', options: name }, properties };
}

function dashboard(): unknown {
  const tableColumns: Array<[string, string, string]> = [
    ['A', 'Up', `dokomodo_chain_up${CHAIN_SEL}`],
    ['B', 'Blocks', `dokomodo_chain_blocks${CHAIN_SEL}`],
    ['C', 'Longest', `dokomodo_chain_longest_chain${CHAIN_SEL}`],
    ['D', 'Notarized', `dokomodo_chain_notarized_height${CHAIN_SEL}`],
    ['E', 'Notarization age', `time() - dokomodo_chain_last_notarization_timestamp_seconds${CHAIN_SEL}`],
    ['F', 'UTXOs', `dokomodo_chain_notarization_utxos${CHAIN_SEL}`],
    ['G', 'Split threshold', `dokomodo_chain_split_threshold${CHAIN_SEL}`],
    ['H', 'Peers', `dokomodo_chain_connections${CHAIN_SEL}`],
    ['I', 'Balance', `dokomodo_chain_balance_coins${CHAIN_SEL}`],
  ];
  const panels = [
    {
      id: 1,
      type: 'stat',
      title: 'Chains up',
      gridPos: { h: 4, w: 6, x: 0, y: 0 },
      datasource: DS,
      targets: [tgt('A', `sum(dokomodo_chain_up${CHAIN_SEL}) or vector(0)`, { instant: true })],
      fieldConfig: { defaults: { unit: 'none', thresholds: steps(['green', null]) }, overrides: [] },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      id: 2,
      type: 'stat',
      title: 'Chains down',
      gridPos: { h: 4, w: 6, x: 6, y: 0 },
      datasource: DS,
      targets: [tgt('A', `count(dokomodo_chain_up${CHAIN_SEL} == 0) or vector(0)`, { instant: true })],
      fieldConfig: {
        defaults: { unit: 'none', thresholds: steps(['green', null], ['red', 1]) },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
      },
    },
    {
      id: 3,
      type: 'stat',
      title: 'Iguana',
      gridPos: { h: 4, w: 6, x: 12, y: 0 },
      datasource: DS,
      targets: [tgt('A', `dokomodo_iguana_up${HOST_SEL}`, { legendFormat: '{{iguana}} @ {{host}}' })],
      fieldConfig: {
        defaults: { mappings: UP_MAPPINGS, thresholds: steps(['red', null], ['green', 1]) },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
      },
    },
    {
      id: 4,
      type: 'stat',
      title: 'Last monitor poll',
      gridPos: { h: 4, w: 6, x: 18, y: 0 },
      datasource: DS,
      targets: [tgt('A', 'time() - dokomodo_poll_timestamp_seconds', { legendFormat: '{{host}}' })],
      fieldConfig: {
        defaults: { unit: 's', thresholds: steps(['green', null], ['yellow', 120], ['red', 300]) },
        overrides: [],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      id: 5,
      type: 'table',
      title: 'Chains',
      gridPos: { h: 12, w: 24, x: 0, y: 4 },
      datasource: DS,
      targets: tableColumns.map(([ref, , expr]) => tgt(ref, expr, { instant: true, format: 'table' })),
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, env: true, instance: true, job: true, __name__: true },
            indexByName: { chain: 0, host: 1 },
            renameByName: Object.fromEntries(tableColumns.map(([ref, title]) => [`Value #${ref}`, title])),
          },
        },
      ],
      fieldConfig: {
        defaults: { custom: { align: 'auto' } },
        overrides: [
          override('Up', [
            { id: 'mappings', value: UP_MAPPINGS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
          override('Notarization age', [
            { id: 'unit', value: 's' },
            { id: 'thresholds', value: AGE_THRESHOLDS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
          override('UTXOs', [
            { id: 'thresholds', value: UTXO_THRESHOLDS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
        ],
      },
      options: { showHeader: true, sortBy: [{ displayName: 'chain', desc: false }] },
    },
    {
      id: 6,
      type: 'timeseries',
      title: 'Time since last notarization',
      gridPos: { h: 9, w: 12, x: 0, y: 16 },
      datasource: DS,
      targets: [
        tgt(
          'A',
          `time() - dokomodo_chain_last_notarization_timestamp_seconds${CHAIN_SEL} and dokomodo_chain_notarization_enabled${CHAIN_SEL} == 1`,
          { legendFormat: '{{chain}}' },
        ),
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          min: 0,
          thresholds: AGE_THRESHOLDS,
          custom: { thresholdsStyle: { mode: 'line+area' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] } },
    },
    {
      id: 7,
      type: 'timeseries',
      title: 'Notarization UTXOs',
      gridPos: { h: 9, w: 12, x: 12, y: 16 },
      datasource: DS,
      targets: [tgt('A', `dokomodo_chain_notarization_utxos${CHAIN_SEL}`, { legendFormat: '{{chain}}' })],
      fieldConfig: {
        defaults: { min: 0, thresholds: UTXO_THRESHOLDS, custom: { thresholdsStyle: { mode: 'line+area' } } },
        overrides: [],
      },
      options: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] } },
    },
    {
      id: 8,
      type: 'timeseries',
      title: 'Blocks behind the network',
      gridPos: { h: 8, w: 12, x: 0, y: 25 },
      datasource: DS,
      targets: [
        tgt('A', `dokomodo_chain_longest_chain${CHAIN_SEL} - dokomodo_chain_blocks${CHAIN_SEL}`, {
          legendFormat: '{{chain}}',
        }),
      ],
      fieldConfig: {
        defaults: {
          thresholds: steps(['green', null], ['yellow', BANDS.behindBlocks + 1]),
          custom: { thresholdsStyle: { mode: 'line' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom' } },
    },
    {
      id: 9,
      type: 'bargauge',
      title: 'Disk free',
      gridPos: { h: 8, w: 12, x: 12, y: 25 },
      datasource: DS,
      targets: [
        tgt(
          'A',
          `node_filesystem_avail_bytes{host=~"$host",fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"} / node_filesystem_size_bytes{host=~"$host",fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"}`,
          { legendFormat: '{{host}} {{mountpoint}}', instant: true },
        ),
      ],
      fieldConfig: {
        defaults: { unit: 'percentunit', min: 0, max: 1, thresholds: DISK_THRESHOLDS },
        overrides: [],
      },
      options: {
        orientation: 'horizontal',
        displayMode: 'gradient',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      },
    },
  ];
  const variable = (name: string, label: string, query: string) => ({
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
  });
  return {
    uid: 'dokomodo-fleet',
    title: 'dokomodo fleet',
    tags: ['dokomodo'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
        variable('host', 'Host', 'label_values(dokomodo_chain_up, host)'),
        variable('chain', 'Chain', 'label_values(dokomodo_chain_up{host=~"$host"}, chain)'),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

// ---------------------------------------------------------------------------------------------

export function renderMonitoring(ctx: RenderContext): Artifact[] {
  const fleet = fleetOf(ctx);
  const file = (path: string, content: string) =>
    artifact('monitoring', `${MONITORING_DIR}/${path}`, content);
  const noMonitor =
    fleet.monitors.length === 0 ? ['No host has the `monitor` role: the dokomodo job has no target.'] : [];
  return [
    file(
      'prometheus.yml',
      yamlFile(ctx, prometheusDocument(fleet), [
        `Prometheus for environment \`${fleet.env}\`: the dokomodo monitor (:${MONITOR_PORT}${MONITOR_PATH}) and node_exporter (:${NODE_EXPORTER_PORT}).`,
        ...noMonitor,
      ]),
    ),
    file(RULES_FILE, yamlFile(ctx, rulesDocument(), ['Alert rules over the metrics in docs/monitoring.md.'])),
    file(
      RULES_TEST_FILE,
      yamlFile(ctx, rulesTestDocument(sampleOf(ctx, fleet)), [
        'Unit tests of the alert rules: `promtool test rules dokomodo.rules.test.yml`.',
      ]),
    ),
    file(
      'alertmanager.yml',
      yamlFile(ctx, alertmanagerDocument(), [
        'An example to start from: critical and warning alerts to two webhook receivers. Copy it out of the',
        'rendered tree (it is regenerated) and replace the placeholder URLs (alert-receiver.invalid never',
        'resolves) with your receivers; keep webhook tokens out of version control.',
      ]),
    ),
    file('grafana/dokomodo-dashboard.json', json(dashboard())),
  ];
}
