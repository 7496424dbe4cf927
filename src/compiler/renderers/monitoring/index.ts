/**
 * monitoring target: fleet-wide Prometheus, Alertmanager and Grafana configuration under
 * `monitoring/`, written against the metric contract in src/contract/metrics.ts.
 *
 * Per-chain thresholds (split threshold, block interval) are metrics the monitor exports, so the
 * rules are the same dozen expressions whether the platform has 4 chains or 8192. The platform
 * shapes only the scrape targets and the examples in the rules' unit tests.
 */
import { stringify } from 'yaml';
import { ALERT_GROUPS } from '../../../contract/alerts.ts';
import { MONITOR_PATH, MONITOR_PORT, NODE_EXPORTER_PORT } from '../../../contract/metrics.ts';
import { type Artifact, artifact, header, json, type RenderContext } from '../../artifact.ts';
import { alertmanagerDocument } from './alertmanager.ts';
import { MONITORING_DIR, RULES_FILE, RULES_TEST_FILE } from './files.ts';
import { dashboard } from './grafana.ts';
import { fleetOf, prometheusDocument } from './prometheus.ts';
import { rulesTestDocument, sampleOf } from './rule-tests.ts';

export * from './files.ts';
export type { ScrapeTarget } from './prometheus.ts';

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
