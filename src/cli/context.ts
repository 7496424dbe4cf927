/** What every command gets: global options, output, and a way to load the platform. */
import { DokomodoError, ExitCode } from '../core/errors.ts';
import { loadPlatformCached } from '../platform/cache.ts';
import type { Platform, Selection } from '../platform/model.ts';
import { selectEnvironment } from '../platform/select.ts';
import { fleetReach } from '../operator/remote/reach.ts';
import { nodeRuntime, type Reach, type Runtime, type RuntimeParts } from '../operator/runtime.ts';
import { type Out, printDiagnostics } from './output.ts';
import { type TunnelOptions, tunnelReach, type ViaOptions, viaFactory } from './via.ts';

export interface GlobalOptions extends ViaOptions, TunnelOptions {
  file: string;
  env?: string;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

export interface Context {
  opts: GlobalOptions;
  out: Out;
  /** Run when the command ends, last first (e.g. the runtime's SSH connections). */
  cleanups: (() => Promise<void>)[];
}

/** Loads the platform file; diagnostics are printed, and errors end the command with exit 1. */
export async function loadOrExit(ctx: Context): Promise<Platform> {
  const result = await loadPlatformCached(ctx.opts.file);
  printDiagnostics(ctx.out, result.diagnostics);
  if (!result.platform) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new DokomodoError('invalid-platform', `${ctx.opts.file}: ${n} error${n === 1 ? '' : 's'}`, {
      hint: 'fix the problems above; `dokomodo validate` checks the file alone',
      exitCode: ExitCode.failure,
    });
  }
  return result.platform;
}

export async function loadSelection(ctx: Context): Promise<{ platform: Platform; selection: Selection }> {
  const platform = await loadOrExit(ctx);
  return { platform, selection: selectEnvironment(platform, ctx.opts.env) };
}

/** The platform, the selected environment, and the runtime every use case of the command takes. */
export async function loadRuntime(
  ctx: Context,
  parts: Pick<RuntimeParts, 'iguanaClient'> & { reachOf?: (platform: Platform) => Reach } = {},
): Promise<{ platform: Platform; selection: Selection; runtime: Runtime }> {
  // --via and --relay-certs (global options) before the platform: a bad value ends the command first
  const iguanaClient = parts.iguanaClient ?? viaFactory(ctx.opts);
  const reachOf = parts.reachOf ?? tunnelReach(ctx.opts);
  const { platform, selection } = await loadSelection(ctx);
  const runtime = nodeRuntime(platform, {
    reach: reachOf ? reachOf(platform) : fleetReach(platform),
    ...(iguanaClient ? { iguanaClient } : {}),
  });
  ctx.cleanups.push(() => runtime.close());
  return { platform, selection, runtime };
}
