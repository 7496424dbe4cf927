/**
 * Log tails and disk space of other hosts: each poll, one exec per host over its shell (the
 * fleet's SSH master) runs one small POSIX sh script for all of that host's logs. For each file
 * it reports the file's identity (device:inode) and size, reads the bytes appended since the
 * offset the monitor keeps (`tail -c +N | head -c M`, at most the per-source bound and a budget
 * per host), base64-encoded so the bytes cross unchanged, and the free space of the chain's data
 * directory (`df -Pk`). A new identity or a file shorter than the offset is a rotation or a
 * truncation: the file is read from its start, as the local tailer does.
 *
 * The list of files goes on the script's standard input (four lines per file), never in argv.
 */
import type { HostModel } from '../platform/model.ts';
import { fanout } from '../operator/fanout.ts';
import type { HostShell } from '../operator/remote/shell.ts';
import type { LogEvent, LogTailer, Tail } from './logs.ts';

/** Bytes read from one host in one poll, all its files together. Default 8 MiB. */
export const HOST_BUDGET_BYTES = 8 << 20;

/**
 * $1: bytes per file, $2: bytes per host. Stdin: offset, id, path, datadir per file (offset -1:
 * first read, start at the end). Stdout per file, in order:
 *   `L <index> <id|-> <start> <count> <skipped>` then one line of base64 (maybe empty),
 *   `D <index> <1024-blocks> <available>` when the datadir's file system was read.
 */
export const REMOTE_TAIL_SCRIPT = `set -u
max=$1
budget=$2
i=0
while IFS= read -r off && IFS= read -r id && IFS= read -r path && IFS= read -r dir; do
  if [ -n "$path" ] && st=$(stat -L -c '%d:%i %s' -- "$path" 2>/dev/null); then
    fid=\${st% *}
    size=\${st#* }
    start=$off
    if [ "$off" -lt 0 ]; then start=$size; fi
    if [ "$fid" != "$id" ] && [ "$off" -ge 0 ]; then start=0; fi
    if [ "$size" -lt "$start" ]; then start=0; fi
    n=$((size - start))
    lim=$max
    if [ "$budget" -lt "$lim" ]; then lim=$budget; fi
    skip=0
    if [ "$n" -gt "$lim" ]; then start=$((size - lim)); n=$lim; skip=1; fi
    budget=$((budget - n))
    printf 'L %s %s %s %s %s\\n' "$i" "$fid" "$start" "$n" "$skip"
    if [ "$n" -gt 0 ]; then tail -c +$((start + 1)) -- "$path" | head -c "$n" | base64 | tr -d '\\n'; fi
    printf '\\n'
  else
    printf 'L %s - 0 0 0\\n\\n' "$i"
  fi
  if [ -n "$dir" ] && d=$(df -Pk -- "$dir" 2>/dev/null | awk 'NR==2 {print $2, $4}') && [ -n "$d" ]; then
    printf 'D %s %s\\n' "$i" "$d"
  fi
  i=$((i + 1))
done
`;

export interface RemoteRead {
  events: LogEvent[];
  /** Free fraction of each source's data directory file system, by source. */
  diskFree: Map<string, number>;
  /** Hosts whose files could not be read this poll, with the reason. */
  failed: Map<string, string>;
}

export interface RemoteReadOptions {
  /** The host's shell (the runtime's `shell`); throwing means the host is not reachable now. */
  shellOf: (host: HostModel) => HostShell;
  /** Budget per host and poll. Default HOST_BUDGET_BYTES. */
  hostBudget?: number;
  /** Per host exec timeout. Default 20 s. */
  timeoutMs?: number;
  /** Hosts read at once. Default 8. */
  concurrency?: number;
}

/** Reads the new bytes of every remote source of `tailer` (one exec per host, 8 hosts at once). */
export async function pollRemote(
  tailer: LogTailer,
  now: number,
  opts: RemoteReadOptions,
): Promise<RemoteRead> {
  const out: RemoteRead = { events: [], diskFree: new Map(), failed: new Map() };
  const groups = tailer.remoteTails();
  await fanout(
    [...groups.keys()],
    async (name) => {
      const { host, tails } = groups.get(name)!;
      // A path with a newline cannot cross the line-based list; such a source is never read.
      const readable = tails.filter(([, t]) => !/[\n\r]/.test(t.path + (t.datadir ?? '')));
      if (readable.length === 0) return;
      const input = readable
        .map(([, t]) => `${t.offset}\n${t.id || '-'}\n${t.path}\n${t.datadir ?? ''}\n`)
        .join('');
      let stdout: string;
      try {
        const shell = opts.shellOf(host);
        const r = await shell.run(
          [
            'sh',
            '-c',
            REMOTE_TAIL_SCRIPT,
            'sh',
            String(tailer.maxBytes),
            String(opts.hostBudget ?? HOST_BUDGET_BYTES),
          ],
          { input, timeoutMs: opts.timeoutMs ?? 20_000 },
        );
        if (r.code !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) || `exit ${r.code}`);
        stdout = r.stdout;
      } catch (e) {
        out.failed.set(host.name, e instanceof Error ? e.message : String(e));
        return;
      }
      applyReply(tailer, readable, stdout, now, out);
    },
    { concurrency: opts.concurrency ?? 8 },
  );
  return out;
}

/** Applies the script's reply to the tails it was asked about (exported for tests). */
export function applyReply(
  tailer: LogTailer,
  asked: ReadonlyArray<[string, Tail]>,
  stdout: string,
  now: number,
  out: Pick<RemoteRead, 'events' | 'diskFree'>,
): void {
  const lines = stdout.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!;
    const d = /^D (\d+) (\d+) (\d+)$/.exec(line);
    if (d) {
      const entry = asked[Number(d[1])];
      const total = Number(d[2]);
      if (entry && total > 0) out.diskFree.set(entry[0], Number(d[3]) / total);
      continue;
    }
    const m = /^L (\d+) (\S+) (\d+) (\d+) ([01])$/.exec(line);
    if (!m) continue;
    const data = lines[k + 1] ?? '';
    k++;
    const entry = asked[Number(m[1])];
    if (!entry) continue;
    const [source, t] = entry;
    const id = m[2]!;
    if (id === '-') {
      // no file yet: read from its start once it appears
      if (t.offset < 0) t.offset = 0;
      continue;
    }
    const start = Number(m[3]);
    const skipped = m[5] === '1';
    const firstRead = t.offset < 0;
    if (id !== t.id || start !== t.offset || skipped) t.partial = '';
    t.id = id;
    const bytes = Buffer.from(data, 'base64');
    t.offset = start + bytes.length;
    // The first read of a file that was there before the monitor started sets the offset only.
    if (firstRead || (bytes.length === 0 && !skipped)) continue;
    tailer.ingest(source, t, bytes, skipped, now, out.events as LogEvent[]);
  }
}
