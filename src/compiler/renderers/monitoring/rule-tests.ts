/** promtool unit tests of the alert rules, built from the platform so they name its own chains and hosts. */
import {
  alertRules,
  expandTemplate,
  type AlertRule,
  type Labels,
  type Severity,
} from '../../../contract/alerts.ts';
import {
  BANDS,
  blockIntervalSeconds,
  MONITOR_PORT,
  NODE_EXPORTER_PORT,
  notarizationActive,
} from '../../../contract/metrics.ts';
import type { ChainModel } from '../../../platform/model.ts';
import { hostOf, LOCAL_HOST, type RenderContext } from '../../artifact.ts';
import { RULES_FILE } from './files.ts';
import type { Fleet, ScrapeTarget } from './prometheus.ts';

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

function seriesText(name: string, labels: Labels): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${name}{${body}}`;
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

export function sampleOf(ctx: RenderContext, fleet: Fleet): Sample {
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
  const diskFull: Labels = { ...A, pattern: 'disk-full', level: 'critical' };
  const reorg: Labels = { ...B, pattern: 'reorg', level: 'warning' };
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
      name: 'DokomodoFundsLow: 5 then 1 days left; a month left; nothing spent; not notarized',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_funds_left_seconds', A, `${5 * 86400}x40 ${86400}x30`),
        ser('dokomodo_chain_notarization_enabled', A, '1x70'),
        ser('dokomodo_chain_funds_left_seconds', B, `${30 * 86400}x70`),
        ser('dokomodo_chain_notarization_enabled', B, '1x70'),
        ser('dokomodo_chain_funds_left_seconds', D, Array(71).fill('+Inf').join(' ')), // promtool has no +InfxN
        ser('dokomodo_chain_notarization_enabled', D, '1x70'),
        ser('dokomodo_chain_funds_left_seconds', C, '0x70'),
        ser('dokomodo_chain_notarization_enabled', C, '0x70'),
      ],
      alert_rule_test: [
        check('20m', 'DokomodoFundsLow', []),
        check('35m', 'DokomodoFundsLow', [fires('DokomodoFundsLow', 'warning', A, 5 * 86400)]),
        check('55m', 'DokomodoFundsLow', [
          fires('DokomodoFundsLow', 'warning', A, 86400),
          fires('DokomodoFundsLow', 'critical', A, 86400),
        ]),
      ],
    },
    {
      name: 'DokomodoChainDiskLow: 8 % then 4 % free around a data directory; 50 % free',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_disk_free_ratio', A, '0.08x30 0.04x30'),
        ser('dokomodo_chain_disk_free_ratio', B, '0.5x60'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoChainDiskLow', []),
        check('15m', 'DokomodoChainDiskLow', [fires('DokomodoChainDiskLow', 'warning', A, 0.08)]),
        check('45m', 'DokomodoChainDiskLow', [
          fires('DokomodoChainDiskLow', 'warning', A, 0.04),
          fires('DokomodoChainDiskLow', 'critical', A, 0.04),
        ]),
      ],
    },
    {
      name: 'DokomodoClockSkew: peers see the clock 95 s behind; 3 s is normal',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_time_offset_seconds', A, '-95x30'),
        ser('dokomodo_chain_time_offset_seconds', B, '3x30'),
      ],
      alert_rule_test: [
        check('5m', 'DokomodoClockSkew', []),
        check('15m', 'DokomodoClockSkew', [fires('DokomodoClockSkew', 'warning', A, 95)]),
      ],
    },
    {
      name: 'DokomodoLogTrouble: a disk-full line (critical) and a reorg (warning), each until 30 quiet minutes',
      interval: '1m',
      input_series: [
        ser('dokomodo_chain_log_pattern_last_seen_timestamp_seconds', diskFull, '300x60'),
        ser('dokomodo_chain_log_pattern_last_seen_timestamp_seconds', reorg, '_x20 1200x40'),
      ],
      alert_rule_test: [
        check('10m', 'DokomodoLogTrouble', [fires('DokomodoLogTrouble', 'critical', diskFull, 300)]),
        check('25m', 'DokomodoLogTrouble', [
          fires('DokomodoLogTrouble', 'critical', diskFull, 1200),
          fires('DokomodoLogTrouble', 'warning', reorg, 300),
        ]),
        check('45m', 'DokomodoLogTrouble', [fires('DokomodoLogTrouble', 'warning', reorg, 1500)]),
        check('55m', 'DokomodoLogTrouble', []),
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

export function rulesTestDocument(s: Sample): unknown {
  return {
    rule_files: [RULES_FILE.slice('rules/'.length)],
    evaluation_interval: '1m',
    tests: ruleTests(s),
  };
}
