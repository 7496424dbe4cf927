/**
 * The `chains` section: each chain's kind and coin, then its parameters and arguments
 * (chain-params.ts), identity and ports (chain-ports.ts), data directory, launch arguments and
 * notarization policy.
 */
import { didYouMean } from '../../core/diagnostics.ts';
import { launchArgs } from '../../komodo/args.ts';
import { type CoinInfo, COINS, coinInfo, KMD } from '../../komodo/coins.ts';
import type { Rules } from '../../komodo/params.ts';
import { DEFAULTS, LARGE_UTXO_COINS } from '../defaults.ts';
import type { ChainModel, Defaults, NotarizationPolicy } from '../model.ts';
import { NAME_RE } from '../schema.ts';
import { chainArgs, chainParams } from './chain-params.ts';
import { chainPorts } from './chain-ports.ts';
import type { Parsed, Path, Report } from './context.ts';
import type { Hosts } from './hosts.ts';

type ChainInput = NonNullable<Parsed['chains'][string]>;

export function normalizeChains(
  report: Report,
  input: Parsed['chains'],
  defaults: Defaults,
  hosts: Hosts,
): ChainModel[] {
  const chains: ChainModel[] = [];
  const entries = Object.entries(input);
  if (entries.length === 0) {
    report.err(
      'no-chains',
      ['chains'],
      'the platform defines no chains',
      'add at least `KMD: {}` under chains',
    );
  }
  for (const [name, c0] of entries) {
    const chain = normalizeChain(report, name, c0 ?? {}, defaults, hosts);
    if (chain) chains.push(chain);
  }
  return chains;
}

/** One chain, or undefined when it has an error that leaves it without an identity. */
function normalizeChain(
  report: Report,
  name: string,
  c: ChainInput,
  defaults: Defaults,
  hosts: Hosts,
): ChainModel | undefined {
  const { err } = report;
  const path: Path = ['chains', name];
  if (!NAME_RE.test(name)) {
    err(
      'bad-name',
      path,
      `chain name \`${name}\` is not allowed`,
      'use 1–64 letters, digits, `_` or `-`, starting with a letter or digit',
      true,
    );
    return undefined;
  }
  const hostName = hosts.resolve(c.host, path);
  const host = hostName ? hosts.byName.get(hostName) : undefined;
  const baseDatadir = host?.datadir ?? defaults.datadir;

  let kind: ChainModel['kind'];
  let coin: CoinInfo = KMD;
  if (c.coin !== undefined) {
    const info = coinInfo(c.coin.toUpperCase());
    if (!info) {
      const guess = didYouMean(c.coin, Object.keys(COINS));
      err(
        'unknown-coin',
        [...path, 'coin'],
        `unknown coin \`${c.coin}\``,
        guess ? `did you mean \`${guess}\`?` : `known coins: ${Object.keys(COINS).join(', ')}`,
      );
      return undefined;
    }
    coin = info;
    kind = info.symbol === 'KMD' ? 'kmd' : 'coin';
  } else {
    kind = name === 'KMD' ? 'kmd' : 'assetchain';
  }
  const rules: Rules = c.rules ?? DEFAULTS.chain.rules;
  // A fork (marmarad, tokeld) keeps komodod's conf layout and arguments: only the binaries differ.
  if (c.daemon) coin = { ...coin, daemon: c.daemon.binary, cli: c.daemon.cli ?? coin.cli };

  const parsed = chainParams(report, name, path, c, kind, coin, rules);
  if (!parsed) return undefined;
  const { params, acName } = parsed;
  const args = chainArgs(report, path, c);
  const ports = chainPorts(report, name, path, c, kind, coin, rules, acName, params);
  if (!ports) return undefined;
  const { p2p, rpc, magic, netmagic, override } = ports;

  const { datadir, confName, customDatadir } = chainDatadir(c, kind, coin, acName, baseDatadir);
  const whitelist =
    kind === 'coin' ? [...(c.whitelist ?? [])] : dedupe([...defaults.whitelist, ...(c.whitelist ?? [])]);
  const addnode = c.addnode ?? [];
  const launch = launchArgs(kind === 'assetchain' ? acName! : 'KMD', kind === 'assetchain' ? params : {}, {
    args,
    addnode,
    ...(kind !== 'coin' && defaults.pubkey ? { pubkey: defaults.pubkey } : {}),
    ...(customDatadir ? { datadir } : {}),
    ...(override && ports.declaredP2p !== undefined ? { port: p2p } : {}),
  });
  const notarization = chainNotarization(report, name, path, c, kind === 'coin' ? coin.symbol : name);
  return {
    name,
    kind,
    symbol: kind === 'kmd' ? 'KMD' : kind === 'coin' ? coin.symbol : name,
    acName: kind === 'assetchain' ? acName : undefined,
    coin,
    rules,
    params,
    args,
    addnode,
    whitelist,
    host: hostName,
    p2p,
    rpc,
    portsOverridden: override,
    magic,
    netmagic,
    datadir,
    confName,
    customDatadir,
    launchArgs: launch,
    notarization,
    explorers: c.explorers ?? [],
    backup: { wallet: c.backup?.wallet ?? DEFAULTS.backup.wallet },
    bootstrap: c.bootstrap
      ? { url: c.bootstrap.url, path: c.bootstrap.path, sha256: c.bootstrap.sha256 }
      : undefined,
    description: c.description,
  };
}

/** Where a chain keeps its data and conf, and whether komodod must be told (-datadir). */
function chainDatadir(
  c: ChainInput,
  kind: ChainModel['kind'],
  coin: CoinInfo,
  acName: string | undefined,
  baseDatadir: string,
): { datadir: string; confName: string; customDatadir: boolean } {
  let confName: string;
  let defaultDatadir: string;
  if (kind === 'assetchain') {
    defaultDatadir = `${baseDatadir}/${acName}`;
    confName = `${acName}.conf`;
  } else if (kind === 'kmd') {
    defaultDatadir = baseDatadir;
    confName = KMD.confName;
  } else {
    defaultDatadir = `~/${coin.dataDir}`;
    confName = coin.confName;
  }
  const datadir = stripSlash(c.datadir ?? defaultDatadir);
  // komodod's own layout is ~/.komodo[/NAME]; anything else must be passed as -datadir.
  const daemonDefault =
    kind === 'assetchain' ? `~/.komodo/${acName}` : kind === 'kmd' ? '~/.komodo' : `~/${coin.dataDir}`;
  return { datadir, confName, customDatadir: datadir !== daemonDefault };
}

/** The notarization UTXO policy; `symbol` picks the larger UTXO of GAME, EMC2, AYA and MIL. */
function chainNotarization(
  report: Report,
  name: string,
  path: Path,
  c: ChainInput,
  symbol: string,
): NotarizationPolicy {
  const n = c.notarization ?? {};
  const D = DEFAULTS.notarization;
  const notarization = {
    enabled: n.enabled ?? D.enabled,
    utxoValue: n.utxo_value ?? (LARGE_UTXO_COINS.has(symbol) ? D.largeUtxoValue : D.utxoValue),
    splitThreshold: n.split_threshold ?? D.splitThreshold,
    splitTarget: n.split_target ?? D.splitTarget,
  };
  if (notarization.splitTarget <= notarization.splitThreshold) {
    report.err(
      'bad-split',
      [...path, 'notarization'],
      `${name}: split_target (${notarization.splitTarget}) must be above split_threshold (${notarization.splitThreshold})`,
      'a split tops the UTXO count up to the target once it falls below the threshold',
    );
  }
  return notarization;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}
