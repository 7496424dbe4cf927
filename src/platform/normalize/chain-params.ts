/** A chain's `params` (-ac_* parameters, checked against komodod's rules) and other `args`. */
import { didYouMean } from '../../core/diagnostics.ts';
import type { CoinInfo } from '../../komodo/coins.ts';
import { AC_PARAMS, checkParams, paramWarnings, type Rules } from '../../komodo/params.ts';
import type { ChainModel } from '../model.ts';
import { NAME_RE } from '../schema.ts';
import type { Parsed, Path, Report } from './context.ts';

type ChainInput = NonNullable<Parsed['chains'][string]>;

/** Arguments dokomodo sets itself from dedicated keys; writing them under `args` would conflict. */
const MANAGED_ARGS: Record<string, string> = {
  ac_name: 'the chain name (or params.ac_name)',
  datadir: 'the chain `datadir` key',
  conf: 'the chain `datadir` key (the conf lives in it)',
  port: '`ports: { p2p: N, override: true }`',
  rpcport: '`ports: { rpc: N, override: true }`',
  pubkey: '`defaults.pubkey`',
  addnode: 'the chain `addnode` list',
  whitelistaddress: 'the `whitelist` list',
};

function paramString(v: number | string | Array<number | string>): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

function argString(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

/**
 * The -ac_* parameters as command-line strings and the -ac_name of an assetchain, or undefined
 * when any is wrong (every problem reported).
 */
export function chainParams(
  report: Report,
  name: string,
  path: Path,
  c: ChainInput,
  kind: ChainModel['kind'],
  coin: CoinInfo,
  rules: Rules,
): { params: Record<string, string>; acName: string | undefined } | undefined {
  const { err, warn } = report;
  const rawParams = c.params ?? {};
  let acName: string | undefined;
  const params: Record<string, string> = {};
  let paramsOk = true;
  for (const [key, value] of Object.entries(rawParams)) {
    const ppath = [...path, 'params', key];
    if (key === 'ac_name') {
      acName = paramString(value);
      continue;
    }
    if (kind !== 'assetchain') {
      err(
        'params-not-allowed',
        ppath,
        `${name} is ${kind === 'kmd' ? 'KMD' : `a ${coin.symbol} daemon`}; -ac_* parameters only apply to assetchains`,
        'remove `params` from this chain',
        true,
      );
      paramsOk = false;
      continue;
    }
    const spec = AC_PARAMS[key];
    if (!spec) {
      const guess = didYouMean(key, Object.keys(AC_PARAMS));
      const hint = guess
        ? `did you mean \`${guess}\`?`
        : key.startsWith('ac_')
          ? 'komodod does not know this parameter; see docs/platform-file.md for the list'
          : 'params holds -ac_* parameters only; put other daemon arguments under `args`';
      err('unknown-param', ppath, `unknown assetchain parameter \`${key}\``, hint, true);
      paramsOk = false;
      continue;
    }
    if (spec.rules && !spec.rules.includes(rules)) {
      err(
        'param-needs-rules',
        ppath,
        `\`${key}\` exists only in ${spec.rules.join('/')} daemons`,
        `set \`rules: ${spec.rules[0]}\` on this chain if it really runs such a daemon`,
        true,
      );
      paramsOk = false;
      continue;
    }
    const text = paramString(value);
    if (text.trim() === '' || /[\s]/.test(text)) {
      err(
        'bad-param-value',
        ppath,
        `\`${key}\` has ${text.trim() === '' ? 'an empty value' : 'white space in its value'}`,
        'komodod reads an empty value as 0; give the value, without spaces',
        true,
      );
      paramsOk = false;
      continue;
    }
    if (spec.kind !== 'int' && spec.kind !== 'list' && typeof value === 'number') {
      err(
        'bad-param-value',
        ppath,
        `\`${key}\` is text, but YAML read a number here (leading zeros and digits-only hex are lost)`,
        `quote it: ${key}: "…"`,
      );
      paramsOk = false;
      continue;
    }
    params[key] = paramString(value);
  }
  if (kind === 'assetchain') {
    acName ??= name;
    if (acName === 'KMD') {
      err(
        'param-refused',
        [...path, ...(rawParams['ac_name'] !== undefined ? ['params', 'ac_name'] : [])],
        'komodod refuses -ac_name=KMD',
        'KMD itself is a chain named KMD without params',
      );
      return undefined;
    }
    if (!NAME_RE.test(acName)) {
      err(
        'bad-name',
        [...path, 'params', 'ac_name'],
        `ac_name \`${acName}\` is not allowed`,
        'use 1–64 letters, digits, `_` or `-`',
      );
      return undefined;
    }
    if (paramsOk) {
      const at = (param: string) =>
        param && rawParams[param] !== undefined ? [...path, 'params', param] : path;
      for (const p of checkParams(acName, params, rules)) {
        err(p.code, at(p.param), p.message, p.hint);
        paramsOk = false;
      }
      if (paramsOk)
        for (const p of paramWarnings(acName, params, rules)) warn(p.code, at(p.param), p.message, p.hint);
    }
  }
  return paramsOk ? { params, acName } : undefined;
}

/** The other daemon arguments as command-line strings; a wrong one is reported and left out. */
export function chainArgs(report: Report, path: Path, c: ChainInput): Record<string, string> {
  const { err } = report;
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(c.args ?? {})) {
    const apath = [...path, 'args', key];
    if (key.startsWith('ac_')) {
      err(
        'ac-param-in-args',
        apath,
        `\`${key}\` is an assetchain parameter`,
        'move it under `params` so dokomodo computes the magic with it',
        true,
      );
      continue;
    }
    if (key in MANAGED_ARGS) {
      err('managed-arg', apath, `\`${key}\` is set by dokomodo`, `use ${MANAGED_ARGS[key]} instead`, true);
      continue;
    }
    if (typeof value === 'string' && value.trim() === '') {
      err(
        'bad-value',
        apath,
        `\`${key}\` has an empty value`,
        'komodod reads an empty value as 0 or ""; give the value or remove the key',
        true,
      );
      continue;
    }
    if (!/^[a-z][a-z0-9_-]*$/i.test(key)) {
      err(
        'bad-name',
        apath,
        `\`${key}\` is not a daemon option name`,
        'write options without the leading dash, e.g. `addressindex: 1`',
        true,
      );
      continue;
    }
    args[key] = argString(value);
  }
  return args;
}
