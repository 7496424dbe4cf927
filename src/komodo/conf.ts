/**
 * komodod/bitcoind conf files: the daemon's own parser, komodod's separate early reader for the RPC
 * credentials (reference §3.2), a writer that both read back identically, and the conf komodod
 * writes on an assetchain's first start (§3.3).
 */
import { DokomodoError } from '../core/errors.ts';

/** One `key=value` line. Keys inside a `[section]` are `section.key`. */
export interface ConfEntry {
  key: string;
  value: string;
}

/** A line the daemon cannot read (it refuses to start on it). `line` is 1-based. */
export interface ConfLineProblem {
  line: number;
  message: string;
}

function trimWs(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/**
 * The daemon's conf parser (boost program_options, as bitcoind uses it): `#` starts a comment
 * anywhere on a line, key and value are trimmed, `[section]` prefixes later keys with `section.`,
 * repeated keys are all kept in order. Lines without `=` are reported (the daemon refuses them).
 */
export function parseConfLines(text: string): { entries: ConfEntry[]; problems: ConfLineProblem[] } {
  const entries: ConfEntry[] = [];
  const problems: ConfLineProblem[] = [];
  let prefix = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!;
    const hash = s.indexOf('#');
    if (hash !== -1) s = s.slice(0, hash);
    s = trimWs(s);
    if (s === '') continue;
    if (s.startsWith('[') && s.endsWith(']')) {
      const section = s.slice(1, -1);
      prefix = section === '' ? '' : `${section}.`;
      continue;
    }
    const eq = s.indexOf('=');
    if (eq === -1) {
      problems.push({ line: i + 1, message: 'line has no `=`' });
      continue;
    }
    entries.push({ key: prefix + trimWs(s.slice(0, eq)), value: trimWs(s.slice(eq + 1)) });
  }
  return { entries, problems };
}

/** The entries of a conf file, as the daemon reads them (unreadable lines are skipped). */
export function parseConf(text: string): ConfEntry[] {
  return parseConfLines(text).entries;
}

/**
 * The value the daemon uses for a single-valued key: the **first** occurrence in the file (bitcoind's
 * ReadConfigFile never overwrites a setting it already has). Note komodod's early reader
 * ({@link komodoUserPass}) takes the last rpcuser/rpcpassword/rpcport instead.
 */
export function confGet(entries: readonly ConfEntry[], key: string): string | undefined {
  for (const e of entries) if (e.key === key) return e.value;
  return undefined;
}

/** Every value of a repeatable key (addnode, whitelistaddress, …) in file order. */
export function confGetAll(entries: readonly ConfEntry[], key: string): string[] {
  return entries.filter((e) => e.key === key).map((e) => e.value);
}

/** komodod's parse_conf_line: the rest of the line after the key, '=' skipped only if it comes first, all whitespace removed. */
function parseConfLine(line: string, at: number, field: string): string | undefined {
  let rest = line.slice(at + field.length);
  if (rest === '') return undefined;
  if (rest[0] === '=') rest = rest.slice(1);
  rest = rest.replace(/[ \n\r\t\b]/g, '');
  // komodod's clonestr turns an empty string into this literal
  return rest === '' ? '<nullstr>' : rest;
}

/** C atoi: leading space, sign, digits. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const v = Number.parseInt(m[1]!, 10);
  return Number.isFinite(v) ? v : 0;
}

/**
 * komodod's own early reader for `rpcuser`, `rpcpassword` and `rpcport` (src/komodo_utils.cpp
 * _komodo_userpass): it skips lines starting with `#`, finds the keys as **substrings** anywhere in
 * a line (rpcuser first, then rpcpassword, then rpcport), expects `=` immediately after the key,
 * strips every whitespace character from the value and does not strip inline comments; later
 * lines overwrite earlier ones. user and password are returned only together (as komodod uses
 * them); rpcport only when non-zero (komodod's "not found").
 */
export function komodoUserPass(text: string): { user?: string; password?: string; rpcport?: number } {
  let user: string | undefined;
  let password: string | undefined;
  let port = 0;
  for (const raw of text.split(/(?<=\n)/)) {
    if (raw.startsWith('#')) continue;
    const u = raw.indexOf('rpcuser');
    const pw = raw.indexOf('rpcpassword');
    const pt = raw.indexOf('rpcport');
    if (u !== -1) user = parseConfLine(raw, u, 'rpcuser');
    else if (pw !== -1) password = parseConfLine(raw, pw, 'rpcpassword');
    else if (pt !== -1) {
      const v = parseConfLine(raw, pt, 'rpcport');
      // komodod keeps it in a uint16_t
      if (v !== undefined) port = atoi(v) & 0xffff;
    }
  }
  const out: { user?: string; password?: string; rpcport?: number } = {};
  if (user !== undefined && password !== undefined) {
    out.user = user;
    out.password = password;
  }
  if (port !== 0) out.rpcport = port;
  return out;
}

/** Keys komodod's early reader scans for; their lines must read the same to both parsers. */
const EARLY_KEYS = ['rpcuser', 'rpcpassword', 'rpcport'];

function confError(message: string, hint?: string): DokomodoError {
  return new DokomodoError('bad-conf-value', message, hint === undefined ? {} : { hint });
}

function checkEntry(e: ConfEntry): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(e.key)) throw confError(`conf key \`${e.key}\` is not a daemon option name`);
  // The message names the key only: values may be passwords.
  if (/[\r\n]/.test(e.value)) throw confError(`conf value of ${e.key} contains a line break`);
  if (e.value.includes('#')) throw confError(`conf value of ${e.key} contains \`#\`, which starts a comment`);
  if (e.value !== trimWs(e.value))
    throw confError(`conf value of ${e.key} has leading or trailing whitespace, which the daemon trims`);
  const line = `${e.key}=${e.value}`;
  // komodod's early reader takes the first of its keys found anywhere in the line
  const hit = EARLY_KEYS.map((k) => [k, line.indexOf(k)] as const).find(([, at]) => at !== -1);
  if (hit && (hit[0] !== e.key || hit[1] !== 0)) {
    throw confError(
      `conf line of ${e.key} contains \`${hit[0]}\``,
      'komodod would read this line as its own rpc setting',
    );
  }
  if (EARLY_KEYS.includes(e.key)) {
    if (e.value === '') throw confError(`conf value of ${e.key} is empty`);
    if (/[ \t\b\v\f]/.test(e.value)) {
      throw confError(
        `conf value of ${e.key} contains whitespace`,
        'komodod strips whitespace from rpcuser/rpcpassword/rpcport',
      );
    }
  }
}

/**
 * Writes a conf file: `# ` header lines, then one `key=value` per entry in order, `\n` line ends.
 * Nothing is ever written after a value (no inline comments). Throws DokomodoError
 * `bad-conf-value` for anything the daemon would read back differently (line breaks, `#`,
 * surrounding whitespace, whitespace in rpcuser/rpcpassword/rpcport, keys that are not option
 * names) — so `parseConf(serializeConf(e))` equals `e`.
 */
export function serializeConf(entries: readonly ConfEntry[], header: readonly string[] = []): string {
  let out = '';
  for (const h of header) {
    if (/[\r\n]/.test(h)) throw confError('conf header lines must not contain line breaks');
    out += h === '' ? '#\n' : `# ${h}\n`;
  }
  for (const e of entries) {
    checkEntry(e);
    out += `${e.key}=${e.value}\n`;
  }
  return out;
}

/**
 * The NAME.conf komodod writes on an assetchain's first start when none exists (reference §3.3),
 * byte for byte; komodod's user is `user<decimal>` and its password `pass<66 hex>`, here they are
 * whatever the caller passes.
 */
export function firstStartConf(opts: { user: string; password: string; rpcport: number }): string {
  if (!Number.isInteger(opts.rpcport) || opts.rpcport < 1 || opts.rpcport > 65535) {
    throw confError(`rpcport ${opts.rpcport} is not a TCP port`);
  }
  return serializeConf([
    { key: 'rpcuser', value: opts.user },
    { key: 'rpcpassword', value: opts.password },
    { key: 'rpcport', value: String(opts.rpcport) },
    { key: 'server', value: '1' },
    { key: 'txindex', value: '1' },
    { key: 'rpcworkqueue', value: '256' },
    { key: 'rpcallowip', value: '127.0.0.1' },
    { key: 'rpcbind', value: '127.0.0.1' },
  ]);
}
