/**
 * The Grafana dashboard (no Grafana here: structure, ids, thresholds, and every query checked
 * against the metric contract and by promtool's PromQL parser) and the contract use of the rules.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertRules } from '../../src/contract/alerts.ts';
import { BANDS, EXTERNAL_METRICS, METRICS } from '../../src/contract/metrics.ts';
import {
  contentOf,
  findTool,
  metricNames,
  platformOf,
  removeTemp,
  renderMonitoring,
  run,
  writeTemp,
} from './helpers.ts';

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource: { type: string; uid: string };
  targets: Target[];
  fieldConfig: {
    defaults: Record<string, unknown>;
    overrides: Array<{ matcher: { options: string }; properties: Array<{ id: string; value: unknown }> }>;
  };
}

const artifacts = renderMonitoring(platformOf('examples/komodo-mainnet.yaml'));
const dashboard = JSON.parse(contentOf(artifacts, 'monitoring/grafana/dokomodo-dashboard.json'));
const panels = dashboard.panels as Panel[];
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
const DATASOURCE = '${datasource}';
const contract = new Set([...METRICS, ...EXTERNAL_METRICS].map((m) => m.name));
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) removeTemp(t);
});

function thresholdSteps(x: unknown): Array<[string, number | null]> {
  const t = x as { steps: Array<{ color: string; value: number | null }> };
  return t.steps.map((s) => [s.color, s.value]);
}

describe('grafana/dokomodo-dashboard.json', () => {
  it('is a dashboard model with a stable uid and $datasource, $host, $chain variables', () => {
    expect(dashboard).toMatchObject({ uid: 'dokomodo-fleet', title: 'dokomodo fleet', schemaVersion: 39 });
    const vars = dashboard.templating.list as Array<{ name: string; type: string; query: unknown }>;
    expect(vars.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['host', 'query'],
      ['chain', 'query'],
    ]);
  });

  it('has stable panel ids', () => {
    expect(panels.map((p) => [p.id, p.type, p.title])).toEqual([
      [1, 'stat', 'Chains up'],
      [2, 'stat', 'Chains down'],
      [3, 'stat', 'Iguana'],
      [4, 'stat', 'Last monitor poll'],
      [5, 'table', 'Chains'],
      [6, 'timeseries', 'Time since last notarization'],
      [7, 'timeseries', 'Notarization UTXOs'],
      [8, 'timeseries', 'Blocks behind the network'],
      [9, 'bargauge', 'Disk free'],
      [10, 'table', 'Trouble in the logs (last 30 min)'],
      [11, 'timeseries', 'Clock offset seen by peers'],
    ]);
  });

  it('every panel has an id, a type, a place on the grid and targets on the templated data source', () => {
    for (const p of panels) {
      expect(Number.isInteger(p.id)).toBe(true);
      expect(p.type).toMatch(/^(stat|table|timeseries|bargauge)$/);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.targets.length).toBeGreaterThan(0);
      expect(p.datasource.uid).toBe(DATASOURCE);
      const refs = p.targets.map((t) => t.refId);
      expect(new Set(refs).size).toBe(refs.length);
      for (const t of p.targets) {
        expect(t.expr.length).toBeGreaterThan(0);
        expect(t.datasource.uid).toBe(DATASOURCE);
      }
    }
  });

  it('panels do not overlap', () => {
    const cells = new Set<string>();
    for (const p of panels)
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const c = `${x},${y}`;
          expect(cells.has(c), `panel ${p.id} overlaps at ${c}`).toBe(false);
          cells.add(c);
        }
  });

  it('every query reads only metrics of the contract, filtered by $chain/$host where they apply', () => {
    for (const p of panels)
      for (const t of p.targets) {
        const names = metricNames(t.expr);
        expect(names.length, t.expr).toBeGreaterThan(0);
        expect(
          names.filter((n) => !contract.has(n)),
          t.expr,
        ).toEqual([]);
        for (const n of names.filter((x) => x.startsWith('dokomodo_chain_')))
          expect(t.expr, `${n} in panel ${p.id}`).toContain(`${n}{chain=~"$chain",host=~"$host"}`);
      }
  });

  it('colours notarization age and UTXOs by the shared bands', () => {
    const table = panels.find((p) => p.id === 5)!;
    const prop = (column: string, id: string) =>
      table.fieldConfig.overrides
        .find((o) => o.matcher.options === column)!
        .properties.find((x) => x.id === id)!.value;
    const age: Array<[string, number | null]> = [
      ['green', null],
      ['yellow', BANDS.notarizationIrregularSeconds],
      ['red', BANDS.notarizationInactiveSeconds],
    ];
    const utxo: Array<[string, number | null]> = [
      ['red', null],
      ['yellow', 5],
      ['green', 10],
    ];
    expect(thresholdSteps(prop('Notarization age', 'thresholds'))).toEqual(age);
    expect(thresholdSteps(prop('UTXOs', 'thresholds'))).toEqual(utxo);
    expect(thresholdSteps(panels.find((p) => p.id === 6)!.fieldConfig.defaults['thresholds'])).toEqual(age);
    expect(thresholdSteps(panels.find((p) => p.id === 7)!.fieldConfig.defaults['thresholds'])).toEqual(utxo);
    expect(age[1]![1]).toBe(9000);
    expect(age[2]![1]).toBe(86400);
  });

  it('the chain table shows blocks, longest, notarized, age and UTXOs per chain', () => {
    const table = panels.find((p) => p.id === 5)!;
    const organize = (
      table as unknown as { transformations: Array<{ id: string; options: Record<string, unknown> }> }
    ).transformations.find((t) => t.id === 'organize')!;
    expect(Object.values(organize.options['renameByName'] as Record<string, string>)).toEqual(
      expect.arrayContaining(['Blocks', 'Longest', 'Notarized', 'Notarization age', 'UTXOs']),
    );
    expect(table.targets.every((t) => (t as unknown as { format: string }).format === 'table')).toBe(true);
  });

  it('every query parses (promtool check rules on the queries as recording rules)', (ctx) => {
    const promtool = findTool('promtool');
    ctx.skip(!promtool, 'promtool is not installed (apt-get install prometheus); CI installs it');
    const root = writeTemp(artifacts);
    temps.push(root);
    const rules = panels.flatMap((p) =>
      p.targets.map((t) => ({
        record: `dashboard:panel${p.id}:${t.refId}`,
        expr: t.expr.replaceAll('$chain', '.*').replaceAll('$host', '.*'),
      })),
    );
    const file = join(root, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = run(promtool!, ['check', 'rules', file]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('alert rules and the metric contract', () => {
  it('every rule reads only metrics of the contract', () => {
    for (const r of alertRules()) {
      const names = metricNames(r.expr);
      expect(names.length, r.expr).toBeGreaterThan(0);
      expect(
        names.filter((n) => !contract.has(n)),
        r.expr,
      ).toEqual([]);
    }
  });

  it('per-chain thresholds are compared as metrics, not baked into the rules', () => {
    const exprs = alertRules().map((r) => r.expr);
    expect(exprs.some((e) => e.includes('< dokomodo_chain_split_threshold'))).toBe(true);
    expect(exprs.some((e) => e.includes('* dokomodo_chain_block_interval_seconds'))).toBe(true);
    expect(exprs.join('\n')).not.toMatch(/chain=/);
  });

  it('the scanner finds metric names and skips functions, keywords, labels and durations', () => {
    expect(
      metricNames(
        'sum by (chain) (rate(foo_total{a="b|c"}[5m])) / on(chain) group_left(host) bar and baz == 1 unless absent(up{job="x"})',
      ),
    ).toEqual(['foo_total', 'bar', 'baz', 'up']);
    expect(metricNames('time() - x_seconds > 30 * y_seconds or vector(0) > 1e3')).toEqual([
      'x_seconds',
      'y_seconds',
    ]);
  });
});
