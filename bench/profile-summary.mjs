// Where the time goes: milliseconds of a V8 CPU profile (`node --cpu-prof`) by part. Each sample
// goes to the innermost frame that names a part (so writing a file that a renderer hands to the
// writer counts as writing, not rendering); samples in no part are start-up, module loading and
// the rest.
import { readFileSync } from 'node:fs';

/** `parts`: label → function names. Returns milliseconds per label, with `other` for the rest. */
export function summarize(file, parts) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const labelOf = new Map();
  for (const [label, fns] of Object.entries(parts)) for (const f of fns) labelOf.set(f, label);
  const ms = Object.fromEntries([...Object.keys(parts), 'other'].map((k) => [k, 0]));
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    let label = 'other';
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const l = labelOf.get(byId.get(id).callFrame.functionName);
      if (l) {
        label = l;
        break;
      }
    }
    ms[label] += dt;
  }
  return { totalMs: total, ms };
}
