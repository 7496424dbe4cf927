/**
 * Log tails: the monitor reads what each daemon appended to its log since the last poll, keeps
 * the last lines per source, and turns lines it knows (komodod's and Iguana's messages that
 * mean trouble) into events. Reads are bounded per poll, a rotated or truncated file is read
 * from its start, and a missing file is simply "no log yet".
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface LogPattern {
  /** Stable name, the `pattern` label of the metric and the alert. */
  name: string;
  severity: 'warning' | 'critical';
  test: RegExp;
  /** What to do, for the event and the page. */
  hint: string;
}

/** Messages of komodod (debug.log) and Iguana (its output) that an operator must see. */
export const LOG_PATTERNS: readonly LogPattern[] = Object.freeze([
  {
    name: 'disk-full',
    severity: 'critical',
    test: /No space left on device|Disk space is (too )?low|Error: Disk space is low/i,
    hint: 'free disk space now: a full disk corrupts the chain database',
  },
  {
    name: 'corrupt-database',
    severity: 'critical',
    test: /Corrupted block database detected|Error opening block database|Fatal LevelDB error|database corrupted/i,
    hint: 'stop the daemon and restart it with -reindex (or restore its data from a snapshot)',
  },
  {
    name: 'fatal-error',
    severity: 'critical',
    test: /A fatal internal error occurred|EXCEPTION: |Assertion .* failed/,
    hint: 'the daemon hit an internal error: read the lines before it and restart it',
  },
  {
    name: 'reorg',
    severity: 'warning',
    test: /REORGANIZE|reorganize:|InvalidChainFound: invalid block=/,
    hint: 'the chain reorganised: check `dokomodo checkfork` against reference peers',
  },
  {
    name: 'need-funds',
    severity: 'warning',
    test: /need to fund address|not enough funds|Insufficient funds/i,
    hint: 'fund the notary address and split notarization UTXOs (`dokomodo utxo split`)',
  },
  {
    name: 'cant-dpow',
    severity: 'warning',
    test: /cant dPoW|cant notarize|dpow_sigscheck .*error/i,
    hint: 'Iguana cannot notarize this coin: check `dokomodo iguana status` and the daemon',
  },
]);

export interface LogEvent {
  source: string;
  pattern: LogPattern;
  line: string;
  /** Unix seconds when the monitor read it. */
  at: number;
}

interface Tail {
  path: string;
  offset: number;
  /** Inode and device of the file read, to notice a rotation. */
  id: string;
  lines: string[];
  partial: string;
}

export interface LogTailerOptions {
  /** Lines kept per source. Default 200. */
  keep?: number;
  /** At most this many bytes read per source and poll (the rest is skipped, said so). Default 1 MiB. */
  maxBytesPerPoll?: number;
  /** Start at the end of files that already exist (default), or read them whole. */
  fromStart?: boolean;
  /** Last matches remembered from before a restart (see {@link LogTailer.seenState}). */
  seen?: Record<string, Record<string, number>>;
}

export class LogTailer {
  private readonly tails = new Map<string, Tail>();
  /** Unix seconds of the last match per source and pattern. */
  readonly lastSeen = new Map<string, Map<string, number>>();
  private readonly keep: number;
  private readonly maxBytes: number;

  constructor(sources: ReadonlyArray<{ source: string; path: string }>, opts: LogTailerOptions = {}) {
    this.keep = opts.keep ?? 200;
    this.maxBytes = opts.maxBytesPerPoll ?? 1 << 20;
    for (const [source, patterns] of Object.entries(opts.seen ?? {})) {
      if (!sources.some((s) => s.source === source)) continue;
      this.lastSeen.set(source, new Map(Object.entries(patterns).filter(([, at]) => typeof at === 'number')));
    }
    for (const s of sources) {
      const t: Tail = { path: s.path, offset: 0, id: '', lines: [], partial: '' };
      if (!opts.fromStart) {
        const st = statOf(s.path);
        if (st) {
          t.offset = st.size;
          t.id = st.id;
        }
      }
      this.tails.set(s.source, t);
    }
  }

  get sources(): string[] {
    return [...this.tails.keys()];
  }

  /** The last matches, to save and give back as `seen` after a restart. */
  seenState(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.lastSeen].map(([source, m]) => [source, Object.fromEntries(m)]));
  }

  /** The last lines of a source (oldest first), or undefined for an unknown source. */
  lines(source: string): readonly string[] | undefined {
    return this.tails.get(source)?.lines;
  }

  /** Reads what was appended since the last call; returns the known messages among it. */
  poll(now: number): LogEvent[] {
    const events: LogEvent[] = [];
    for (const [source, t] of this.tails) {
      for (const line of this.readNew(t)) {
        t.lines.push(line);
        for (const p of LOG_PATTERNS) {
          if (!p.test.test(line)) continue;
          events.push({ source, pattern: p, line, at: now });
          let seen = this.lastSeen.get(source);
          if (!seen) {
            seen = new Map();
            this.lastSeen.set(source, seen);
          }
          seen.set(p.name, now);
          break;
        }
      }
      if (t.lines.length > this.keep) t.lines.splice(0, t.lines.length - this.keep);
    }
    return events;
  }

  private readNew(t: Tail): string[] {
    let fd: number;
    try {
      fd = openSync(t.path, 'r');
    } catch {
      return [];
    }
    try {
      const st = fstatSync(fd);
      const id = `${st.dev}:${st.ino}`;
      if (id !== t.id || st.size < t.offset) {
        // rotated or truncated: the new file from its start
        t.id = id;
        t.offset = 0;
        t.partial = '';
      }
      let skipped = false;
      if (st.size - t.offset > this.maxBytes) {
        t.offset = st.size - this.maxBytes;
        t.partial = '';
        skipped = true;
      }
      const n = st.size - t.offset;
      if (n <= 0) return [];
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, t.offset + got);
        if (r === 0) break;
        got += r;
      }
      t.offset += got;
      const text = t.partial + buf.subarray(0, got).toString('utf8');
      const parts = text.split('\n');
      t.partial = parts.pop() ?? '';
      const lines = parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
      if (skipped)
        lines.unshift(
          `[dokomodo: earlier lines skipped, more than ${this.maxBytes} bytes since the last poll]`,
        );
      // a line cut at the read limit on the first read of a fresh file is dropped, not mangled
      return lines.map((l) => (l.length > 4096 ? `${l.slice(0, 4096)}…` : l));
    } finally {
      closeSync(fd);
    }
  }
}

function statOf(path: string): { size: number; id: string } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    return { size: st.size, id: `${st.dev}:${st.ino}` };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
