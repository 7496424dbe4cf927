/**
 * komodod command lines: building the argv dokomodo launches, and parsing one back with komodod's
 * own rules (reference §1.2) for the devnet simulator.
 */
import { DokomodoError } from '../core/errors.ts';

/** Options of a launch besides the -ac_* parameters. */
export interface LaunchOptions {
  /** Other daemon options, written as `-key=value` in object order (keys without the dash). */
  args?: Readonly<Record<string, string>>;
  /** One `-addnode=` per entry, in order. */
  addnode?: readonly string[];
  /** Notary pubkey (66 hex digits). */
  pubkey?: string;
  /** Replaces the whole data directory (komodod adds no NAME sub-directory). */
  datadir?: string;
  /** P2P port; komodod keeps the magic and only listens elsewhere. */
  port?: number;
  /** RPC port; overrides NAME.conf. */
  rpcport?: number;
  /** Conf file, relative to the data directory unless absolute. */
  conf?: string;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function option(key: string, value: string): string {
  if (!KEY_RE.test(key)) {
    throw new DokomodoError('bad-launch-arg', `\`${key}\` is not a komodod option name`, {
      hint: 'write option names without the leading dash: letters, digits, `_`, `.`, `-`',
    });
  }
  if (value === '') {
    // `-key=` and `-key` both read as 0 for numbers but as true for booleans: never ambiguous.
    throw new DokomodoError('bad-launch-arg', `option -${key} has an empty value`, {
      hint: 'give the option an explicit value or leave it out',
    });
  }
  return `-${key}=${value}`;
}

function isKmd(name: string): boolean {
  return name === '' || name === 'KMD';
}

/**
 * komodod argv (without the binary): for KMD (`name` 'KMD' or '') no -ac_name; otherwise
 * `-ac_name=NAME`, then each -ac_* parameter in the given object order, then `opts.args` in
 * order, then `-pubkey=`, `-datadir=`, `-conf=`, `-port=`, `-rpcport=` when given, then one
 * `-addnode=` per node. Every option is written as `-key=value`; an empty value or a key that is
 * not an option name throws `DokomodoError` `bad-launch-arg` (that is a bug in the caller, not
 * user input to report).
 */
export function launchArgs(
  name: string,
  params: Readonly<Record<string, string>>,
  opts: LaunchOptions = {},
): string[] {
  const argv: string[] = [];
  if (!isKmd(name)) argv.push(option('ac_name', name));
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith('ac_') || k === 'ac_name') {
      throw new DokomodoError('bad-launch-arg', `\`${k}\` is not an assetchain parameter`, {
        hint: 'params holds -ac_* parameters (without ac_name); other options go to opts.args',
      });
    }
    argv.push(option(k, v));
  }
  for (const [k, v] of Object.entries(opts.args ?? {})) argv.push(option(k, v));
  if (opts.pubkey !== undefined) argv.push(option('pubkey', opts.pubkey));
  if (opts.datadir !== undefined) argv.push(option('datadir', opts.datadir));
  if (opts.conf !== undefined) argv.push(option('conf', opts.conf));
  if (opts.port !== undefined) argv.push(option('port', portString(opts.port)));
  if (opts.rpcport !== undefined) argv.push(option('rpcport', portString(opts.rpcport)));
  for (const node of opts.addnode ?? []) argv.push(option('addnode', node));
  return argv;
}

function portString(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DokomodoError('bad-launch-arg', `port ${port} is not a TCP port`);
  }
  return String(port);
}

/** A komodod argv as komodod reads it. */
export interface ParsedLaunchArgs {
  /** `-ac_name`, '' when absent (KMD). */
  name: string;
  /** -ac_* options without the dash (ac_name excluded), last occurrence wins. */
  params: Record<string, string>;
  /** Every other option without the dash except addnode, last occurrence wins. */
  options: Record<string, string>;
  /** All `-addnode` values in order. */
  addnode: string[];
}

/**
 * Parses a komodod argv (without the binary) with komodod's rules: `-name=value` (a missing
 * `=value` gives ''), `--name` is read as `-name`, the last occurrence wins, and parsing stops at
 * the first argument whose name does not start with `-`.
 */
export function parseLaunchArgs(argv: readonly string[]): ParsedLaunchArgs {
  const params: Record<string, string> = {};
  const options: Record<string, string> = {};
  const addnode: string[] = [];
  let name = '';
  for (const arg of argv) {
    const eq = arg.indexOf('=');
    let key = eq === -1 ? arg : arg.slice(0, eq);
    const value = eq === -1 ? '' : arg.slice(eq + 1);
    if (!key.startsWith('-')) break;
    if (key.length > 1 && key[1] === '-') key = key.slice(1);
    const bare = key.slice(1);
    if (bare === 'ac_name') name = value;
    else if (bare === 'addnode') addnode.push(value);
    else if (bare.startsWith('ac_')) params[bare] = value;
    else options[bare] = value;
  }
  return { name, params, options, addnode };
}
