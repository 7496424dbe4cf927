import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../../core/atomic.ts';
import { resolve } from 'node:path';
import { DokomodoError, ExitCode, usageError } from '../../../core/errors.ts';
import { nodeHost } from '../../../core/host.ts';
import { diffPlatforms, type UpstreamChange } from '../../../importer/dpow-diff.ts';
import { dpowPlatformText } from '../../../importer/dpow-platform.ts';
import { readDpowCheckout } from '../../../importer/dpow-read.ts';
import { loadPlatformText } from '../../../platform/load.ts';
import { type Context, loadOrExit } from '../../context.ts';
import { printDiagnostics, printJson, table } from '../../output.ts';

export interface ImportDpowOptions {
  hostMain?: string;
  host3p?: string;
  out?: string;
  force?: boolean;
  diff?: boolean;
  commit?: string;
}

export async function importDpow(ctx: Context, dir: string, opts: ImportDpowOptions): Promise<number> {
  if (opts.commit !== undefined && !/^[0-9a-f]{7,40}$/.test(opts.commit))
    throw usageError('bad-option', `--commit ${opts.commit} is not a git commit`, 'give 7–40 hex digits');
  for (const [flag, v] of [
    ['--host-main', opts.hostMain],
    ['--host-3p', opts.host3p],
  ] as const) {
    if (v !== undefined && !/^[A-Za-z0-9.:[\]_-]+$/.test(v))
      throw usageError(
        'bad-option',
        `${flag} ${JSON.stringify(v)} is not an address`,
        'give an IP address or a DNS name',
      );
  }
  const host = nodeHost();
  const read = readDpowCheckout(dir, host, opts.commit);
  printDiagnostics(ctx.out, read.diagnostics);
  if (!read.checkout) return fail(read.diagnostics.length, dir);
  const made = dpowPlatformText(dir, read.checkout, host, {
    ...(opts.hostMain ? { hostMain: opts.hostMain } : {}),
    ...(opts.host3p ? { host3p: opts.host3p } : {}),
  });
  printDiagnostics(ctx.out, made.diagnostics);
  if (made.text === undefined) return fail(made.diagnostics.length, dir);
  // The file is loaded before it is written: what the platform rules refuse (two upstream chains
  // on one port, an Iguana without KMD) is reported against the generated text, nothing written.
  const check = loadPlatformText('(import dpow)', made.text);
  if (!check.platform) {
    printDiagnostics(ctx.out, check.diagnostics);
    throw new DokomodoError('import-invalid', 'the platform made from this checkout does not validate', {
      hint: 'the problems above are in what the checkout describes; nothing was written',
    });
  }

  if (opts.diff) {
    const current = await loadOrExit(ctx);
    const changes = diffPlatforms(current, check.platform);
    if (ctx.opts.json)
      printJson(ctx.out, {
        file: ctx.opts.file,
        checkout: dir,
        commit: read.checkout.commit ?? null,
        changes,
      });
    else printChanges(ctx, changes, dir);
    return changes.length ? ExitCode.failure : ExitCode.ok;
  }
  if (!opts.out) {
    ctx.out.stdout(made.text);
    return ExitCode.ok;
  }
  writeAtomic(resolve(opts.out), made.text, opts.force === true);
  ctx.out.stderr(
    `wrote ${opts.out}: ${check.platform.chains.length} chains, ${check.platform.iguana.length} iguana instances\n`,
  );
  return ExitCode.ok;
}

function fail(n: number, dir: string): number {
  throw new DokomodoError('import-failed', `${dir}: ${n} problem${n === 1 ? '' : 's'}; nothing written`, {
    hint: 'fix the checkout (or update dokomodo) and run the import again',
    exitCode: ExitCode.failure,
  });
}

/** Written next to the target and renamed in place; without `force`, an existing file is never replaced. */
function writeAtomic(path: string, text: string, force: boolean): void {
  if (!force && existsSync(path))
    throw new DokomodoError('file-exists', `${path} exists`, {
      hint: 'compare with `--diff -f FILE`, or pass --force to replace it',
    });
  try {
    writeFileAtomic(path, text, { mode: 0o644, dirMode: 0o755, replace: force });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DokomodoError(
      code === 'EEXIST' ? 'file-exists' : 'write-failed',
      `${path}: ${code ?? String(e)}`,
      {
        hint: code === 'EEXIST' ? 'pass --force to replace it' : 'check the directory exists and is writable',
      },
    );
  }
}

function printChanges(ctx: Context, changes: UpstreamChange[], dir: string): void {
  if (changes.length === 0) {
    ctx.out.stdout(`${ctx.opts.file} is up to date with ${dir}\n`);
    return;
  }
  ctx.out.stdout(
    table(
      ['change', 'subject', 'field', 'was', 'now'],
      changes.map((c) => [c.kind, c.subject, c.field, c.was, c.now]),
    ),
  );
  ctx.out.stdout(
    `${changes.length} change${changes.length === 1 ? '' : 's'} upstream against ${ctx.opts.file}\n`,
  );
}
