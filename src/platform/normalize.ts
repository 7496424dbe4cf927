/**
 * Schema-valid input → Platform model, with the semantic rules that need the whole file:
 * names, references, parameters, computed vs declared ports, port and datadir clashes.
 */
import { isLoopback } from './address.ts';
import { normalizeAlerts } from './normalize-alerts.ts';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Diagnostic, didYouMean } from '../core/diagnostics.ts';
import type { FileReader } from '../core/host.ts';
import { launchArgs } from '../komodo/args.ts';
import { type CoinInfo, COINS, coinInfo, KMD } from '../komodo/coins.ts';
import { chainIdentity } from '../komodo/magic.ts';
import { AC_PARAMS, checkParams, paramWarnings, type Rules } from '../komodo/params.ts';
import { builtinSeason } from '../komodo/seasons.ts';
import type {
  ChainModel,
  Defaults,
  EnvironmentModel,
  HostModel,
  IguanaModel,
  NotaryListModel,
  NotaryModel,
  Platform,
} from './model.ts';
import { HOST_RE, NAME_RE, type PlatformInput } from './schema.ts';
import type { PlatformSource } from './source.ts';

type Parsed = import('zod').output<typeof import('./schema.ts').PlatformSchema>;

/** Chains whose notarization UTXO is 0.001 instead of 0.0001 (reference: dpow_utxosize). */
/** How start/stop reach a host's daemons when the platform file does not say. */
const CONTROL_OF_ENGINE = { ansible: 'process', compose: 'compose', kubernetes: 'kubectl' } as const;

const LARGE_UTXO_COINS = new Set(['GAME', 'EMC2', 'AYA', 'MIL']);
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

export function parseDuration(v: number | string | undefined, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  if (typeof v === 'number') return Math.round(v * 1000);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!m) return fallbackMs;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}

function paramString(v: number | string | Array<number | string>): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

/** Iguana dies (0 seeds), segfaults (1) or spins without opening its port (2–7) below this. */
export const MIN_SEEDS = 8;

function argString(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

export function normalize(
  src: PlatformSource,
  input: Parsed,
  reader: FileReader | undefined,
): { platform: Platform; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const err = (code: string, path: Array<string | number>, message: string, hint?: string, key?: boolean) =>
    diags.push(src.diag(code, path, message, { ...(hint ? { hint } : {}), ...(key ? { key } : {}) }));
  const warn = (code: string, path: Array<string | number>, message: string, hint?: string) =>
    diags.push(src.diag(code, path, message, { ...(hint ? { hint } : {}), severity: 'warning' }));

  // ---- defaults
  const d = input.defaults ?? {};
  const defaults: Defaults = {
    datadir: d.datadir ?? '~/.komodo',
    host: d.host,
    user: d.user,
    pubkey: d.pubkey?.toLowerCase(),
    binaries: { komodod: 'komodod', 'komodo-cli': 'komodo-cli', iguana: 'iguana', ...(d.binaries ?? {}) },
    rpc: {
      bind: d.rpc?.bind ?? '127.0.0.1',
      allowip: d.rpc?.allowip ?? ['127.0.0.1'],
      workqueue: d.rpc?.workqueue ?? 256,
      threads: d.rpc?.threads,
    },
    start: { concurrency: d.start?.concurrency ?? 4, timeoutMs: parseDuration(d.start?.timeout, 300_000) },
    stop: { timeoutMs: parseDuration(d.stop?.timeout, 120_000) },
    whitelist: d.whitelist ?? [],
    containers: {
      image: d.containers?.image ?? 'dokomodo/komodod:latest',
      iguanaImage: d.containers?.iguana_image ?? 'dokomodo/iguana:latest',
      namespace: d.containers?.namespace ?? 'komodo',
      storage: d.containers?.storage ?? '10Gi',
      storageClass: d.containers?.storage_class,
      cpu: d.containers?.cpu ?? '250m',
      memory: d.containers?.memory ?? '1Gi',
    },
  };

  // ---- hosts
  const hosts: HostModel[] = [];
  for (const [name, h0] of Object.entries(input.hosts ?? {})) {
    if (!HOST_RE.test(name)) {
      err(
        'bad-name',
        ['hosts', name],
        `host name \`${name}\` is not allowed`,
        'use letters, digits, `-`, `_` and `.` (it names directories and inventory hosts)',
        true,
      );
      continue;
    }
    if (!h0) {
      err(
        'missing-key',
        ['hosts', name],
        `host \`${name}\` has no address`,
        'add `address: <ip or dns name>`',
        true,
      );
      continue;
    }
    const user = h0.user ?? h0.ssh?.user ?? defaults.user;
    hosts.push({
      name,
      address: h0.address,
      ssh: {
        user: h0.ssh?.user ?? user,
        port: h0.ssh?.port ?? 22,
        key: h0.ssh?.key,
        knownHosts: h0.ssh?.known_hosts,
        options: h0.ssh?.options ?? {},
      },
      local: h0.ssh === undefined && isLoopback(h0.address),
      engine: h0.engine ?? 'ansible',
      control: h0.control ?? CONTROL_OF_ENGINE[h0.engine ?? 'ansible'],
      roles: h0.roles ?? ['chains', 'iguana'],
      user,
      home: h0.home ?? (user ? (user === 'root' ? '/root' : `/home/${user}`) : undefined),
      datadir: h0.datadir ?? defaults.datadir,
      labels: h0.labels ?? {},
    });
  }
  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const hostNames = [...hostByName.keys()];
  if (defaults.host !== undefined && !hostByName.has(defaults.host)) {
    err(
      'unknown-host',
      ['defaults', 'host'],
      `defaults.host \`${defaults.host}\` is not defined under hosts`,
      hostHint(defaults.host, hostNames),
    );
  }

  /** The host a chain or iguana instance runs on; reports missing or unknown hosts. */
  const resolveHost = (declared: string | undefined, path: Array<string | number>): string | undefined => {
    if (declared !== undefined) {
      if (!hostByName.has(declared)) {
        err(
          'unknown-host',
          [...path, 'host'],
          `host \`${declared}\` is not defined under hosts`,
          hostHint(declared, hostNames),
        );
      }
      return declared;
    }
    if (defaults.host !== undefined) return defaults.host;
    if (hosts.length === 1) return hosts[0]!.name;
    if (hosts.length > 1) {
      err(
        'missing-host',
        path,
        `${path.join('.')} names no host and there are ${hosts.length} hosts`,
        'add `host: <name>` here, or set `defaults.host`',
        true,
      );
    }
    return undefined;
  };

  // ---- chains
  const chains: ChainModel[] = [];
  const chainEntries = Object.entries(input.chains);
  if (chainEntries.length === 0) {
    err('no-chains', ['chains'], 'the platform defines no chains', 'add at least `KMD: {}` under chains');
  }
  for (const [name, c0] of chainEntries) {
    const path = ['chains', name];
    if (!NAME_RE.test(name)) {
      err(
        'bad-name',
        path,
        `chain name \`${name}\` is not allowed`,
        'use 1–64 letters, digits, `_` or `-`, starting with a letter or digit',
        true,
      );
      continue;
    }
    const c = c0 ?? {};
    const hostName = resolveHost(c.host, path);
    const host = hostName ? hostByName.get(hostName) : undefined;
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
        continue;
      }
      coin = info;
      kind = info.symbol === 'KMD' ? 'kmd' : 'coin';
    } else {
      kind = name === 'KMD' ? 'kmd' : 'assetchain';
    }
    const rules: Rules = c.rules ?? 'komodo';
    // A fork (marmarad, tokeld) keeps komodod's conf layout and arguments: only the binaries differ.
    if (c.daemon) coin = { ...coin, daemon: c.daemon.binary, cli: c.daemon.cli ?? coin.cli };

    // parameters
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
        continue;
      }
      if (!NAME_RE.test(acName)) {
        err(
          'bad-name',
          [...path, 'params', 'ac_name'],
          `ac_name \`${acName}\` is not allowed`,
          'use 1–64 letters, digits, `_` or `-`',
        );
        continue;
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
    if (!paramsOk) continue;

    // other arguments
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

    // identity and ports
    let p2p: number | undefined;
    let rpc: number | undefined;
    let magic: number | undefined;
    let netmagic: string | undefined;
    if (kind === 'assetchain') {
      const id = chainIdentity(acName!, params, rules);
      ({ p2p, rpc, magic, netmagic } = id);
    } else if (kind === 'kmd' && c.coin === undefined) {
      const id = chainIdentity('KMD', {});
      ({ p2p, rpc, magic, netmagic } = id);
    } else {
      p2p = coin.p2p;
      rpc = coin.rpc;
      netmagic = coin.netmagic;
      magic = netmagic ? Buffer.from(netmagic, 'hex').readUInt32LE(0) : undefined;
    }
    const declared = c.ports ?? {};
    const override = declared.override === true;
    if (override) {
      if (declared.p2p === undefined && declared.rpc === undefined) {
        err(
          'bad-value',
          [...path, 'ports', 'override'],
          '`override: true` without a port',
          'add `p2p:` and/or `rpc:` next to it',
        );
      }
      if (declared.p2p !== undefined) p2p = declared.p2p;
      if (declared.rpc !== undefined) rpc = declared.rpc;
      else if (declared.p2p !== undefined && rpc === undefined) rpc = declared.p2p + 1;
    } else {
      if (declared.p2p !== undefined && p2p !== undefined && declared.p2p !== p2p) {
        err(
          'port-mismatch',
          [...path, 'ports', 'p2p'],
          `${name}: declared p2p port ${declared.p2p}, but its parameters give ${p2p}`,
          portMismatchHint(kind),
          false,
        );
      }
      if (declared.rpc !== undefined && rpc !== undefined && declared.rpc !== rpc) {
        err(
          'port-mismatch',
          [...path, 'ports', 'rpc'],
          `${name}: declared rpc port ${declared.rpc}, but its parameters give ${rpc}`,
          portMismatchHint(kind),
          false,
        );
      }
      p2p ??= declared.p2p;
      rpc ??= declared.rpc;
    }
    if (p2p === undefined || rpc === undefined) {
      err(
        'missing-ports',
        path,
        `${name}: dokomodo does not know the ports of ${coin.symbol}`,
        'add `ports: { p2p: N, rpc: N, override: true }`',
        true,
      );
      continue;
    }

    // datadir
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
    const customDatadir = datadir !== daemonDefault;

    const whitelist =
      kind === 'coin' ? [...(c.whitelist ?? [])] : dedupe([...defaults.whitelist, ...(c.whitelist ?? [])]);
    const addnode = c.addnode ?? [];
    const launch = launchArgs(kind === 'assetchain' ? acName! : 'KMD', kind === 'assetchain' ? params : {}, {
      args,
      addnode,
      ...(kind !== 'coin' && defaults.pubkey ? { pubkey: defaults.pubkey } : {}),
      ...(customDatadir ? { datadir } : {}),
      ...(override && declared.p2p !== undefined ? { port: p2p } : {}),
    });
    const n = c.notarization ?? {};
    const notarization = {
      enabled: n.enabled ?? true,
      utxoValue:
        n.utxo_value ?? (LARGE_UTXO_COINS.has(kind === 'coin' ? coin.symbol : name) ? 100_000 : 10_000),
      splitThreshold: n.split_threshold ?? 20,
      splitTarget: n.split_target ?? 50,
    };
    if (notarization.splitTarget <= notarization.splitThreshold) {
      err(
        'bad-split',
        [...path, 'notarization'],
        `${name}: split_target (${notarization.splitTarget}) must be above split_threshold (${notarization.splitThreshold})`,
        'a split tops the UTXO count up to the target once it falls below the threshold',
      );
    }
    chains.push({
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
      description: c.description,
    });
  }
  const chainByName = new Map(chains.map((c) => [c.name, c]));
  const allChainNames = Object.keys(input.chains);

  // ---- clashes on one host: ports and data directories
  const portOwners = new Map<string, string>();
  const claimPort = (host: string | undefined, port: number, owner: string, path: Array<string | number>) => {
    const key = `${host ?? ''}:${port}`;
    const prev = portOwners.get(key);
    if (prev !== undefined) {
      err(
        'port-clash',
        path,
        `port ${port} of ${owner} is already used by ${prev}${host ? ` on host ${host}` : ''}`,
        'give one of them other parameters or `ports: { …, override: true }`',
        true,
      );
    } else {
      portOwners.set(key, owner);
    }
  };
  const datadirOwners = new Map<string, string>();
  for (const c of chains) {
    claimPort(c.host, c.p2p, `${c.name} (p2p)`, ['chains', c.name]);
    if (c.rpc !== c.p2p) claimPort(c.host, c.rpc, `${c.name} (rpc)`, ['chains', c.name]);
    const dkey = `${c.host ?? ''}:${c.datadir}`;
    const prev = datadirOwners.get(dkey);
    if (prev !== undefined) {
      err(
        'datadir-clash',
        ['chains', c.name],
        `${c.name} and ${prev} would share the data directory ${c.datadir}`,
        'give one of them its own `datadir`',
        true,
      );
    } else {
      datadirOwners.set(dkey, c.name);
    }
  }

  // ---- notary lists
  const notaries: NotaryListModel[] = [];
  for (const [name, n] of Object.entries(input.notaries ?? {})) {
    const path = ['notaries', name];
    const sources = (['season', 'file', 'list'] as const).filter((k) => n[k] !== undefined);
    if (sources.length !== 1) {
      err(
        'notaries-source',
        path,
        `notary list \`${name}\` needs exactly one of season, file or list${sources.length ? ` (has ${sources.join(' and ')})` : ''}`,
        'e.g. `season: 8`, `file: elected.json` or `list: [{ name: …, pubkey: … }]`',
        true,
      );
      continue;
    }
    let list: NotaryModel[] = [];
    let source = 'inline';
    let fromFile: { port?: number; minsigs?: number; BTCminsigs?: number; seeds?: string[] } = {};
    if (n.season !== undefined) {
      const season = builtinSeason(n.season, n.set ?? 'main');
      if (!season) {
        err(
          'unknown-season',
          [...path, 'set'],
          `dokomodo has no built-in ${n.set === '3p' ? 'third-party' : 'main'} list for season ${n.season}`,
          'copy the elected file next to the platform file and use `file:` instead',
        );
        continue;
      }
      list = season.notaries.map((x) => ({ name: x.name, pubkey: x.pubkey, ip: undefined }));
      source = season.label;
      fromFile = {
        port: season.port,
        minsigs: season.minsigs,
        BTCminsigs: season.BTCminsigs,
        ...(season.seeds.length ? { seeds: [...season.seeds] } : {}),
      };
    } else if (n.set !== undefined) {
      err(
        'bad-value',
        [...path, 'set'],
        '`set` chooses between the built-in lists of a season',
        'use it with `season:`, or remove it',
        true,
      );
      continue;
    } else if (n.file !== undefined) {
      source = n.file;
      const loaded = readNotaryFile(n.file, src.file, reader);
      if ('error' in loaded) {
        err('notaries-file', [...path, 'file'], `notary list file ${n.file}: ${loaded.error}`, loaded.hint);
        continue;
      }
      list = loaded.list;
      fromFile = loaded;
    } else {
      list = n.list!.map((x) => ({ name: x.name, pubkey: x.pubkey.toLowerCase(), ip: x.ip }));
    }
    const seenName = new Set<string>();
    const seenKey = new Set<string>();
    list.forEach((x, i) => {
      const epath = n.list ? [...path, 'list', i] : path;
      if (seenName.has(x.name))
        err('duplicate-notary', epath, `notary ${x.name} appears twice in \`${name}\``);
      if (seenKey.has(x.pubkey))
        err('duplicate-notary', epath, `pubkey of ${x.name} appears twice in \`${name}\``);
      seenName.add(x.name);
      seenKey.add(x.pubkey);
    });
    if (list.length > 64)
      err(
        'out-of-range',
        path,
        `notary list \`${name}\` has ${list.length} notaries; Iguana takes at most 64`,
      );
    notaries.push({
      name,
      source,
      port: n.port ?? fromFile.port ?? 13848,
      minsigs: n.minsigs ?? fromFile.minsigs ?? 13,
      BTCminsigs: n.BTCminsigs ?? fromFile.BTCminsigs ?? 13,
      seeds: n.seeds ?? fromFile.seeds ?? [],
      notaries: list,
    });
  }
  const notaryByName = new Map(notaries.map((x) => [x.name, x]));

  // ---- iguana instances
  const iguana: IguanaModel[] = [];
  const seedsReported = new Set<string>();
  for (const [name, g] of Object.entries(input.iguana ?? {})) {
    const path = ['iguana', name];
    if (!NAME_RE.test(name)) {
      err(
        'bad-name',
        path,
        `iguana instance name \`${name}\` is not allowed`,
        'use letters, digits, `_` or `-`',
        true,
      );
      continue;
    }
    const mode = g.mode ?? (g.port === 7779 || /3p|third/i.test(name) ? '3p' : 'main');
    const port = g.port ?? (mode === '3p' ? 7779 : 7776);
    const hostName = resolveHost(g.host, path);
    const seen = new Set<string>();
    const symbols = new Map<string, string>();
    g.coins.forEach((coinName, i) => {
      if (seen.has(coinName))
        err('duplicate-coin', [...path, 'coins', i], `${coinName} is listed twice in iguana \`${name}\``);
      seen.add(coinName);
      const sym = chainByName.get(coinName)?.symbol;
      const other = sym === undefined ? undefined : symbols.get(sym);
      if (sym !== undefined && other !== undefined && other !== coinName) {
        err(
          'duplicate-symbol',
          [...path, 'coins', i],
          `${coinName} and ${other} are both \`${sym}\` to Iguana`,
          'one Iguana instance can notarize each symbol once; move one to another instance',
        );
      } else if (sym !== undefined) {
        symbols.set(sym, coinName);
      }
      if (!chainByName.has(coinName) && !allChainNames.includes(coinName)) {
        const guess = didYouMean(coinName, allChainNames);
        err(
          'unknown-chain',
          [...path, 'coins', i],
          `iguana \`${name}\` notarizes \`${coinName}\`, which is not defined under chains`,
          guess ? `did you mean \`${guess}\`?` : 'add the chain under `chains`',
        );
      }
    });
    if (
      !g.coins.some((cn) => chainByName.get(cn)?.kind === 'kmd') &&
      g.coins.every((cn) => chainByName.has(cn))
    ) {
      err(
        'iguana-needs-kmd',
        [...path, 'coins'],
        `iguana \`${name}\` has no KMD: every chain is notarized into KMD`,
        'add KMD to its coins (it is added first at bootstrap)',
      );
    }
    if (!notaryByName.has(g.notaries)) {
      const guess = didYouMean(g.notaries, notaryByName.keys());
      err(
        'unknown-notaries',
        [...path, 'notaries'],
        `notary list \`${g.notaries}\` is not defined under notaries`,
        guess ? `did you mean \`${guess}\`?` : 'add it under `notaries`, e.g. `season8: { season: 8 }`',
      );
    } else if (notaryByName.get(g.notaries)!.seeds.length < MIN_SEEDS) {
      const list = notaryByName.get(g.notaries)!;
      if (!seedsReported.has(list.name)) {
        seedsReported.add(list.name);
        const declared = input.notaries?.[list.name]?.seeds !== undefined;
        err(
          'too-few-seeds',
          ['notaries', list.name, ...(declared ? ['seeds'] : [])],
          `notary list \`${list.name}\` has ${list.seeds.length} seed${list.seeds.length === 1 ? '' : 's'}; Iguana needs at least ${MIN_SEEDS} to start (with fewer it crashes or never opens its port)`,
          'list 8 or more seed IPs under `seeds` (the elected file of dPoW has 10); a local devnet may repeat one address, e.g. 127.0.0.2, eight times',
        );
      }
    }
    if (
      notaryByName.has(g.notaries) &&
      defaults.pubkey &&
      !notaryByName.get(g.notaries)!.notaries.some((x) => x.pubkey === defaults.pubkey)
    ) {
      warn(
        'elected-lacks-pubkey',
        [...path, 'notaries'],
        `defaults.pubkey is not in the notary list \`${g.notaries}\``,
        'Iguana refuses `dpow` for a pubkey outside the elected set',
      );
    }
    // dPoW's wp_7776 passes 9999999 (about 115 days); Iguana refuses 0 ("timeout must be positive").
    const unlockSeconds = Math.round(parseDuration(g.unlock, 9_999_999_000) / 1000);
    if (unlockSeconds < 1)
      err('out-of-range', [...path, 'unlock'], 'the unlock time must be at least 1 s', 'e.g. `unlock: 24h`');
    claimPort(hostName, port, `iguana ${name}`, path);
    iguana.push({
      name,
      host: hostName,
      port,
      mode,
      coins: g.coins,
      notaries: g.notaries,
      workdir: g.workdir ?? '~/dPoW/iguana',
      myip: g.myip,
      unlockSeconds,
    });
  }

  // ---- notary node: KMD reads LTC's conf (-notary) and every daemon needs the notary pubkey
  if (iguana.length > 0 && !defaults.pubkey) {
    warn(
      'notary-pubkey-unset',
      input.defaults ? ['defaults'] : [],
      'defaults.pubkey is not set: the daemons start without -pubkey and Iguana cannot `dpow` for this node',
      'derive it with `dokomodo keys derive` and set `defaults.pubkey: 02…`',
    );
  }
  if (defaults.pubkey) {
    for (const g of iguana) {
      if (g.mode !== 'main') continue;
      const ltc = g.coins
        .map((n) => chainByName.get(n))
        .find((c) => c?.kind === 'coin' && c.coin.symbol === 'LTC');
      if (!ltc?.datadir.startsWith('~/')) continue;
      for (const kmd of g.coins.map((n) => chainByName.get(n))) {
        if (kmd?.kind !== 'kmd' || 'notary' in kmd.args || ltc.host !== kmd.host) continue;
        // komodod reads the LTC conf given relative to $HOME to check KMD→LTC notarizations.
        const conf = `${ltc.datadir.replace(/^~\//, '')}/${ltc.confName}`;
        const at = kmd.launchArgs.findIndex((a) => a.startsWith('-pubkey='));
        kmd.launchArgs.splice(at + 1, 0, `-notary=${conf}`);
      }
    }
  }

  // ---- environments
  const environments: EnvironmentModel[] = [];
  for (const [name, e] of Object.entries(input.environments ?? {})) {
    const path = ['environments', name];
    const hostSel = e.hosts === undefined || e.hosts === 'all' ? hostNames : e.hosts;
    if (Array.isArray(e.hosts)) {
      e.hosts.forEach((h, i) => {
        if (!hostByName.has(h))
          err(
            'unknown-host',
            [...path, 'hosts', i],
            `environment \`${name}\` names host \`${h}\`, which is not defined`,
            hostHint(h, hostNames),
          );
      });
    }
    let chainSel: string[];
    if (e.chains === undefined || e.chains === 'all') {
      chainSel = chains.filter((c) => c.host === undefined || hostSel.includes(c.host)).map((c) => c.name);
    } else {
      chainSel = [];
      e.chains.forEach((cn, i) => {
        if (!allChainNames.includes(cn)) {
          const guess = didYouMean(cn, allChainNames);
          err(
            'unknown-chain',
            [...path, 'chains', i],
            `environment \`${name}\` names chain \`${cn}\`, which is not defined`,
            guess ? `did you mean \`${guess}\`?` : 'add the chain under `chains`',
          );
        } else {
          chainSel.push(cn);
        }
      });
    }
    environments.push({ name, chains: chainSel, hosts: [...hostSel], description: e.description });
  }

  const platform: Platform = {
    file: src.file,
    version: 1,
    secret: input.secret ?? { env: 'DOKOMODO_SECRET' },
    defaults,
    hosts,
    chains,
    iguana,
    notaries,
    environments,
    alerts: normalizeAlerts(input.alerts, parseDuration, warn),
  };
  return { platform, diagnostics: diags };
}

function portMismatchHint(kind: ChainModel['kind']): string {
  return kind === 'assetchain'
    ? 'a different port means different parameters, i.e. another network: check every ac_* value; to run on another port deliberately add `override: true`'
    : 'remove the declared port, or add `override: true` to run on it';
}

function hostHint(name: string, known: string[]): string {
  const guess = didYouMean(name, known);
  if (guess) return `did you mean \`${guess}\`?`;
  return known.length ? `defined hosts: ${known.join(', ')}` : 'define it under `hosts`';
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

type NotaryFile =
  | { list: NotaryModel[]; port?: number; minsigs?: number; BTCminsigs?: number; seeds?: string[] }
  | { error: string; hint?: string };

/** Reads an elected file: Iguana's `{port, minsigs, seeds, notaries: [{name: pubkey}]}` or a flat `{name: pubkey}`. */
function readNotaryFile(file: string, platformFile: string, reader: FileReader | undefined): NotaryFile {
  if (!reader) return { error: 'cannot be read here', hint: 'load the platform from disk' };
  const path = isAbsolute(file) ? file : resolve(dirname(platformFile), file);
  const got = reader.read(path);
  if ('error' in got) return { error: got.error, hint: 'the path is relative to the platform file' };
  let json: unknown;
  try {
    json = JSON.parse(got.text);
  } catch {
    return {
      error: 'is not valid JSON',
      hint: 'it must be an Iguana elected file or a flat {"name": "pubkey"} object',
    };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return {
      error: 'must be a JSON object',
      hint: 'an Iguana elected file or a flat {"name": "pubkey"} object',
    };
  }
  const obj = json as Record<string, unknown>;
  const pairs: Array<[string, unknown]> = [];
  if (Array.isArray(obj['notaries'])) {
    for (const entry of obj['notaries']) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry)) pairs.push(...Object.entries(entry));
      else return { error: 'has a `notaries` entry that is not a {"name": "pubkey"} object' };
    }
  } else {
    pairs.push(...Object.entries(obj));
  }
  const list: NotaryModel[] = [];
  for (const [name, pubkey] of pairs) {
    if (typeof pubkey !== 'string' || !/^(02|03)[0-9a-fA-F]{64}$/.test(pubkey)) {
      return { error: `notary ${name} has no valid 66-hex-digit compressed pubkey` };
    }
    list.push({ name, pubkey: pubkey.toLowerCase(), ip: undefined });
  }
  if (list.length === 0) return { error: 'lists no notaries' };
  const num = (k: string) => (typeof obj[k] === 'number' ? (obj[k] as number) : undefined);
  const seeds = Array.isArray(obj['seeds'])
    ? (obj['seeds'] as unknown[]).filter((s): s is string => typeof s === 'string')
    : undefined;
  const out: NotaryFile = { list };
  const port = num('port');
  const minsigs = num('minsigs');
  const btc = num('BTCminsigs');
  if (port !== undefined) out.port = port;
  if (minsigs !== undefined) out.minsigs = minsigs;
  if (btc !== undefined) out.BTCminsigs = btc;
  if (seeds) out.seeds = seeds;
  return out;
}

export type { PlatformInput };
