/**
 * What upstream changed: an existing platform against the one a dPoW checkout gives, both
 * normalized, so spelling (quotes, flow or block style, order of keys) never shows as a change.
 * Chains are matched by name, Iguana instances and their notary lists by mode (main, 3p). Hosts
 * and addresses are the operator's own and are not compared.
 */
import type { ChainModel, IguanaModel, NotaryListModel, Platform } from '../platform/model.ts';

export type ChangeKind =
  | 'chain-added'
  | 'chain-removed'
  | 'chain-changed'
  | 'iguana-coins'
  | 'notaries'
  | 'seeds'
  | 'notary-settings';

export interface UpstreamChange {
  kind: ChangeKind;
  /** Chain name, or the Iguana mode (`main`, `3p`). */
  subject: string;
  /** What changed: `params.ac_supply`, `addnode`, `p2p`, a notary's name, … */
  field?: string;
  was?: string;
  now?: string;
}

export function diffPlatforms(current: Platform, upstream: Platform): UpstreamChange[] {
  const out: UpstreamChange[] = [];
  const cur = new Map(current.chains.map((c) => [c.name, c]));
  const up = new Map(upstream.chains.map((c) => [c.name, c]));
  for (const c of upstream.chains) {
    if (!cur.has(c.name)) out.push({ kind: 'chain-added', subject: c.name, now: summary(c) });
  }
  for (const c of current.chains) {
    const u = up.get(c.name);
    if (!u) {
      out.push({ kind: 'chain-removed', subject: c.name, was: summary(c) });
      continue;
    }
    out.push(...chainChanges(c, u));
  }
  for (const mode of ['main', '3p'] as const) {
    const a = instance(current, mode);
    const b = instance(upstream, mode);
    if (!a && !b) continue;
    const ca = a?.coins ?? [];
    const cb = b?.coins ?? [];
    const added = cb.filter((x) => !ca.includes(x));
    const removed = ca.filter((x) => !cb.includes(x));
    if (added.length || removed.length) {
      out.push({
        kind: 'iguana-coins',
        subject: mode,
        ...(removed.length ? { was: removed.join(' ') } : {}),
        ...(added.length ? { now: added.join(' ') } : {}),
      });
    }
    const la = a && current.notaries.find((n) => n.name === a.notaries);
    const lb = b && upstream.notaries.find((n) => n.name === b.notaries);
    if (la && lb) out.push(...notaryChanges(mode, la, lb));
  }
  return out;
}

function instance(p: Platform, mode: 'main' | '3p'): IguanaModel | undefined {
  return p.iguana.find((g) => g.mode === mode);
}

function summary(c: ChainModel): string {
  const what =
    c.kind === 'assetchain' ? `assetchain${c.acName !== c.name ? ` ${c.acName}` : ''}` : c.coin.symbol;
  return `${what}, p2p ${c.p2p}, rpc ${c.rpc}`;
}

function chainChanges(a: ChainModel, b: ChainModel): UpstreamChange[] {
  const out: UpstreamChange[] = [];
  const field = (f: string, was: string | undefined, now: string | undefined) => {
    if (was !== now)
      out.push({
        kind: 'chain-changed',
        subject: a.name,
        field: f,
        ...(was !== undefined ? { was } : {}),
        ...(now !== undefined ? { now } : {}),
      });
  };
  field('kind', a.kind === 'coin' ? a.coin.symbol : a.kind, b.kind === 'coin' ? b.coin.symbol : b.kind);
  field('ac_name', a.acName, b.acName);
  field('rules', a.rules, b.rules);
  for (const k of union(Object.keys(a.params), Object.keys(b.params)))
    field(`params.${k}`, a.params[k], b.params[k]);
  for (const k of union(Object.keys(a.args), Object.keys(b.args))) field(`args.${k}`, a.args[k], b.args[k]);
  const addA = a.addnode.filter((x) => !b.addnode.includes(x));
  const addB = b.addnode.filter((x) => !a.addnode.includes(x));
  if (addA.length || addB.length) {
    out.push({
      kind: 'chain-changed',
      subject: a.name,
      field: 'addnode',
      ...(addA.length ? { was: addA.join(' ') } : {}),
      ...(addB.length ? { now: addB.join(' ') } : {}),
    });
  }
  field('p2p', String(a.p2p), String(b.p2p));
  field('rpc', String(a.rpc), String(b.rpc));
  field('netmagic', a.netmagic, b.netmagic);
  field('datadir', a.datadir, b.datadir);
  field('daemon', a.coin.daemon, b.coin.daemon);
  field('notarized', String(a.notarization.enabled), String(b.notarization.enabled));
  return out;
}

function notaryChanges(mode: string, a: NotaryListModel, b: NotaryListModel): UpstreamChange[] {
  const out: UpstreamChange[] = [];
  for (const f of ['port', 'minsigs', 'BTCminsigs'] as const) {
    if (a[f] !== b[f])
      out.push({ kind: 'notary-settings', subject: mode, field: f, was: String(a[f]), now: String(b[f]) });
  }
  const ka = new Map(a.notaries.map((n) => [n.name, n.pubkey]));
  const kb = new Map(b.notaries.map((n) => [n.name, n.pubkey]));
  for (const [name, key] of kb) {
    const old = ka.get(name);
    if (old === undefined) out.push({ kind: 'notaries', subject: mode, field: name, now: key });
    else if (old !== key) out.push({ kind: 'notaries', subject: mode, field: name, was: old, now: key });
  }
  for (const [name, key] of ka)
    if (!kb.has(name)) out.push({ kind: 'notaries', subject: mode, field: name, was: key });
  const sa = a.seeds.filter((s) => !b.seeds.includes(s));
  const sb = b.seeds.filter((s) => !a.seeds.includes(s));
  if (sa.length || sb.length) {
    out.push({
      kind: 'seeds',
      subject: mode,
      ...(sa.length ? { was: sa.join(' ') } : {}),
      ...(sb.length ? { now: sb.join(' ') } : {}),
    });
  }
  return out;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
