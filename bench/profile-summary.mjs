// Where the time goes: inclusive milliseconds of named functions in a V8 CPU profile
// (`node --cpu-prof`), so the benchmark reports the split of the run it measured.
import { readFileSync } from 'node:fs';

/** `groups`: label → function names; a sample counts once per label when any of its frames matches. */
export function summarize(file, groups) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = p.timeDeltas.reduce((a, b) => a + b, 0);
  const out = Object.fromEntries(Object.keys(groups).map((k) => [k, 0]));
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const names = new Set();
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id))
      names.add(byId.get(id).callFrame.functionName);
    for (const [label, fns] of Object.entries(groups)) if (fns.some((f) => names.has(f))) out[label] += dt;
  }
  return {
    totalMs: total / 1000,
    ms: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v / 1000])),
  };
}
