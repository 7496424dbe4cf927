/** `dokomodo checkfork`: each chain against its peers and public explorers. */
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { MAX_READ_BYTES, readRegularFile } from '../../core/host.ts';
import { BANDS } from '../../contract/metrics.ts';
import { selectChains } from '../../platform/select.ts';
import { checkforkAll, parsePeers } from '../../operator/checkfork.ts';
import { type Context, loadRuntime } from '../context.ts';
import { paint, printJson } from '../output.ts';
import { forkTable } from '../views/stats.ts';

export async function checkfork(
  ctx: Context,
  chains: string[],
  opts: { peers?: string; timeout?: number },
): Promise<number> {
  let peers: Record<string, { url?: string; explorer?: string }[]> = {};
  if (opts.peers !== undefined) {
    // A regular file only: a FIFO or /dev/zero would never end.
    const got = readRegularFile(opts.peers, MAX_READ_BYTES);
    if (!('bytes' in got)) {
      throw new DokomodoError('peers-unreadable', `cannot read ${opts.peers}: it ${got.reason}`, {
        exitCode: ExitCode.usage,
      });
    }
    peers = parsePeers(Buffer.from(got.bytes).toString('utf8'), opts.peers);
  }
  const timeoutMs = (opts.timeout ?? 10) * 1000;
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const targets = selectChains(platform, selection, chains);
  const unknown = Object.keys(peers).filter((n) => !platform.chains.some((c) => c.name === n));
  if (unknown.length && !ctx.opts.json)
    ctx.out.stderr(
      paint(ctx.out, 'yellow', `peers file names chains not in the platform file: ${unknown.join(', ')}\n`),
    );
  const reports = await checkforkAll(runtime, targets, { peers, maxLag: BANDS.behindBlocks, timeoutMs });
  if (ctx.opts.json) printJson(ctx.out, reports);
  else ctx.out.stdout(forkTable(ctx.out, reports));
  return reports.every((r) => r.state === 'ok') ? ExitCode.ok : ExitCode.failure;
}
