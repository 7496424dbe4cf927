// The monitor's own alert evaluation: the same answers as Prometheus on the promtool unit tests
// that render writes (which promtool itself checks in test/monitoring), and the lifecycle
// (pending, firing, repeat, resolved, inhibition, restart) on hand-made series.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compile } from '../../src/compiler/compile.ts';
import { RULES_TEST_FILE } from '../../src/compiler/renderers/monitoring/index.ts';
import { type AlertRule, alertRules, type MetricView, type Series } from '../../src/contract/alerts.ts';
import {
  type AlertState,
  EMPTY_ALERT_STATE,
  evaluateAlerts,
  parseAlertState,
  type Transition,
} from '../../src/monitor/alerts.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { platformFile } from '../containers/helpers.ts';

interface PromtoolTest {
  name: string;
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
  }>;
}

const minutes = (t: string) => {
  const m = /^(\d+)m$/.exec(t);
  if (!m) throw new Error(`unexpected duration ${t}`);
  return Number(m[1]);
};

/** promtool's expanding notation: `a`, `axN` (N+1 times), `a+bxN`, `a-bxN`, `_`, `_xN`. */
function expand(values: string): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  for (const tok of values.trim().split(/\s+/)) {
    const blank = /^_(?:x(\d+))?$/.exec(tok);
    if (blank) {
      for (let i = 0; i < Number(blank[1] ?? 1); i++) out.push(undefined);
      continue;
    }
    if (/^[+-]?Inf$/.test(tok)) {
      out.push(tok.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
      continue;
    }
    const m = /^(-?[\d.e]+)(?:([+-])([\d.e]+))?(?:x(\d+))?$/.exec(tok);
    if (!m) throw new Error(`unexpected series value ${tok}`);
    const start = Number(m[1]);
    const step = m[2] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
    const n = m[4] === undefined ? 0 : Number(m[4]);
    for (let i = 0; i <= n; i++) out.push(start + i * step);
  }
  return out;
}

function parseSeries(text: string): { name: string; labels: Record<string, string> } {
  const m = /^([a-zA-Z_:][\w:]*)\{(.*)\}$/.exec(text);
  if (!m) throw new Error(`unexpected series ${text}`);
  const labels: Record<string, string> = {};
  for (const l of m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = JSON.parse(`"${l[2]}"`);
  return { name: m[1]!, labels };
}

/** The metric values at minute t, with Prometheus' 5-minute lookback for missing samples. */
function viewAt(
  series: Array<{ name: string; labels: Record<string, string>; values: Array<number | undefined> }>,
  t: number,
): MetricView {
  const by = new Map<string, Series[]>();
  for (const s of series) {
    let value: number | undefined;
    for (let i = Math.min(t, s.values.length - 1); i >= 0 && i >= t - 5; i--) {
      if (s.values[i] !== undefined) {
        value = s.values[i];
        break;
      }
    }
    if (value === undefined) continue;
    if (!by.has(s.name)) by.set(s.name, []);
    by.get(s.name)!.push({ labels: s.labels, value });
  }
  return { series: (name) => by.get(name) ?? [] };
}

function renderedTests(example: string): PromtoolTest[] {
  const p = platformFile(example);
  const files = compile(p, selectEnvironment(p, undefined), {
    secret: 'x'.repeat(32),
    targets: ['monitoring'],
  });
  const f = files.find((a) => a.path.endsWith(RULES_TEST_FILE));
  if (!f) throw new Error('no rules test file rendered');
  return (parse(String(f.content)) as { tests: PromtoolTest[] }).tests;
}

const inProcess = new Set(
  alertRules()
    .filter((r) => r.evaluate)
    .map((r) => r.alert),
);

describe('in-process alerts agree with Prometheus on the rendered promtool tests', () => {
  for (const example of ['examples/dev.yaml', 'examples/komodo-mainnet.yaml']) {
    const tests = renderedTests(example).filter((t) =>
      t.alert_rule_test.some((c) => inProcess.has(c.alertname)),
    );
    it(`${example}: covers every rule the monitor evaluates`, () => {
      const covered = new Set(tests.flatMap((t) => t.alert_rule_test.map((c) => c.alertname)));
      expect([...inProcess].filter((a) => !covered.has(a))).toEqual([]);
    });
    for (const t of tests) {
      it(t.name, () => {
        expect(t.interval).toBe('1m');
        const series = t.input_series.map((s) => ({ ...parseSeries(s.series), values: expand(s.values) }));
        for (const check of t.alert_rule_test) {
          if (!inProcess.has(check.alertname)) continue;
          const end = minutes(check.eval_time);
          let state: AlertState = EMPTY_ALERT_STATE;
          for (let m = 0; m <= end; m++)
            state = evaluateAlerts(alertRules(), viewAt(series, m), m * 60, state).state;
          const got = state.alerts
            .filter((a) => a.alert === check.alertname && a.state === 'firing')
            .map((a) => ({
              exp_labels: { ...a.labels, severity: a.severity },
              exp_annotations: { summary: a.summary, description: a.description },
            }));
          const sortKey = (x: { exp_labels: Record<string, string> }) =>
            JSON.stringify(Object.entries(x.exp_labels).sort());
          expect(
            got.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
            `${check.alertname} at ${check.eval_time}`,
          ).toEqual([...check.exp_alerts].sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
        }
      });
    }
  }
});

describe('alert lifecycle', () => {
  const down: AlertRule = alertRules().find((r) => r.alert === 'DokomodoChainDown')!;
  const utxoRules = alertRules().filter((r) => r.alert === 'DokomodoNotarizationUtxosLow');
  const chain = { chain: 'DOC', host: 'nn' };
  const upView = (up: number): MetricView => ({
    series: (n) => (n === 'dokomodo_chain_up' ? [{ labels: chain, value: up }] : []),
  });
  const run = (
    views: MetricView[],
    stepSeconds: number,
    start: AlertState = EMPTY_ALERT_STATE,
    repeatSeconds?: number,
  ) => {
    let state = start;
    const all: Transition[] = [];
    views.forEach((v, i) => {
      const r = evaluateAlerts(
        [down],
        v,
        1000 + i * stepSeconds,
        state,
        repeatSeconds === undefined ? {} : { repeatSeconds },
      );
      state = r.state;
      all.push(...r.transitions);
    });
    return { state, transitions: all };
  };

  it('pending until for: has passed, then one firing, then one resolved', () => {
    const views = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1].map(upView);
    const { transitions } = run(views, 60);
    expect(transitions.map((t) => [t.kind, t.at])).toEqual([
      ['firing', 1000 + 6 * 60],
      ['resolved', 1000 + 8 * 60],
    ]);
    expect(transitions[0]!.alert.summary).toBe('DOC on nn is down');
  });

  it('a condition that ends before for: is dropped without a word', () => {
    const { transitions, state } = run([0, 0, 0, 1, 0, 1].map(upView), 60);
    expect(transitions).toEqual([]);
    expect(state.alerts).toEqual([]);
  });

  it('repeats every repeat interval while firing', () => {
    const { transitions } = run(
      Array.from({ length: 40 }, () => upView(0)),
      60,
      EMPTY_ALERT_STATE,
      10 * 60,
    );
    expect(transitions.map((t) => t.kind)).toEqual(['firing', 'repeat', 'repeat', 'repeat']);
  });

  it('survives a restart: no second firing, and a resolution that happened meanwhile is sent', () => {
    const first = run([0, 0, 0, 0, 0, 0, 0].map(upView), 60);
    expect(first.transitions.map((t) => t.kind)).toEqual(['firing']);
    const saved = parseAlertState(JSON.stringify(first.state));
    const again = evaluateAlerts([down], upView(0), 2000, saved);
    expect(again.transitions).toEqual([]);
    const later = evaluateAlerts([down], upView(1), 2600, parseAlertState(JSON.stringify(again.state)));
    expect(later.transitions.map((t) => t.kind)).toEqual(['resolved']);
  });

  it('a torn or foreign state file starts empty instead of failing', () => {
    expect(parseAlertState('{"version":1,"alerts":[')).toBe(EMPTY_ALERT_STATE);
    expect(parseAlertState('{"version":2,"alerts":[]}')).toBe(EMPTY_ALERT_STATE);
    expect(parseAlertState('{"version":1,"alerts":[{"key":1}]}')).toBe(EMPTY_ALERT_STATE);
    expect(parseAlertState(undefined)).toBe(EMPTY_ALERT_STATE);
  });

  it('a warning is not sent while the critical rule fires for the same series, and is sent after', () => {
    const labels = { chain: 'DOC', host: 'nn' };
    const view = (utxos: number): MetricView => ({
      series: (n) =>
        n === 'dokomodo_chain_notarization_utxos'
          ? [{ labels, value: utxos }]
          : n === 'dokomodo_chain_split_threshold'
            ? [{ labels, value: 20 }]
            : n === 'dokomodo_chain_notarization_enabled'
              ? [{ labels, value: 1 }]
              : [],
    });
    let state = EMPTY_ALERT_STATE;
    const sent: string[] = [];
    const step = (utxos: number, minute: number) => {
      const r = evaluateAlerts(utxoRules, view(utxos), minute * 60, state);
      state = r.state;
      sent.push(...r.transitions.map((t) => `${minute}:${t.kind}:${t.alert.severity}`));
    };
    for (let m = 0; m <= 40; m++) step(2, m); // critical after 5 m; the warning (30 m) stays inhibited
    for (let m = 41; m <= 45; m++) step(12, m); // split to 12: critical resolves, warning now speaks
    expect(sent).toEqual(['5:firing:critical', '41:resolved:critical', '41:firing:warning']);
  });
});
