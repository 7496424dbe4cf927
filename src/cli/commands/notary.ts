/**
 * Notary operations: `keys import` (the notary key into every chain's wallet) and `iguana up` /
 * `iguana status` (bootstrap and watch an Iguana instance). The passphrase comes from
 * --passphrase-stdin, DOKOMODO_PASSPHRASE or a hidden prompt, never from argv, and is registered
 * for redaction before anything is printed.
 */
import { ExitCode, usageError } from '../../core/errors.ts';
import type { ChainModel, IguanaModel, Platform, Selection } from '../../platform/model.ts';
import { selectChains } from '../../platform/select.ts';
import { bootstrapOrder } from '../../compiler/renderers/iguana.ts';
import type { TargetResult } from '../../operator/fanout.ts';
import {
  type IguanaEvent,
  type IguanaInstanceStatus,
  iguanaStatus as instanceStatus,
  unlockLeft,
  iguanaUp as instanceUp,
  unknownInstance,
  type UpResult,
} from '../../operator/iguana.ts';
import { checkPubkey, type ImportResult, importKeys, notaryKeys } from '../../operator/keys.ts';
import { type Context, loadRuntime } from '../context.ts';
import { type Out, paint, printJson, table } from '../output.ts';
import { PASSPHRASE_ENV, readSecretInput } from '../secret-input.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---- keys import ----------------------------------------------------------------------------

export interface KeysImportOptions {
  passphraseStdin?: boolean;
  /** Parsed by the option (cli/options.ts). */
  concurrency?: number;
  /** Seconds. */
  wait?: number;
}

export async function keysImport(ctx: Context, chains: string[], opts: KeysImportOptions): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  if (targets.length === 0) throw usageError('no-targets', 'no chains selected');
  const concurrency = opts.concurrency ?? 16;
  const warmupMs = (opts.wait ?? 60) * 1000;
  runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  const keys = notaryKeys(passphrase, targets);
  checkPubkey(platform, keys.pubkey);
  const results = await importKeys(runtime, targets, {
    keys,
    concurrency,
    warmupMs,
    onEvent: (e) => {
      if (!ctx.opts.verbose) return;
      if (e.type === 'retry')
        ctx.out.stderr(
          paint(ctx.out, 'dim', `  … ${e.chain}: ${e.method}: ${e.message}, retry in ${e.delayMs} ms\n`),
        );
    },
    onResult: (r) => {
      if (!ctx.opts.json) ctx.out.stdout(importLine(ctx.out, r));
    },
  });
  const count = (s: string) => results.filter((r) => r.ok && r.result!.state === s).length;
  const failed = results.filter((r) => !r.ok).length;
  if (ctx.opts.json) {
    printJson(ctx.out, {
      pubkey: keys.pubkey,
      results: results.map((r) => ({
        chain: r.target,
        ok: r.ok,
        address: keys.byChain.get(r.target)!.address,
        ...(r.ok ? { state: r.result!.state } : { state: 'failed', error: r.error }),
        ms: Math.round(r.durationMs),
      })),
      summary: { imported: count('imported'), already: count('already'), failed, total: results.length },
    });
  } else {
    ctx.out.stdout(
      `keys import: ${count('imported')} imported, ${count('already')} already there, ${failed} failed (pubkey ${keys.pubkey})\n`,
    );
  }
  return failed > 0 ? ExitCode.failure : ExitCode.ok;
}

function importLine(out: Out, r: TargetResult<ImportResult>): string {
  if (r.ok) {
    const already = r.result!.state === 'already';
    return `${paint(out, already ? 'dim' : 'green', already ? '·' : '✓')} ${r.target} ${already ? 'already there' : 'imported'} ${r.result!.address} ${paint(out, 'dim', secs(r.durationMs))}\n`;
  }
  const e = r.error!;
  return `${paint(out, 'red', '✗')} ${r.target} failed: ${e.code}: ${e.message}${e.hint ? paint(out, 'dim', `\n    hint: ${e.hint}`) : ''}\n`;
}

// ---- iguana ---------------------------------------------------------------------------------

/** The named instance, or every instance notarizing a selected chain. */
function instances(platform: Platform, selection: Selection, name: string | undefined): IguanaModel[] {
  if (name !== undefined) {
    const g = platform.iguana.find((x) => x.name === name);
    if (!g) throw unknownInstance(platform, name);
    return [g];
  }
  const selected = new Set(selection.chains.map((c) => c.name));
  const list = platform.iguana.filter((g) => g.coins.some((c) => selected.has(c)));
  if (list.length === 0)
    throw usageError(
      'no-iguana',
      `${platform.file} has no Iguana instance for the selected chains`,
      'add one under `iguana`',
    );
  return list;
}

export interface IguanaUpOptions {
  passphraseStdin?: boolean;
  datadir?: string;
  /** Seconds, parsed by the option. */
  wait?: number;
}

export async function iguanaUp(
  ctx: Context,
  name: string | undefined,
  opts: IguanaUpOptions,
): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const list = instances(platform, selection, name);
  const waitMs = (opts.wait ?? 60) * 1000;
  runtime.secret();
  const passphrase = await readSecretInput({ stdin: opts.passphraseStdin === true, envVar: PASSPHRASE_ENV });
  const chains = new Map<string, ChainModel>();
  for (const g of list) for (const c of bootstrapOrder(platform, g)) chains.set(c.name, c);
  const keys = notaryKeys(passphrase, [...chains.values()]);
  checkPubkey(platform, keys.pubkey);
  const results: UpResult[] = [];
  for (const g of list) {
    if (!ctx.opts.json && list.length > 1) ctx.out.stdout(`${paint(ctx.out, 'bold', `iguana ${g.name}`)}\n`);
    const r = await instanceUp({
      runtime,
      instance: g,
      passphrase,
      keys,
      waitMs,
      ...(opts.datadir !== undefined ? { datadir: opts.datadir } : {}),
      onEvent: (e) => {
        // Retries are progress, not data: on stderr with --verbose, also beside --json.
        if (e.type === 'retry') ctx.out.stderr(eventLine(ctx, e));
        else if (!ctx.opts.json) ctx.out.stdout(eventLine(ctx, e));
      },
    });
    results.push(r);
    if (!ctx.opts.json) {
      const n = (s: string) => r.steps.filter((x) => x.state === s).length;
      const head = r.ok
        ? paint(ctx.out, 'green', 'ready')
        : paint(ctx.out, 'red', 'stopped at a failed step');
      ctx.out.stdout(
        `iguana ${g.name} (${r.endpoint}): ${head}: ${n('done')} done, ${n('skipped')} skipped (finished earlier), ${n('failed')} failed, ${n('pending')} pending\n`,
      );
      if (r.error && !r.steps.some((s) => s.state === 'failed')) {
        ctx.out.stderr(`${paint(ctx.out, 'red', 'error')} ${r.error.code}: ${r.error.message}\n`);
        if (r.error.hint) ctx.out.stderr(`  hint: ${r.error.hint}\n`);
      }
    }
  }
  if (ctx.opts.json) printJson(ctx.out, list.length === 1 ? results[0] : results);
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failure;
}

function eventLine(ctx: Context, e: IguanaEvent): string {
  const out = ctx.out;
  if (e.type === 'restart') return `${paint(out, 'yellow', '!')} ${e.message}\n`;
  if (e.type === 'retry')
    return ctx.opts.verbose ? paint(out, 'dim', `  … ${e.id}: ${e.message}; retry in ${e.delayMs} ms\n`) : '';
  const what = e.id.replace(':', ' ');
  switch (e.phase) {
    case 'start':
      return ctx.opts.verbose ? paint(out, 'dim', `  → ${what}\n`) : '';
    case 'skipped':
      return `${paint(out, 'dim', '·')} ${what} ${paint(out, 'dim', 'skipped: finished earlier')}\n`;
    case 'done':
      return `${paint(out, 'green', '✓')} ${what}${e.note ? ` (${e.note})` : ''} ${paint(out, 'dim', secs(e.durationMs))}\n`;
    case 'failed':
      return `${paint(out, 'red', '✗')} ${what} failed: ${e.error.code}: ${e.error.message}${e.error.hint ? paint(out, 'dim', `\n    hint: ${e.error.hint}`) : ''}\n`;
  }
}

export async function iguanaStatusCmd(ctx: Context, name: string | undefined): Promise<number> {
  const { platform, selection, runtime } = loadRuntime(ctx);
  const list = instances(platform, selection, name);
  const statuses: IguanaInstanceStatus[] = [];
  for (const g of list) statuses.push(await instanceStatus(runtime, g));
  if (ctx.opts.json) printJson(ctx.out, list.length === 1 ? statuses[0] : statuses);
  else for (const s of statuses) ctx.out.stdout(statusText(ctx.out, s));
  // Healthy by Iguana's own account, so a bootstrap done by hand counts too.
  const healthy = (s: IguanaInstanceStatus) =>
    s.state === 'running' &&
    s.coins.every((c) => c.added && c.dpow !== false) &&
    s.unlock !== null &&
    !s.unlock.expired;
  return statuses.every(healthy) ? ExitCode.ok : ExitCode.failure;
}

function statusText(out: Out, s: IguanaInstanceStatus): string {
  const color = s.state === 'running' ? 'green' : s.state === 'stopped' ? 'dim' : 'red';
  const lines = [
    `iguana ${s.instance}  ${s.endpoint}  ${paint(out, color, s.state)}${s.message ? `  ${s.message}` : ''}`,
  ];
  const b = s.bootstrap;
  const boot =
    b.updatedAt === null
      ? 'never run by dokomodo (`dokomodo iguana up`)'
      : b.complete
        ? `complete (${b.done}/${b.total} steps, last change ${b.updatedAt})`
        : `incomplete: ${b.done}/${b.total} steps; pending ${b.pending.join(', ')}`;
  const rows: Array<[string, string]> = [['bootstrap', boot]];
  if (s.identity)
    rows.push([
      'identity',
      `${s.identity.pubkey ?? 'no key unlocked'}${s.identity.myip ? ` · ${s.identity.myip}` : ''}${s.identity.notaryId !== null ? ` · notary #${s.identity.notaryId}` : ''}`,
    ]);
  rows.push([
    'coins',
    s.coins
      .map((c) => {
        const dpow = !c.dpowPlanned
          ? ''
          : c.dpow === null
            ? ', dpow unknown'
            : c.dpow
              ? ', dpow'
              : ', no dpow';
        return `${c.coin} ${c.added ? 'added' : 'not added'}${dpow}`;
      })
      .join(' · '),
  ]);
  if (s.reachable) {
    rows.push([
      'peers',
      s.peers === null ? '-' : `${s.peers.length}${s.peers.length ? `: ${s.peers.join(', ')}` : ''}`,
    ]);
    rows.push(['notarychains', s.notarychains === null ? '-' : String(s.notarychains)]);
  }
  if (s.unlock) {
    rows.push([
      'unlock',
      s.unlock.expired
        ? paint(out, 'red', 'locked (Iguana says so): run `dokomodo iguana up`')
        : `unlocked, ${unlockLeft(s.unlock.secondsLeft)} left (Iguana says so)`,
    ]);
  } else rows.push(['unlock', s.reachable ? '-' : 'unknown: Iguana does not answer']);
  return `${lines.join('\n')}\n${table(['', ''], rows)
    .split('\n')
    .slice(1)
    .map((l) => (l ? `  ${l}` : l))
    .join('\n')}`;
}
