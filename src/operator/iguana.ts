import {
  bootstrapOrder,
  bootstrapPlan,
  iguanaPayload,
  iguanaStateDir,
  KMD_DPOW_DEST,
  WALLET_TIMEOUT,
} from '../compiler/renderers/iguana.ts';
import { type DokomodoError, usageError } from '../core/errors.ts';
import { redact, registerSecret } from '../core/redact.ts';
import { rpcCredentials } from '../komodo/creds.ts';
import type { ChainModel, IguanaModel, Platform } from '../platform/model.ts';
import type { Runtime } from './runtime.ts';
import type { StateStore } from '../core/state.ts';
import { localChain } from './daemon/local.ts';
import { defaultTargetError, type TargetError } from './fanout.ts';
import { type IguanaClient, IguanaError } from './iguana-client.ts';
import { callReady, type NotaryKeys, walletHasKey } from './keys.ts';
import { RpcError } from './rpc/client.ts';

export type StepKind = 'unlockutxos' | 'myipaddr' | 'addnotary' | 'addcoin' | 'walletpassphrase' | 'dpow';

/** One step as executed: the plan's step with a stable id (the key of the state file). */
export interface ExecStep {
  id: string;
  step: StepKind;
  coin?: string;
  request?: Record<string, unknown>;
  timeout?: number;
}

export type StepState = 'done' | 'skipped' | 'failed' | 'pending';

export interface StepReport {
  id: string;
  step: StepKind;
  coin?: string;
  state: StepState;
  durationMs?: number;
  /** What Iguana said when it is worth knowing ("coin already there", "unlocked 2 UTXOs"). */
  note?: string;
  error?: TargetError;
}

export type IguanaEvent =
  | { type: 'step'; phase: 'start'; id: string; step: StepKind; coin?: string }
  | {
      type: 'step';
      phase: 'done' | 'skipped';
      id: string;
      step: StepKind;
      coin?: string;
      durationMs: number;
      note?: string;
    }
  | {
      type: 'step';
      phase: 'failed';
      id: string;
      step: StepKind;
      coin?: string;
      durationMs: number;
      error: TargetError;
    }
  | { type: 'retry'; id: string; attempt: number; delayMs: number; message: string }
  | { type: 'restart'; message: string };

export interface UpResult {
  instance: string;
  endpoint: string;
  ok: boolean;
  /** True when Iguana was found restarted and bootstrapped again from the start. */
  restarted: boolean;
  steps: StepReport[];
  /** The failure that stopped the run (also on the failed step, if it was one). */
  error?: TargetError;
  statePath: string;
}

/** What the state file holds. No secret: ids, times, the public key and Iguana's endpoint. */
export interface BootstrapState {
  version: 1;
  instance: string;
  endpoint: string;
  pubkey: string;
  /** Finished steps by id. */
  done: Record<string, { at: string; note?: string }>;
  /** When walletpassphrase last succeeded, and for how long Iguana said it unlocked. */
  unlockedAt?: string;
  unlockSeconds?: number;
  updatedAt: string;
}

export interface UpOptions {
  /** The platform, its secret, the clients, the state store (the bootstrap state) and the clock. */
  runtime: Runtime;
  instance: IguanaModel;
  passphrase: string;
  keys: NotaryKeys;
  /** The chains' data root on this machine, as given to `start --datadir` (addcoin `path` points there). */
  datadir?: string;
  /** How long transient failures are retried: Iguana starting, a daemon warming up. Default 60 s. */
  waitMs?: number;
  onEvent?: (e: IguanaEvent) => void;
}

/** "N s", "N min", "N h" or "N days" for a time left. */
export function unlockLeft(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
const NO_COIN_YET = 'null return from iguana_bitcoinRPC';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bootstrap state's key in the state store: ~/.dokomodo/iguana/<instance>/state.json, beside the rendered payloads. */
export function stateKeyOf(g: IguanaModel): string {
  return `${iguanaStateDir(g).replace(/^~\/\.dokomodo\//, '')}/state.json`;
}

export function endpointOf(client: IguanaClient): string {
  return `${client.host}:${client.port}`;
}

/** The steps `iguana up` executes: step 0 (unlock KMD UTXOs) when the instance has KMD, then the plan. */
export function executionSteps(platform: Platform, g: IguanaModel): ExecStep[] {
  const plan = bootstrapPlan(platform, g);
  const steps: ExecStep[] = [];
  const kmd = bootstrapOrder(platform, g).find((c) => c.kind === 'kmd');
  if (kmd) steps.push({ id: `unlockutxos:${kmd.symbol}`, step: 'unlockutxos', coin: kmd.symbol });
  for (const s of plan.steps) {
    const ip = typeof s.request?.['ipaddr'] === 'string' ? (s.request['ipaddr'] as string) : '';
    const id =
      s.step === 'addnotary' ? `addnotary:${ip}` : s.coin !== undefined ? `${s.step}:${s.coin}` : s.step;
    const e: ExecStep = { id, step: s.step };
    if (s.coin !== undefined) e.coin = s.coin;
    if (s.request !== undefined) e.request = s.request;
    if (s.timeout !== undefined) e.timeout = s.timeout;
    steps.push(e);
  }
  return steps;
}

// ---- state file -----------------------------------------------------------------------------

export function readState(store: StateStore, key: string): BootstrapState | undefined {
  let text: string | undefined;
  try {
    text = store.read(key);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const s = JSON.parse(text) as BootstrapState;
    if (s && s.version === 1 && typeof s.done === 'object' && s.done !== null) return s;
  } catch {
    // a torn or hand-edited file: start over rather than trust it
  }
  return undefined;
}

function writeState(store: StateStore, key: string, s: BootstrapState): void {
  store.write(key, `${JSON.stringify(s, null, 2)}\n`);
}

function freshState(g: IguanaModel, endpoint: string, pubkey: string, now: Date): BootstrapState {
  return { version: 1, instance: g.name, endpoint, pubkey, done: {}, updatedAt: now.toISOString() };
}

// ---- errors ---------------------------------------------------------------------------------

class StepFailure extends Error {
  constructor(readonly error: TargetError) {
    super(error.message);
  }
}

function fail(code: string, message: string, hint?: string): StepFailure {
  return new StepFailure({ code, message: redact(message), ...(hint ? { hint: redact(hint) } : {}) });
}

const RERUN = 'then run `dokomodo iguana up` again: finished steps are not repeated';

/** Maps anything a step throws to a target error with a stable code and a hint. */
export function stepError(e: unknown, label: string): TargetError {
  if (e instanceof StepFailure) return e.error;
  if (e instanceof IguanaError) {
    const map: Record<string, [string, string]> = {
      transport: ['iguana-unreachable', `is Iguana running and listening on ${label}? Start it, ${RERUN}`],
      empty: [
        'iguana-crashed',
        `Iguana closed the connection without a reply: it crashed or is exiting. Restart it, ${RERUN} (a restarted Iguana is bootstrapped from the start)`,
      ],
      timeout: ['iguana-timeout', `Iguana did not answer in time (it serves one call at a time); ${RERUN}`],
      protocol: ['iguana-protocol', `something other than Iguana answers on ${label}`],
      iguana: ['iguana-error', `see Iguana's log; ${RERUN}`],
    };
    const [code, hint] = map[e.kind] ?? ['iguana-error', RERUN];
    return { code, message: redact(e.message), hint };
  }
  const err = defaultTargetError(e);
  if (e instanceof RpcError && e.kind === 'transport')
    err.hint = `is ${e.label} running? \`dokomodo start ${e.label}\`, ${RERUN}`;
  return err;
}

// ---- execution ------------------------------------------------------------------------------

interface RunCtx {
  opts: UpOptions;
  client: IguanaClient;
  state: BootstrapState;
  statePath: string;
  waitMs: number;
  pubkey: string;
  chainsBySymbol: Map<string, ChainModel>;
  /** Chains whose wallet was seen holding the key during this run. */
  keyChecked: Set<string>;
  emit: (e: IguanaEvent) => void;
}

/** Retries a call while Iguana refuses connections (starting up), up to the wait bound. */
async function iguanaRetry<T>(ctx: RunCtx, id: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ctx.waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = Math.min(5_000, 250 * 2 ** (attempt - 1));
      if (!(e instanceof IguanaError) || e.kind !== 'transport' || Date.now() + delay > deadline) throw e;
      ctx.emit({ type: 'retry', id, attempt, delayMs: delay, message: e.message });
      await sleep(delay);
    }
  }
}

function payloadFor(ctx: RunCtx, chain: ChainModel): Record<string, unknown> {
  const { runtime, instance, datadir } = ctx.opts;
  const { platform } = runtime;
  const secret = runtime.secret();
  const { payload, remote } = iguanaPayload(platform, secret, instance, chain);
  const out = { ...payload };
  if (remote) {
    // The payload carries the chain's RPC password for Iguana; it must never be printed.
    registerSecret(rpcCredentials(secret, chain.name).password);
    return out;
  }
  // Otherwise the rendered payload: its path is the chain's datadir on its host (homeOf) — except
  // on this machine when the platform names no home: there `start` put the data under our own
  // home, and Iguana must read the conf from where it is.
  const igHost = runtime.hostOf(instance.host);
  if (datadir !== undefined) out['path'] = localChain(chain, { datadir }).datadir.replace(/^\/+/, '');
  else if ((igHost === undefined || igHost.local) && igHost?.home === undefined)
    out['path'] = localChain(chain, {}).datadir.replace(/^\/+/, '');
  return out;
}

/** The daemons a dpow step needs: the source and its destination (KMD, or LTC for KMD). */
function dpowChains(ctx: RunCtx, step: ExecStep): ChainModel[] {
  const symbol = step.coin ?? 'KMD';
  const requested = typeof step.request?.['dest'] === 'string' ? (step.request['dest'] as string) : undefined;
  const dest = symbol === 'KMD' ? KMD_DPOW_DEST : (requested ?? 'KMD');
  return [symbol, dest].flatMap((s) => {
    const c = ctx.chainsBySymbol.get(s);
    return c ? [c] : [];
  });
}

/** Before dpow: each daemon out of warm-up and holding the notary key (Iguana checks the same, with a vaguer error). */
async function preflight(ctx: RunCtx, step: ExecStep): Promise<void> {
  for (const chain of dpowChains(ctx, step)) {
    if (ctx.keyChecked.has(chain.name)) continue;
    const key = ctx.opts.keys.byChain.get(chain.name);
    if (!key) continue;
    const rpc = ctx.opts.runtime.clients.chain(chain, { timeoutMs: 30_000, retry: false });
    try {
      const mine = await walletHasKey(
        rpc,
        chain,
        key.address,
        Date.now() + ctx.waitMs,
        (attempt, delayMs, message) => ctx.emit({ type: 'retry', id: step.id, attempt, delayMs, message }),
      );
      if (!mine) {
        throw fail(
          'key-not-imported',
          `${chain.name}: the wallet does not hold the notary key (${key.address}); Iguana's dpow would refuse`,
          `run \`dokomodo keys import ${chain.name}\`, ${RERUN}`,
        );
      }
    } catch (e) {
      if (e instanceof RpcError && e.kind === 'warmup')
        throw fail(
          'chain-warming-up',
          `${chain.name}: still warming up after ${Math.round(ctx.waitMs / 1000)} s (${e.message})`,
          `wait until \`dokomodo status ${chain.name}\` says running, ${RERUN}`,
        );
      throw e;
    } finally {
      await rpc.close();
    }
    ctx.keyChecked.add(chain.name);
  }
}

/** Runs one step; resolves with a note, throws StepFailure/IguanaError/RpcError. */
async function runStep(ctx: RunCtx, step: ExecStep): Promise<string | undefined> {
  const { client } = ctx;
  switch (step.step) {
    case 'unlockutxos': {
      const chain = ctx.chainsBySymbol.get(step.coin ?? 'KMD')!;
      const rpc = ctx.opts.runtime.clients.chain(chain, { timeoutMs: 30_000, retry: false });
      try {
        const deadline = Date.now() + ctx.waitMs;
        const locked = await callReady<unknown>(rpc, 'listlockunspent', [], deadline);
        const list = Array.isArray(locked) ? locked : [];
        if (list.length === 0) return 'nothing locked';
        await callReady(rpc, 'lockunspent', [true, list], deadline);
        return `unlocked ${list.length} UTXO${list.length === 1 ? '' : 's'}`;
      } finally {
        await rpc.close();
      }
    }
    case 'myipaddr': {
      const ip = String(step.request?.['ipaddr'] ?? '');
      const reply = await iguanaRetry(ctx, step.id, () => client.myipaddr(ip));
      const kept = reply['result'];
      if (typeof kept !== 'string' || kept === '')
        throw fail(
          'iguana-bad-ip',
          `Iguana did not accept ${ip} as its public IPv4`,
          'set iguana.<name>.myip to the host’s public IPv4',
        );
      return kept === ip ? undefined : `Iguana keeps its first address ${kept}`;
    }
    case 'addnotary': {
      const ip = step.request?.['ipaddr'];
      // Iguana crashes on addnotary without an address (§14b): never send one.
      if (typeof ip !== 'string' || ip.trim() === '')
        throw fail(
          'bad-seed',
          'a seed notary without an address',
          'fix `seeds` (or the notaries’ `ip`) in the platform file',
        );
      await iguanaRetry(ctx, step.id, () => client.addnotary(ip));
      return undefined;
    }
    case 'addcoin': {
      const chain = ctx.chainsBySymbol.get(step.coin!)!;
      const payload = payloadFor(ctx, chain);
      const reply = await iguanaRetry(ctx, step.id, () => client.addcoin(payload));
      return reply['result'] === 'coin already there' ? 'coin already there' : undefined;
    }
    case 'walletpassphrase':
      return walletpassphrase(ctx, step);
    case 'dpow': {
      await preflight(ctx, step);
      const request = { ...step.request, pubkey: ctx.pubkey };
      const deadline = Date.now() + ctx.waitMs;
      for (let attempt = 1; ; attempt++) {
        try {
          await iguanaRetry(ctx, step.id, () => client.call(request));
          return undefined;
        } catch (e) {
          const said = e instanceof IguanaError ? (e.iguanaError ?? '') : '';
          if (said.includes('same coin again')) return 'already running';
          if (said.includes('has no privkey')) {
            // A daemon in warm-up answers validateaddress with an error, which Iguana reports as this.
            const delay = Math.min(5_000, 500 * 2 ** (attempt - 1));
            if (Date.now() + delay <= deadline) {
              ctx.emit({ type: 'retry', id: step.id, attempt, delayMs: delay, message: said });
              await sleep(delay);
              continue;
            }
            throw fail(
              'dpow-no-privkey',
              `dpow ${step.coin}: Iguana says a wallet lacks the notary key (${said})`,
              `run \`dokomodo keys import\` and check the chains are out of warm-up, ${RERUN}`,
            );
          }
          if (said.includes('must be running as notary node'))
            throw fail(
              'iguana-not-notary',
              `dpow ${step.coin}: Iguana does not run as a notary node`,
              `the pubkey must be in the elected list \`${ctx.opts.instance.notaries}\` and myipaddr must have been accepted`,
            );
          if (said.includes('33 byte pubkey') || said.includes('illegal pubkey'))
            throw fail(
              'iguana-bad-pubkey',
              `dpow ${step.coin}: Iguana rejects the pubkey (${said})`,
              'check defaults.pubkey',
            );
          throw e;
        }
      }
    }
  }
}

class Restarted extends Error {}

async function walletpassphrase(ctx: RunCtx, step: ExecStep): Promise<string | undefined> {
  const { state } = ctx;
  const addedBefore = Object.keys(state.done)
    .filter((id) => id.startsWith('addcoin:'))
    .map((id) => id.slice('addcoin:'.length));
  let reply: Record<string, unknown>;
  try {
    reply = await iguanaRetry(ctx, step.id, () =>
      ctx.client.walletpassphrase(ctx.opts.passphrase, step.timeout ?? WALLET_TIMEOUT),
    );
  } catch (e) {
    if (e instanceof IguanaError && e.iguanaError === NO_COIN_YET && addedBefore.length > 0)
      throw new Restarted('Iguana has no coin although this instance added some: it was restarted');
    throw e;
  }
  // Identity check: a restarted Iguana forgot the announced IP and the coins.
  const myipDone = state.done['myipaddr'] !== undefined;
  if (myipDone && reply['myip'] === '')
    throw new Restarted('Iguana no longer knows its public IP: it was restarted');
  const missing = addedBefore.filter((sym) => reply[sym] === undefined);
  if (missing.length > 0) throw new Restarted(`Iguana no longer has ${missing.join(', ')}: it was restarted`);
  const btcpubkey = reply['btcpubkey'];
  if (typeof btcpubkey === 'string' && btcpubkey.toLowerCase() !== ctx.pubkey.toLowerCase())
    throw fail(
      'iguana-pubkey-mismatch',
      `Iguana unlocked the pubkey ${btcpubkey}, expected ${ctx.pubkey}`,
      'Iguana derives the key differently from dokomodo for this passphrase; report it',
    );
  // The reply's `duration` is always 3600 whatever was asked; activehandle tells the real time left.
  const asked = step.timeout ?? WALLET_TIMEOUT;
  let left = asked;
  try {
    const handle = await ctx.client.call<Record<string, unknown>>({
      agent: 'SuperNET',
      method: 'activehandle',
    });
    if (typeof handle['duration'] === 'number') left = Math.max(0, Math.floor(handle['duration']));
  } catch (e) {
    if (!(e instanceof IguanaError && e.kind === 'iguana')) throw e;
  }
  state.unlockedAt = new Date(ctx.opts.runtime.clock.now()).toISOString();
  state.unlockSeconds = left;
  return `unlocked, ${unlockLeft(left)} left`;
}

/** Executes (or resumes) the bootstrap of one Iguana instance. Never throws for a failed step: the result says. */
export async function iguanaUp(opts: UpOptions): Promise<UpResult> {
  const { runtime: rt, instance: g } = opts;
  const { platform } = rt;
  await rt.prepare({ iguana: [g] });
  let client: IguanaClient;
  try {
    client = rt.clients.iguana(g, { timeoutMs: 300_000, connectTimeoutMs: 5_000 });
  } catch (e) {
    return {
      instance: g.name,
      endpoint: g.host ?? 'this machine',
      ok: false,
      restarted: false,
      steps: [],
      error: stepError(e, `iguana ${g.name}`),
      statePath: rt.state.where(stateKeyOf(g)),
    };
  }
  const endpoint = endpointOf(client);
  const stateKey = stateKeyOf(g);
  const statePath = rt.state.where(stateKey);
  const now = () => new Date(rt.clock.now());
  const steps = executionSteps(platform, g);
  const pubkey = opts.keys.pubkey;
  const emit = (e: IguanaEvent) => opts.onEvent?.(e);
  registerSecret(opts.passphrase);

  let state = readState(rt.state, stateKey);
  // A state of another Iguana endpoint or another key says nothing about this one.
  if (!state || state.instance !== g.name || state.endpoint !== endpoint || state.pubkey !== pubkey)
    state = freshState(g, endpoint, pubkey, now());

  const ctx: RunCtx = {
    opts,
    client,
    state,
    statePath,
    waitMs: opts.waitMs ?? 60_000,
    pubkey,
    chainsBySymbol: new Map(bootstrapOrder(platform, g).map((c) => [c.symbol, c])),
    keyChecked: new Set(),
    emit,
  };
  const reports = new Map<string, StepReport>();
  const report = (s: ExecStep, r: Omit<StepReport, 'id' | 'step'>) =>
    reports.set(s.id, { id: s.id, step: s.step, ...(s.coin !== undefined ? { coin: s.coin } : {}), ...r });
  const result = (ok: boolean, restarted: boolean, error?: TargetError): UpResult => ({
    instance: g.name,
    endpoint,
    ok,
    restarted,
    steps: steps.map(
      (s) =>
        reports.get(s.id) ?? {
          id: s.id,
          step: s.step,
          ...(s.coin !== undefined ? { coin: s.coin } : {}),
          state: 'pending' as const,
        },
    ),
    ...(error ? { error } : {}),
    statePath,
  });

  // Reachable at all? A static, cheap call (§8), retried while Iguana is still starting.
  try {
    await iguanaRetry(ctx, 'reachable', () => client.call({ agent: 'dpow', method: 'notarychains' }));
  } catch (e) {
    return result(false, false, stepError(e, endpoint));
  }

  let restarted = false;
  for (let pass = 1; pass <= 2; pass++) {
    let again = false;
    for (const s of steps) {
      const done = ctx.state.done[s.id];
      // walletpassphrase is always re-sent: the unlock expires, and its reply is the identity check.
      if (done && s.step !== 'walletpassphrase') {
        report(s, { state: 'skipped', durationMs: 0, ...(done.note ? { note: done.note } : {}) });
        emit({
          type: 'step',
          phase: 'skipped',
          id: s.id,
          step: s.step,
          ...(s.coin ? { coin: s.coin } : {}),
          durationMs: 0,
        });
        continue;
      }
      emit({ type: 'step', phase: 'start', id: s.id, step: s.step, ...(s.coin ? { coin: s.coin } : {}) });
      const t0 = performance.now();
      try {
        const note = await runStep(ctx, s);
        const durationMs = performance.now() - t0;
        ctx.state.done[s.id] = { at: now().toISOString(), ...(note ? { note } : {}) };
        ctx.state.updatedAt = now().toISOString();
        writeState(rt.state, stateKey, ctx.state);
        report(s, { state: 'done', durationMs, ...(note ? { note } : {}) });
        emit({
          type: 'step',
          phase: 'done',
          id: s.id,
          step: s.step,
          ...(s.coin ? { coin: s.coin } : {}),
          durationMs,
          ...(note ? { note } : {}),
        });
      } catch (e) {
        const durationMs = performance.now() - t0;
        if (e instanceof Restarted) {
          if (pass === 2) {
            const error: TargetError = {
              code: 'iguana-restarted',
              message: `Iguana ${endpoint} restarted again during the bootstrap`,
              hint: `keep Iguana running, ${RERUN}`,
            };
            report(s, { state: 'failed', durationMs, error });
            return result(false, restarted, error);
          }
          restarted = true;
          emit({ type: 'restart', message: `${e.message}; bootstrapping it from the start` });
          ctx.state = freshState(g, endpoint, pubkey, now());
          writeState(rt.state, stateKey, ctx.state);
          reports.clear();
          ctx.keyChecked.clear();
          again = true;
          break;
        }
        const error = stepError(e, endpoint);
        ctx.state.updatedAt = now().toISOString();
        writeState(rt.state, stateKey, ctx.state);
        report(s, { state: 'failed', durationMs, error });
        emit({
          type: 'step',
          phase: 'failed',
          id: s.id,
          step: s.step,
          ...(s.coin ? { coin: s.coin } : {}),
          durationMs,
          error,
        });
        return result(false, restarted, error);
      }
    }
    if (!again) break;
  }
  return result(true, restarted);
}

// ---- status ---------------------------------------------------------------------------------

export interface IguanaInstanceStatus {
  instance: string;
  endpoint: string;
  reachable: boolean;
  state: 'running' | 'stopped' | 'error';
  message: string | null;
  /** What dokomodo's state file recorded (`iguana up`); says nothing about a bootstrap done by hand. */
  bootstrap: {
    total: number;
    done: number;
    complete: boolean;
    /** Steps not recorded as finished. */
    pending: string[];
    updatedAt: string | null;
  };
  /** Iguana's own identity (`SuperNET activehandle`): null when it did not answer. */
  identity: { pubkey: string | null; myip: string | null; notaryId: number | null } | null;
  /**
   * Per coin of the plan: `added` from Iguana (activehandle lists one address per coin added),
   * `dpow` from the state file for a coin Iguana still has — Iguana has no call that tells without
   * risk (`dpow active` crashes it once a round has completed) — null when unknown or not planned.
   */
  coins: Array<{
    coin: string;
    added: boolean;
    address: string | null;
    dpowPlanned: boolean;
    dpow: boolean | null;
  }>;
  /** dPoW peers Iguana knows (`dpow ipaddrs`). */
  peers: string[] | null;
  /** How many chains the Iguana build can notarize (`dpow notarychains`). */
  notarychains: number | null;
  /** The wallet unlock as Iguana reports it (activehandle `status`, `duration` = seconds left). */
  unlock: {
    status: 'unlocked' | 'locked';
    secondsLeft: number;
    expired: boolean;
    sentAt: string | null;
  } | null;
  statePath: string;
}

export async function iguanaStatus(
  rt: Runtime,
  g: IguanaModel,
  opts: { timeoutMs?: number } = {},
): Promise<IguanaInstanceStatus> {
  const { platform } = rt;
  await rt.prepare({ iguana: [g] });
  const client = rt.clients.iguana(g, { timeoutMs: opts.timeoutMs ?? 20_000, connectTimeoutMs: 2_000 });
  const endpoint = endpointOf(client);
  const stateKey = stateKeyOf(g);
  const statePath = rt.state.where(stateKey);
  const steps = executionSteps(platform, g);
  const st = readState(rt.state, stateKey);
  const state = st && st.instance === g.name && st.endpoint === endpoint ? st : undefined;
  const done = (id: string) => state?.done[id] !== undefined;
  const pending = steps.filter((s) => !done(s.id) && s.step !== 'walletpassphrase').map((s) => s.id);
  if (state && !state.unlockedAt) pending.push('walletpassphrase');
  const planned = new Set(steps.filter((s) => s.step === 'dpow').map((s) => s.coin));
  const out: IguanaInstanceStatus = {
    instance: g.name,
    endpoint,
    reachable: false,
    state: 'stopped',
    message: null,
    bootstrap: {
      total: steps.length,
      done: state ? steps.length - pending.length : 0,
      complete: state !== undefined && pending.length === 0,
      pending: state ? pending : steps.map((s) => s.id),
      updatedAt: state?.updatedAt ?? null,
    },
    identity: null,
    coins: bootstrapOrder(platform, g).map((c) => ({
      coin: c.symbol,
      added: false,
      address: null,
      dpowPlanned: planned.has(c.symbol),
      dpow: planned.has(c.symbol) ? false : null,
    })),
    peers: null,
    notarychains: null,
    unlock: null,
    statePath,
  };
  // Side-effect-free calls only: never `dpow active` (it crashes Iguana once a round has
  // completed) nor `myipaddr` (it resets the relay id).
  let handle: Record<string, unknown>;
  try {
    const chains = await client.call<unknown>({ agent: 'dpow', method: 'notarychains' });
    out.reachable = true;
    out.state = 'running';
    out.notarychains = Array.isArray(chains) ? chains.length : null;
    handle = await client.call<Record<string, unknown>>({ agent: 'SuperNET', method: 'activehandle' });
    const peers = await client.call<unknown>({ agent: 'dpow', method: 'ipaddrs' });
    out.peers = Array.isArray(peers) ? peers.filter((p): p is string => typeof p === 'string') : null;
  } catch (e) {
    if (e instanceof IguanaError && e.kind === 'transport') return out;
    out.reachable = !(e instanceof IguanaError) || e.kind === 'iguana';
    out.state = 'error';
    out.message = redact((e as Error).message);
    return out;
  }
  const str = (k: string) =>
    typeof handle[k] === 'string' && handle[k] !== '' ? (handle[k] as string) : null;
  out.identity = {
    pubkey: str('btcpubkey'),
    myip: str('myip'),
    notaryId: typeof handle['notary'] === 'number' ? handle['notary'] : null,
  };
  for (const c of out.coins) {
    c.address = str(c.coin);
    c.added = c.address !== null;
    if (c.dpowPlanned) c.dpow = !c.added ? false : done(`dpow:${c.coin}`) ? true : null;
  }
  const left = typeof handle['duration'] === 'number' ? Math.max(0, Math.floor(handle['duration'])) : 0;
  const unlocked = handle['status'] === 'unlocked' && left > 0;
  out.unlock = {
    status: unlocked ? 'unlocked' : 'locked',
    secondsLeft: unlocked ? left : 0,
    expired: !unlocked,
    sentAt: state?.unlockedAt ?? null,
  };
  return out;
}

/** A usage error for an instance name that is not in the platform file. */
export function unknownInstance(platform: Platform, name: string): DokomodoError {
  const names = platform.iguana.map((x) => x.name);
  return usageError(
    'unknown-iguana',
    `no Iguana instance named \`${name}\` in ${platform.file}`,
    names.length ? `defined: ${names.join(', ')}` : 'add one under `iguana`',
  );
}
