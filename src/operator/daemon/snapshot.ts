/**
 * Chain-data snapshots (`chains.X.bootstrap`): a `.tar.gz` of a data directory's contents that a
 * first start unpacks instead of syncing from nothing. Everything happens on the chain's host
 * through its shell — the download (`curl`, when the platform gives a URL), the sha256 check
 * (`sha256sum`), the unpacking (`tar`) — so a snapshot of many GB never crosses the controller.
 *
 * Safe by construction:
 * - only into a data directory without block data (`blocks/` of komodod, or the devnet's chain
 *   file); a chain that has data keeps it;
 * - nothing is unpacked unless the sha256 matches;
 * - wallets (`wallet.dat`, the devnet's wallet file) and confs in the snapshot are never unpacked,
 *   and no file already in the data directory is replaced;
 * - unpacked into a temporary directory inside the data directory first; the block data is moved
 *   in last, so a run killed half-way leaves a directory without block data, which the next run
 *   unpacks again.
 */
import { DokomodoError } from '../../core/errors.ts';
import { expandUserPath } from '../../core/local.ts';
import type { ChainModel } from '../../platform/model.ts';
import { localShell } from '../remote/shell.ts';
import type { Runtime } from '../runtime.ts';
import { localChain } from './local.ts';
import { onHost, remoteChain } from './remote.ts';

export type SnapshotState = 'unpacked' | 'has-data';

const SCRIPT = `
d=$1; kind=$2; src=$3; want=$4
if [ -d "$d/blocks" ] || [ -f "$d/devnet-chain.json" ]; then echo has-data; exit 0; fi
umask 077
mkdir -p "$d" || exit 1
t="$d/.dokomodo-bootstrap"
rm -rf "$t"; mkdir "$t" || exit 1
if [ "$kind" = url ]; then
  f="$t/snapshot.tar.gz"
  curl -fsSL --retry 3 -o "$f" "$src" || { rm -rf "$t"; echo "download of $src failed" >&2; exit 3; }
else
  f=$src
  [ -f "$f" ] || { rm -rf "$t"; echo "no file $f" >&2; exit 4; }
fi
got=$(sha256sum "$f" | cut -d' ' -f1)
[ "$got" = "$want" ] || { rm -rf "$t"; echo "its sha256 is $got" >&2; exit 5; }
mkdir "$t/x" && tar -xzf "$f" -C "$t/x" --no-same-owner --exclude=wallet.dat --exclude=devnet-wallet.json --exclude='*.conf' || { rm -rf "$t"; echo "it does not unpack as a .tar.gz" >&2; exit 6; }
for e in "$t/x"/* "$t/x"/.[!.]*; do
  [ -e "$e" ] || continue
  n=$(basename "$e")
  case $n in blocks|devnet-chain.json) continue;; esac
  [ -e "$d/$n" ] || mv "$e" "$d/$n"
done
for n in devnet-chain.json blocks; do
  if [ -e "$t/x/$n" ]; then mv "$t/x/$n" "$d/$n" || exit 1; fi
done
rm -rf "$t"
echo unpacked
`;

/** The error for the script's exit code (3–6), or a generic one. */
function snapshotError(exit: number, message: string, where: string): DokomodoError {
  switch (exit) {
    case 3:
      return new DokomodoError('bootstrap-download', message, {
        hint: 'check the URL from the chain’s host (curl must be installed there)',
      });
    case 4:
      return new DokomodoError('bootstrap-missing', message, {
        hint: 'copy the snapshot to that path on the chain’s host, or give `url:`',
      });
    case 5:
      return new DokomodoError('bootstrap-checksum', message, {
        hint: 'the snapshot is not the one the platform file names: fetch it again, or fix `sha256:`',
      });
    default:
      return new DokomodoError('bootstrap-unpack', message, {
        hint: `the snapshot must be a .tar.gz of the data directory’s contents; check ${where}`,
      });
  }
}

/** Unpacks the chain's snapshot on its host when its data directory has no block data yet. */
export async function applySnapshot(rt: Runtime, chain: ChainModel): Promise<SnapshotState | undefined> {
  const b = chain.bootstrap;
  if (!b) return undefined;
  const host = rt.hostOf(chain.host);
  const remote = host !== undefined && !host.local;
  const shell = host ? rt.shell(host) : localShell({ name: 'this machine' });
  const datadir = remote ? remoteChain(chain, host).datadir : localChain(chain, {}).datadir;
  const src = b.url ?? (remote ? onHost(host, b.path!) : expandUserPath(b.path!));
  // A snapshot of many GB: downloading and checking it may take long.
  const r = await shell.run(['sh', '-c', SCRIPT, 'sh', datadir, b.url ? 'url' : 'path', src, b.sha256], {
    timeoutMs: 6 * 3600_000,
  });
  const out = r.stdout.trim().split('\n').at(-1);
  if (r.code === 0 && (out === 'unpacked' || out === 'has-data')) return out;
  const why = r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`;
  throw snapshotError(
    r.code,
    `${chain.name}: snapshot ${b.url ?? b.path}: ${why}`,
    `${datadir} on ${host?.name ?? 'this machine'}`,
  );
}
