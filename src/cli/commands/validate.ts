import { ExitCode } from '../../core/errors.ts';
import { loadPlatformFile } from '../../platform/index.ts';
import type { Context } from '../context.ts';
import { diagnosticsJson, paint, printDiagnostics, printJson } from '../output.ts';

export async function validate(ctx: Context): Promise<number> {
  const result = loadPlatformFile(ctx.opts.file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (ctx.opts.json) {
    printJson(ctx.out, {
      file: ctx.opts.file,
      ok: errors === 0,
      errors,
      warnings,
      diagnostics: diagnosticsJson(result.diagnostics),
    });
    return errors ? ExitCode.failure : ExitCode.ok;
  }
  printDiagnostics(ctx.out, result.diagnostics);
  const p = result.platform;
  if (!p) {
    ctx.out.stderr(
      `${ctx.opts.file}: ${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`,
    );
    return ExitCode.failure;
  }
  const summary = `${p.chains.length} chain${p.chains.length === 1 ? '' : 's'}, ${p.hosts.length} host${p.hosts.length === 1 ? '' : 's'}, ${p.iguana.length} iguana instance${p.iguana.length === 1 ? '' : 's'}, ${p.environments.length} environment${p.environments.length === 1 ? '' : 's'}`;
  ctx.out.stdout(
    `${paint(ctx.out, 'green', 'ok')} ${ctx.opts.file}: ${summary}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`,
  );
  return ExitCode.ok;
}
