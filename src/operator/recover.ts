/**
 * Disaster recovery of one host from the platform file and the wallet passphrase alone:
 *
 *   fence → deploy → chains → keys → iguana → utxo → verify
 *
 * - **fence**: no other host of the platform runs an Iguana of a mode this host's instances run
 *   (fence.ts): refused and named, stopped with `fence`, an unasked host only with
 *   `fenceUnreachable`. Checked again right before this host's Iguana starts.
 * - **deploy**: the host's files through its engine (the caller's deploy: render + Ansible).
 * - **chains**: every chain of the host started where it runs, each ready (RPC answers) before the
 *   phase ends.
 * - **keys**: the notary key imported into every chain of the host (`already` when it is there).
 * - **iguana**: each instance's Iguana process started on the host (`process` control), then
 *   bootstrapped (`iguana up`: its own resumable state).
 * - **utxo**: notarization UTXOs split on the host's notarized chains where below threshold
 *   (journaled: a split sent before a crash is found, never sent twice).
 * - **verify**: every chain running, the key `ismine` on each, each Iguana with every coin added
 *   and dPoW started, UTXO counts at or above threshold.
 *
 * Resumable: the run's progress is a state document (`recover/HOST`); run again after a kill, it
 * skips a deploy already done and goes through the other phases again, each of which only does
 * what is missing — a started chain is `already-running`, an imported key `already`, a finished
 * Iguana step skipped, a split not due. The passphrase is held in memory only.
 */
import type { TargetError } from './fanout.ts';
import { defaultTargetError, fanout } from './fanout.ts';
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel, HostModel, IguanaModel } from '../platform/model.ts';
import { startIguana } from './daemon/iguana-process.ts';
import { applySnapshot } from './daemon/snapshot.ts';
import type { DeployHostResult } from './deploy.ts';
import { type FenceFinding, fenceCheck, fenceHosts } from './fence.ts';
import { iguanaStatus, iguanaUp } from './iguana.ts';
import { importKeys, type NotaryKeys, walletHasKey } from './keys.ts';
import { startChains } from './lifecycle.ts';
import type { Runtime } from './runtime.ts';
import { collectStatus } from './status.ts';
import { type JournalStore, utxoRun, utxoStatuses } from './utxo.ts';

export const RECOVER_PHASES = ['fence', 'deploy', 'chains', 'keys', 'iguana', 'utxo', 'verify'] as const;
export type RecoverPhase = (typeof RECOVER_PHASES)[number];

export interface PhaseReport {
  phase: RecoverPhase;
  state: 'done' | 'skipped' | 'failed' | 'pending';
  durationMs: number;
  /** One line: what the phase did (or why it was skipped). */
  summary: string;
  error?: TargetError;
}

export interface VerifyReport {
  ok: boolean;
  chains: {
    chain: string;
    state: string;
    ismine: boolean | null;
    utxos: number | null;
    threshold: number | null;
  }[];
  iguana: {
    instance: string;
    state: string;
    coins: number;
    added: number;
    dpow: number;
    unlocked: boolean;
  }[];
  problems: string[];
}

export interface RecoverResult {
  host: string;
  ok: boolean;
  /** True when an unfinished earlier run was continued. */
  resumed: boolean;
  phases: PhaseReport[];
  fence: FenceFinding[];
  verify: VerifyReport | null;
  durationMs: number;
  statePath: string;
}

export type RecoverEvent =
  | { type: 'phase'; phase: RecoverPhase; state: 'start' }
  | { type: 'phase'; phase: RecoverPhase; state: PhaseReport['state']; report: PhaseReport }
  | { type: 'fence'; finding: FenceFinding }
  | { type: 'progress'; phase: RecoverPhase; message: string };

export interface RecoverOptions {
  host: HostModel;
  passphrase: string;
  keys: NotaryKeys;
  fence?: boolean;
  fenceUnreachable?: boolean;
  /** Applies the host's files (render + engine); omitted: no deploy phase (`skipped`). */
  deploy?: () => Promise<DeployHostResult[]>;
  /** The UTXO journal. */
  journal: JournalStore;
  /** Daemons of the devnet: the simulators' paths on the host, and more komodod arguments (rehearsals). */
  devnet?: { komodod: string; iguana: string; extraArgs?: readonly string[] };
  /**
   * Before a split that has no P2PKH funding, turn the address's mined and other outputs into one
   * (`utxo consolidate`) and wait for its confirmation. Off by default: the operator decides what
   * the notary's coins are spent on.
   */
  consolidate?: boolean;
  /** How long a daemon or Iguana may take to answer after start. Default 60 s. */
  waitMs?: number;
  onEvent?: (e: RecoverEvent) => void;
}

interface RecoverState {
  version: 1;
  host: string;
  startedAt: string;
  updatedAt: string;
  completedAt?: string;
  done: Partial<Record<RecoverPhase, { at: string; summary: string }>>;
}

const stateKey = (host: string) => `recover/${host}.json`;

function readRunState(rt: Runtime, host: string): RecoverState | undefined {
  const text = rt.state.read(stateKey(host));
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as RecoverState;
    return s.version === 1 && s.host === host && typeof s.done === 'object' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The chains of a host, the Iguana instances it runs, and the chains it notarizes (wallets there). */
export function hostScope(rt: Runtime, host: HostModel) {
  const chains = rt.platform.chains.filter((c) => c.host === host.name);
  const instances = rt.platform.iguana.filter((g) => g.host === host.name);
  const notarized = new Set(rt.platform.iguana.flatMap((g) => g.coins));
  return { chains, instances, notarizedHere: chains.filter((c) => notarized.has(c.name)) };
}

class PhaseFailed extends Error {
  constructor(
    readonly error: TargetError,
    readonly summary: string,
  ) {
    super(error.message);
  }
}

function failedTargets(
  what: string,
  results: readonly { target: string; ok: boolean; error?: TargetError }[],
): PhaseFailed | undefined {
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) return undefined;
  const first = bad[0]!.error!;
  return new PhaseFailed(
    {
      code: first.code,
      message: `${bad.length} of ${results.length} ${what} failed: ${bad.map((b) => `${b.target}: ${b.error?.message}`).join('; ')}`,
      ...(first.hint ? { hint: first.hint } : {}),
    },
    `${results.length - bad.length} of ${results.length} ok`,
  );
}

/** Recovers one host. Never throws for a failed phase: the result says which, and why. */
export async function recover(rt: Runtime, opts: RecoverOptions): Promise<RecoverResult> {
  const t0 = performance.now();
  const host = opts.host;
  const scope = hostScope(rt, host);
  const now = () => new Date(rt.clock.now()).toISOString();
  const emit = (e: RecoverEvent) => opts.onEvent?.(e);
  const earlier = readRunState(rt, host.name);
  const resumed = earlier !== undefined && earlier.completedAt === undefined;
  const state: RecoverState = resumed
    ? earlier
    : { version: 1, host: host.name, startedAt: now(), updatedAt: now(), done: {} };
  const save = () => {
    state.updatedAt = now();
    rt.state.write(stateKey(host.name), `${JSON.stringify(state, null, 2)}\n`);
  };
  save();
  const waitMs = opts.waitMs ?? 60_000;
  const reports: PhaseReport[] = [];
  let fence: FenceFinding[] = [];
  let verify: VerifyReport | null = null;

  const fenceNow = async () => {
    const found = await fenceCheck(rt, {
      instances: scope.instances,
      target: host.name,
      ...(opts.fence ? { fence: true } : {}),
      ...(opts.fenceUnreachable ? { fenceUnreachable: true } : {}),
      onEvent: (finding) => emit({ type: 'fence', finding }),
    });
    fence = [...fence, ...found.filter((f) => !fence.some((x) => x.host === f.host && x.pid === f.pid))];
    return found;
  };

  /** A phase's summary line; `skipped` when it had nothing to do because it was done before or not asked. */
  type Outcome = string | { skipped: string };
  const phases: Record<RecoverPhase, () => Promise<Outcome>> = {
    fence: async () => {
      if (scope.instances.length === 0) return 'no Iguana on this host: nothing to fence';
      const found = await fenceNow();
      const stopped = found.filter((f) => f.action === 'stopped' || f.action === 'killed');
      const lost = found.filter((f) => f.state === 'unreachable');
      return [
        stopped.length
          ? `stopped ${stopped.map((f) => `${f.host} pid ${f.pid}`).join(', ')}`
          : found.length === 0 && fenceHosts(rt, host.name).length === 0
            ? 'no other host where an Iguana could run'
            : `no other Iguana with this key on ${fenceHosts(rt, host.name).length} other host(s)`,
        ...(lost.length ? [`taken as down: ${lost.map((f) => f.host).join(', ')}`] : []),
      ].join('; ');
    },
    deploy: async () => {
      if (!opts.deploy) return { skipped: 'not asked (--no-deploy)' };
      if (state.done.deploy) return { skipped: `done earlier (${state.done.deploy.at})` };
      const results = await opts.deploy();
      const mine = results.find((r) => r.host === host.name);
      if (!mine || (mine.state !== 'applied' && mine.state !== 'unchanged')) {
        throw new PhaseFailed(
          defaultTargetError(
            new DokomodoError(
              'deploy-failed',
              `deploy of ${host.name}: ${mine ? `${mine.state}${mine.message ? `: ${mine.message}` : ''}` : 'not run'}`,
              {
                hint: `see the playbook's output (\`dokomodo deploy --host ${host.name}\` shows it), fix, and run recover again: it continues`,
              },
            ),
          ),
          mine?.state ?? 'not run',
        );
      }
      return `${mine.state} (${mine.changed} changed)`;
    },
    chains: async () => {
      if (scope.chains.length === 0) return 'no chains on this host';
      // Snapshots first, into data directories without block data (on each chain's host).
      await rt.prepare({ chains: scope.chains });
      const snapshots = await fanout(
        scope.chains.filter((c) => c.bootstrap).map((c) => c.name),
        async (name) => ({ state: await applySnapshot(rt, scope.chains.find((c) => c.name === name)!) }),
        { concurrency: 4 },
      );
      const badSnapshot = failedTargets('snapshots', snapshots);
      if (badSnapshot) throw badSnapshot;
      const unpacked = snapshots.filter((r) => r.result?.state === 'unpacked').length;
      if (unpacked) emit({ type: 'progress', phase: 'chains', message: `${unpacked} snapshot(s) unpacked` });
      const results = await startChains(rt, scope.chains, {
        ...(opts.devnet
          ? {
              devnet: {
                bin: opts.devnet.komodod,
                remoteBin: opts.devnet.komodod,
                ...(opts.devnet.extraArgs ? { extraArgs: opts.devnet.extraArgs } : {}),
              },
            }
          : {}),
      });
      const failed = failedTargets('chains', results);
      if (failed) throw failed;
      const started = results.filter((r) => r.result?.state === 'started').length;
      return `${started} started${unpacked ? ` (${unpacked} from a snapshot)` : ''}, ${results.length - started} already running, all answering`;
    },
    keys: async () => {
      if (scope.chains.length === 0) return 'no chains on this host';
      const results = await importKeys(rt, scope.chains, {
        keys: opts.keys,
        concurrency: 16,
        warmupMs: waitMs,
      });
      const failed = failedTargets('imports', results);
      if (failed) throw failed;
      const imported = results.filter((r) => r.result?.state === 'imported').length;
      return `${imported} imported, ${results.length - imported} already there`;
    },
    iguana: async () => {
      if (scope.instances.length === 0) return 'no Iguana on this host';
      // Between the first check and now a deploy ran: look again right before a signer starts.
      await fenceNow();
      const lines: string[] = [];
      for (const g of scope.instances) {
        if (host.control === 'process') {
          const s = await startIguana(rt, g, {
            timeoutMs: waitMs,
            ...(opts.devnet ? { devnetBin: opts.devnet.iguana } : {}),
          });
          emit({ type: 'progress', phase: 'iguana', message: `iguana ${g.name}: ${s.state} (pid ${s.pid})` });
        }
        const r = await iguanaUp({
          runtime: rt,
          instance: g,
          passphrase: opts.passphrase,
          keys: opts.keys,
          waitMs,
        });
        if (!r.ok) {
          const failed = r.steps.find((x) => x.state === 'failed');
          throw new PhaseFailed(
            r.error ??
              failed?.error ??
              defaultTargetError(
                new DokomodoError('iguana-up-failed', `iguana ${g.name}: the bootstrap did not finish`),
              ),
            `iguana ${g.name} stopped at ${failed ? `step ${failed.id}` : 'a failed step'}`,
          );
        }
        const n = (s: string) => r.steps.filter((x) => x.state === s).length;
        lines.push(`${g.name}: ${n('done')} steps done, ${n('skipped')} finished earlier`);
      }
      return lines.join('; ');
    },
    utxo: async () => {
      if (scope.notarizedHere.length === 0) return 'no notarized chain on this host';
      const consolidated = opts.consolidate
        ? await consolidateUnfunded(rt, scope.notarizedHere, opts.journal, waitMs)
        : 0;
      const results = await utxoRun(rt, scope.notarizedHere, 'split', { journal: opts.journal });
      const failed = failedTargets('splits', results);
      if (failed) throw failed;
      const sent = results.filter((r) => r.ok && !r.result!.skipped).length;
      return `${consolidated ? `${consolidated} consolidated first, ` : ''}${sent} split, ${results.length - sent} not due`;
    },
    verify: async () => {
      verify = await verifyHost(rt, host, opts.keys, waitMs);
      if (!verify.ok) {
        throw new PhaseFailed(
          defaultTargetError(
            new DokomodoError(
              'recover-unverified',
              `${host.name} is not whole yet: ${verify.problems.join('; ')}`,
              {
                hint: 'fix what is named and run recover again: it continues where it stopped',
              },
            ),
          ),
          `${verify.problems.length} problem(s)`,
        );
      }
      return `${verify.chains.length} chain(s) running with the key, ${verify.iguana.length} Iguana(s) notarizing`;
    },
  };

  let failed = false;
  for (const phase of RECOVER_PHASES) {
    if (failed) {
      reports.push({ phase, state: 'pending', durationMs: 0, summary: 'not reached' });
      continue;
    }
    emit({ type: 'phase', phase, state: 'start' });
    const p0 = performance.now();
    let report: PhaseReport;
    try {
      const out = await phases[phase]();
      const durationMs = performance.now() - p0;
      if (typeof out === 'string') {
        report = { phase, state: 'done', durationMs, summary: out };
        state.done[phase] = { at: now(), summary: out };
      } else report = { phase, state: 'skipped', durationMs, summary: out.skipped };
    } catch (e) {
      failed = true;
      const error = e instanceof PhaseFailed ? e.error : defaultTargetError(e);
      report = {
        phase,
        state: 'failed',
        durationMs: performance.now() - p0,
        summary: e instanceof PhaseFailed ? e.summary : error.message,
        error,
      };
    }
    save();
    reports.push(report);
    emit({ type: 'phase', phase, state: report.state, report });
  }
  if (!failed) {
    state.completedAt = now();
    save();
  }
  return {
    host: host.name,
    ok: !failed,
    resumed,
    phases: reports,
    fence,
    verify,
    durationMs: performance.now() - t0,
    statePath: rt.state.where(stateKey(host.name)),
  };
}

/**
 * The chains whose split is due but has no P2PKH output to spend while mined or other outputs
 * sit at the address: consolidated into one, then waited for (a confirmation) up to `waitMs`.
 */
async function consolidateUnfunded(
  rt: Runtime,
  chains: readonly ChainModel[],
  journal: JournalStore,
  waitMs: number,
): Promise<number> {
  const unfunded = (await utxoStatuses(rt, chains))
    .filter((r) => r.ok && r.result!.splitDue && r.result!.funding.count === 0 && r.result!.other.count > 0)
    .map((r) => chains.find((c) => c.name === r.target)!);
  if (unfunded.length === 0) return 0;
  const failed = failedTargets('consolidations', await utxoRun(rt, unfunded, 'consolidate', { journal }));
  if (failed) throw failed;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const st = await utxoStatuses(rt, unfunded);
    if (st.every((r) => r.ok && r.result!.funding.count > 0)) return unfunded.length;
    if (Date.now() > deadline)
      throw new DokomodoError(
        'consolidate-unconfirmed',
        `the consolidation of ${unfunded.map((c) => c.name).join(', ')} was not confirmed within ${Math.round(waitMs / 1000)} s`,
        { hint: 'wait for a block and run recover again: it continues' },
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What makes a host whole, asked again from scratch. */
export async function verifyHost(
  rt: Runtime,
  host: HostModel,
  keys: NotaryKeys,
  waitMs = 10_000,
): Promise<VerifyReport> {
  const scope = hostScope(rt, host);
  const problems: string[] = [];
  const status = await collectStatus(rt, scope.chains);
  const byChain = new Map(status.chains.map((s) => [s.chain, s]));
  const ismine = new Map<string, boolean | null>();
  await Promise.all(
    scope.chains.map(async (c: ChainModel) => {
      const client = rt.clients.chain(c, { timeoutMs: 10_000 });
      try {
        ismine.set(
          c.name,
          await walletHasKey(client, c, keys.byChain.get(c.name)!.address, Date.now() + waitMs),
        );
      } catch {
        ismine.set(c.name, null);
      } finally {
        await client.close();
      }
    }),
  );
  const utxos = new Map(
    (await utxoStatuses(rt, scope.notarizedHere)).map((r) => [r.target, r.ok ? r.result! : undefined]),
  );
  const chains = scope.chains.map((c) => {
    const st = byChain.get(c.name)?.state ?? 'unknown';
    const u = utxos.get(c.name);
    if (st !== 'running') problems.push(`${c.name} is ${st}`);
    if (ismine.get(c.name) !== true) problems.push(`${c.name}: the notary key is not in its wallet`);
    if (scope.notarizedHere.includes(c)) {
      if (!u) problems.push(`${c.name}: UTXOs could not be counted`);
      else if (u.enabled && u.usable + u.pending < u.threshold)
        problems.push(`${c.name}: ${u.usable + u.pending} notarization UTXOs < threshold ${u.threshold}`);
    }
    return {
      chain: c.name,
      state: st,
      ismine: ismine.get(c.name) ?? null,
      utxos: u ? u.usable + u.pending : null,
      threshold: u ? u.threshold : null,
    };
  });
  const iguana: VerifyReport['iguana'] = [];
  for (const g of scope.instances as IguanaModel[]) {
    const s = await iguanaStatus(rt, g);
    const added = s.coins.filter((c) => c.added).length;
    const dpow = s.coins.filter((c) => c.dpow === true).length;
    const planned = s.coins.filter((c) => c.dpowPlanned).length;
    const unlocked = s.unlock?.status === 'unlocked';
    if (s.state !== 'running') problems.push(`iguana ${g.name} is ${s.state}`);
    else {
      if (added < s.coins.length)
        problems.push(`iguana ${g.name}: ${added} of ${s.coins.length} coins added`);
      if (dpow < planned) problems.push(`iguana ${g.name}: dPoW started for ${dpow} of ${planned} coins`);
      if (!unlocked) problems.push(`iguana ${g.name}: the wallet is locked`);
      if (s.identity?.pubkey && s.identity.pubkey !== keys.pubkey)
        problems.push(`iguana ${g.name} signs as ${s.identity.pubkey}, not ${keys.pubkey}`);
    }
    iguana.push({ instance: g.name, state: s.state, coins: s.coins.length, added, dpow, unlocked });
  }
  return { ok: problems.length === 0, chains, iguana, problems };
}
