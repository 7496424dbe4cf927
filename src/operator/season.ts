/**
 * A season change as a planned change: which notaries and seeds come and go in one elected list,
 * whether this notary is elected in it, and which Iguana instances read it (and so restart) —
 * then applied: each instance's elected file written on its host, its Iguana restarted (the
 * elected file is read at start) and bootstrapped again (`iguana up`), fenced like recover.
 *
 * The platform file change itself (`notaries.NAME` pointing at the new season or file) is made by
 * the caller (platform/edit.ts), which loads the new platform and hands both here.
 */
import { DokomodoError } from '../core/errors.ts';
import { electedFile } from '../komodo/iguana.ts';
import type { IguanaModel, NotaryListModel, Platform } from '../platform/model.ts';
import { iguanaPid, iguanaPlace, killIguana, startIguana } from './daemon/iguana-process.ts';
import { defaultTargetError } from './fanout.ts';
import { fenceCheck } from './fence.ts';
import { iguanaUp, type UpResult } from './iguana.ts';
import type { NotaryKeys } from './keys.ts';
import type { Runtime } from './runtime.ts';

export interface SeasonPlan {
  list: string;
  from: string;
  to: string;
  added: { name: string; pubkey: string }[];
  removed: { name: string; pubkey: string }[];
  /** Same name, another pubkey. */
  rekeyed: { name: string; from: string; to: string }[];
  seeds: { added: string[]; removed: string[] };
  /** port, minsigs, BTCminsigs that change. */
  settings: { key: string; from: number; to: number }[];
  /** The platform's notary pubkey (defaults.pubkey) in the old and the new list. */
  ours: { pubkey: string | undefined; before: boolean; after: boolean };
  /** The Iguana instances that read this list: each restarts. */
  instances: { instance: string; host: string }[];
  /** Nothing changes. */
  unchanged: boolean;
}

export function seasonPlan(before: Platform, after: Platform, list: string): SeasonPlan {
  const a = before.notaries.find((n) => n.name === list);
  const b = after.notaries.find((n) => n.name === list);
  if (!a || !b)
    throw new DokomodoError('unknown-notaries', `no notary list \`${list}\` in ${before.file}`, {
      hint: `lists: ${before.notaries.map((n) => n.name).join(', ') || '(none)'}`,
    });
  const byName = (l: NotaryListModel) => new Map(l.notaries.map((n) => [n.name, n.pubkey]));
  const old = byName(a);
  const now = byName(b);
  const pubkey = after.defaults.pubkey;
  const has = (l: NotaryListModel) => pubkey !== undefined && l.notaries.some((n) => n.pubkey === pubkey);
  const settings = (['port', 'minsigs', 'BTCminsigs'] as const)
    .filter((k) => a[k] !== b[k])
    .map((k) => ({ key: k, from: a[k], to: b[k] }));
  const plan: SeasonPlan = {
    list,
    from: a.source,
    to: b.source,
    added: [...now].filter(([n]) => !old.has(n)).map(([name, pk]) => ({ name, pubkey: pk })),
    removed: [...old].filter(([n]) => !now.has(n)).map(([name, pk]) => ({ name, pubkey: pk })),
    rekeyed: [...now]
      .filter(([n, pk]) => old.has(n) && old.get(n) !== pk)
      .map(([name, pk]) => ({ name, from: old.get(name)!, to: pk })),
    seeds: {
      added: [...new Set(b.seeds)].filter((s) => !a.seeds.includes(s)),
      removed: [...new Set(a.seeds)].filter((s) => !b.seeds.includes(s)),
    },
    settings,
    ours: { pubkey, before: has(a), after: has(b) },
    instances: after.iguana
      .filter((g) => g.notaries === list)
      .map((g) => ({ instance: g.name, host: g.host ?? 'this machine' })),
    unchanged: false,
  };
  const order = (l: NotaryListModel) => l.notaries.map((n) => `${n.name}:${n.pubkey}`).join(',');
  plan.unchanged =
    order(a) === order(b) &&
    plan.seeds.added.length + plan.seeds.removed.length === 0 &&
    settings.length === 0;
  return plan;
}

export interface SeasonInstanceResult {
  instance: string;
  host: string;
  ok: boolean;
  /** What happened to its Iguana process. */
  restart: 'restarted' | 'started' | 'not-driven';
  up?: UpResult;
  error?: { code: string; message: string; hint?: string };
}

export interface SeasonApplyOptions {
  passphrase: string;
  keys: NotaryKeys;
  fence?: boolean;
  fenceUnreachable?: boolean;
  waitMs?: number;
  onEvent?: (e: { type: 'instance'; instance: string; message: string }) => void;
}

/** Writes the instance's elected file in its working directory on its host (atomic rename). */
async function installElected(rt: Runtime, g: IguanaModel): Promise<void> {
  const list = rt.platform.notaries.find((n) => n.name === g.notaries)!;
  const p = iguanaPlace(rt, g);
  const name = g.mode === 'main' ? 'elected' : '3rd_party';
  const r = await p.shell.run(
    [
      'sh',
      '-c',
      'umask 022; mkdir -p "$1" && cat > "$1/.$2.tmp" && mv -f "$1/.$2.tmp" "$1/$2"',
      'sh',
      p.workdir,
      name,
    ],
    { input: `${JSON.stringify(electedFile(list), null, 2)}\n` },
  );
  if (r.code !== 0)
    throw new DokomodoError(
      'remote-command-failed',
      `iguana ${g.name}: could not write ${p.workdir}/${name} on ${p.hostName}: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`}`,
      { hint: `check ${p.workdir} and its owner on ${p.hostName}` },
    );
}

/**
 * Applies a season change to the instances reading `plan.list` (the runtime holds the new
 * platform): elected file, Iguana restart, bootstrap. Instance after instance; stops at the first
 * that fails, the rest not touched.
 */
export async function seasonApply(
  rt: Runtime,
  plan: SeasonPlan,
  opts: SeasonApplyOptions,
): Promise<SeasonInstanceResult[]> {
  const out: SeasonInstanceResult[] = [];
  const instances = rt.platform.iguana.filter((g) => g.notaries === plan.list);
  for (const g of instances) {
    const host = g.host ?? 'this machine';
    const say = (message: string) => opts.onEvent?.({ type: 'instance', instance: g.name, message });
    try {
      const hostModel = rt.hostOf(g.host);
      if (g.host) await rt.prepare({ iguana: [g] });
      await installElected(rt, g);
      say(`elected file written on ${host}`);
      let restart: SeasonInstanceResult['restart'] = 'not-driven';
      if (!hostModel || hostModel.control === 'process') {
        await fenceCheck(rt, {
          instances: [g],
          target: g.host,
          ...(opts.fence ? { fence: true } : {}),
          ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
        });
        const p = iguanaPlace(rt, g);
        const pid = await iguanaPid(p);
        if (pid !== undefined) {
          await killIguana(p.shell, pid, p.hostName);
          await p.shell.run(['rm', '-f', p.pidFile]);
        }
        await startIguana(rt, g, { ...(opts.waitMs ? { timeoutMs: opts.waitMs } : {}) });
        restart = pid !== undefined ? 'restarted' : 'started';
        say(`Iguana ${restart} on ${host}`);
      } else {
        say(
          `restart Iguana ${g.name} with ${hostModel.control} on ${host}: it reads the elected file at start`,
        );
      }
      const up = await iguanaUp({
        runtime: rt,
        instance: g,
        passphrase: opts.passphrase,
        keys: opts.keys,
        ...(opts.waitMs ? { waitMs: opts.waitMs } : {}),
      });
      out.push({ instance: g.name, host, ok: up.ok, restart, up, ...(up.error ? { error: up.error } : {}) });
      if (!up.ok) break;
    } catch (e) {
      out.push({ instance: g.name, host, ok: false, restart: 'not-driven', error: defaultTargetError(e) });
      break;
    }
  }
  return out;
}
