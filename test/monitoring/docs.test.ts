/**
 * docs/monitoring.md: the metric and alert tables are generated from the code and must not drift.
 * After an intended change: `UPDATE_DOCS=1 npx vitest run test/monitoring/docs.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALERT_GROUPS } from '../../src/contract/alerts.ts';
import { EXTERNAL_METRICS, METRICS } from '../../src/contract/metrics.ts';

const DOC = 'docs/monitoring.md';

/** A table cell: pipes escaped, so PromQL regexes survive. */
const cell = (s: string) => s.replaceAll('|', '\\|');

function metricsTable(): string {
  const rows = METRICS.map(
    (m) =>
      `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${m.subject}${
        m.onlyWhenUp ? ' (while up)' : ''
      } | ${cell(m.help)} | ${cell(m.source)} |`,
  );
  return [
    '| metric | type | labels | one per | meaning | value from |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function externalTable(): string {
  const rows = EXTERNAL_METRICS.map(
    (m) =>
      `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${m.source} |`,
  );
  return ['| metric | type | labels | served by |', '|---|---|---|---|', ...rows].join('\n');
}

function alertsTable(): string {
  const rows = ALERT_GROUPS.flatMap((g) =>
    g.rules.map(
      (r) =>
        `| \`${r.alert}\` | ${r.severity} | ${r.for || '—'} | \`${cell(r.expr)}\` | ${cell(r.summary)} |`,
    ),
  );
  return ['| alert | severity | for | expression | summary |', '|---|---|---|---|---|', ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = {
  metrics: metricsTable,
  'external-metrics': externalTable,
  alerts: alertsTable,
};

function section(doc: string, name: string): { start: number; end: number } | undefined {
  const begin = `<!-- generated:${name} -->\n`;
  const end = `<!-- /generated:${name} -->`;
  const s = doc.indexOf(begin);
  const e = doc.indexOf(end);
  if (s < 0 || e < s) return undefined;
  return { start: s + begin.length, end: e };
}

describe(DOC, () => {
  let doc = readFileSync(DOC, 'utf8');
  if (process.env['UPDATE_DOCS']) {
    for (const [name, gen] of Object.entries(SECTIONS)) {
      const at = section(doc, name);
      if (at) doc = `${doc.slice(0, at.start)}${gen()}\n${doc.slice(at.end)}`;
    }
    writeFileSync(DOC, doc);
  }

  it.each(Object.keys(SECTIONS))('the %s table matches the code', (name) => {
    const at = section(doc, name);
    expect(at, `${DOC} lacks <!-- generated:${name} --> … <!-- /generated:${name} -->`).toBeDefined();
    expect(doc.slice(at!.start, at!.end)).toBe(`${SECTIONS[name]!()}\n`);
  });

  it('explains every alert', () => {
    for (const name of new Set(ALERT_GROUPS.flatMap((g) => g.rules.map((r) => r.alert))))
      expect(doc, name).toMatch(new RegExp(`^- \\*\\*\`${name}\`\\*\\*`, 'm'));
  });
});
