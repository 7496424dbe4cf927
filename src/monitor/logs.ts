/**
 * Log tails: the monitor reads what each daemon appended to its log since the last poll, keeps
 * the last lines per source, and turns lines it knows (komodod's and Iguana's messages that
 * mean trouble) into events. Reads are bounded per poll, a rotated or truncated file is read
 * from its start, and a missing file is simply "no log yet".
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { HostModel } from '../platform/model.ts';

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
  /** The chain the line is about: the source's own chain, or a chain an Iguana line names. */
  chain?: string;
  pattern: LogPattern;
  line: string;
  /** Unix seconds when the monitor read it. */
  at: number;
}

/** Where a log is read: a file of this machine, or of another host over its shell. */
export interface LogSource {
  source: string;
  path: string;
  /** Set for a file of another host: it is read over that host's shell (remote-logs.ts). */
  host?: HostModel;
  /** The chain's data directory on that host, whose free disk is read in the same exec. */
  datadir?: string;
  /**
   * The chain a matching line counts for (metrics, alerts): default the source itself. An
   * Iguana's output names the coin a line is about; a line that names none counts for no chain.
   */
  charge?: (line: string) => string | undefined;
}

export interface Tail {
  path: string;
  /** Bytes read so far; -1 until the first read of a remote file (then its end, or 0). */
  offset: number;
  /** Inode and device of the file read, to notice a rotation. */
  id: string;
  lines: string[];
  partial: string;
  host?: HostModel;
  datadir?: string;
  charge?: (line: string) => string | undefined;
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

/** Longest line kept; the rest is cut with an ellipsis. */
const MAX_LINE = 4096;

export class LogTailer {
  private readonly tails = new Map<string, Tail>();
  /** Unix seconds of the last match per chain (or source) and pattern. */
  readonly lastSeen = new Map<string, Map<string, number>>();
  private readonly keep: number;
  readonly maxBytes: number;
  readonly fromStart: boolean;

  constructor(sources: ReadonlyArray<LogSource>, opts: LogTailerOptions = {}) {
    this.keep = opts.keep ?? 200;
    this.maxBytes = opts.maxBytesPerPoll ?? 1 << 20;
    this.fromStart = opts.fromStart ?? false;
    const known = new Set(sources.map((s) => s.source));
    for (const [source, patterns] of Object.entries(opts.seen ?? {})) {
      if (!known.has(source)) continue;
      this.lastSeen.set(source, new Map(Object.entries(patterns).filter(([, at]) => typeof at === 'number')));
    }
    for (const s of sources) {
      if (this.tails.has(s.source)) continue;
      const t: Tail = { path: s.path, offset: 0, id: '', lines: [], partial: '' };
      if (s.charge) t.charge = s.charge;
      if (s.host && !s.host.local) {
        t.host = s.host;
        if (s.datadir !== undefined) t.datadir = s.datadir;
        t.offset = this.fromStart ? 0 : -1;
      } else if (!this.fromStart) {
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

  /** The sources read over another host's shell, by host name. */
  remoteTails(): Map<string, { host: HostModel; tails: Array<[string, Tail]> }> {
    const out = new Map<string, { host: HostModel; tails: Array<[string, Tail]> }>();
    for (const [source, t] of this.tails) {
      if (!t.host) continue;
      let g = out.get(t.host.name);
      if (!g) {
        g = { host: t.host, tails: [] };
        out.set(t.host.name, g);
      }
      g.tails.push([source, t]);
    }
    return out;
  }

  /** The last matches, to save and give back as `seen` after a restart. */
  seenState(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.lastSeen].map(([source, m]) => [source, Object.fromEntries(m)]));
  }

  /** The last lines of a source (oldest first), or undefined for an unknown source. */
  lines(source: string): readonly string[] | undefined {
    return this.tails.get(source)?.lines;
  }

  /** Reads what was appended to the files of this machine since the last call; returns the known messages among it. */
  poll(now: number): LogEvent[] {
    const events: LogEvent[] = [];
    for (const [source, t] of this.tails) {
      if (t.host) continue;
      const got = readNew(t, this.maxBytes);
      if (got) this.ingest(source, t, got.bytes, got.skipped, now, events);
    }
    return events;
  }

  /**
   * Takes bytes read from a source's file (starting at `t.offset` as the reader left it, which
   * already accounts for a rotation or skip): whole lines are kept, known ones become events.
   */
  ingest(
    source: string,
    t: Tail,
    bytes: Uint8Array,
    skipped: boolean,
    now: number,
    events: LogEvent[],
  ): void {
    const text = t.partial + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    const parts = text.split('\n');
    t.partial = parts.pop() ?? '';
    if (t.partial.length > MAX_LINE * 4) t.partial = t.partial.slice(0, MAX_LINE);
    const lines = parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
    if (skipped)
      lines.unshift(
        `[dokomodo: earlier lines skipped, more than ${this.maxBytes} bytes since the last poll]`,
      );
    for (const raw of lines) {
      const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
      t.lines.push(line);
      for (const p of LOG_PATTERNS) {
        if (!p.test.test(line)) continue;
        const chain = t.charge ? t.charge(line) : source;
        events.push({ source, ...(chain !== undefined ? { chain } : {}), pattern: p, line, at: now });
        const key = chain ?? source;
        let seen = this.lastSeen.get(key);
        if (!seen) {
          seen = new Map();
          this.lastSeen.set(key, seen);
        }
        seen.set(p.name, now);
        break;
      }
    }
    if (t.lines.length > this.keep) t.lines.splice(0, t.lines.length - this.keep);
  }
}

/** The bytes appended to a local file since `t.offset` (at most `max`), moving `t` on; undefined: no file. */
function readNew(t: Tail, max: number): { bytes: Uint8Array; skipped: boolean } | undefined {
  let fd: number;
  try {
    fd = openSync(t.path, 'r');
  } catch {
    return undefined;
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
    if (st.size - t.offset > max) {
      t.offset = st.size - max;
      t.partial = '';
      skipped = true;
    }
    const n = st.size - t.offset;
    if (n <= 0) return undefined;
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, t.offset + got);
      if (r === 0) break;
      got += r;
    }
    t.offset += got;
    return { bytes: buf.subarray(0, got), skipped };
  } finally {
    closeSync(fd);
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
