/**
 * Starting one simulated komodod the way komodod starts: data directory and conf file resolved
 * like komodod (reference komodo-chains.md §1.7, §3), the first-start conf written when missing,
 * rpcuser/rpcpassword/rpcport read with komodod's own reader, the RPC port bound, a pid file and
 * debug.log in the data directory, state kept across restarts in devnet-*.json files. Used by the
 * `komodod` executable and by the multi-chain host.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../core/atomic.ts';
import { DokomodoError } from '../core/errors.ts';
import { komodoUserPass, confGetAll, firstStartConf, parseConf } from '../komodo/conf.ts';
import { chainIdentity, KMD_RPC_PORT } from '../komodo/magic.ts';
import { SEASONS } from '../komodo/seasons.ts';
import { Chain, type ChainOptions, type ChainSnapshot, type WalletSnapshot } from './chain.ts';
import { ChainRpcServer } from './rpc-server.ts';

export const WALLET_FILE = 'devnet-wallet.json';
export const CHAIN_FILE = 'devnet-chain.json';

/** What `komodod` would be started with, in structured form. */
export interface LaunchSpec {
  /** Assetchain name; 'KMD' or '' for KMD. */
  name: string;
  /** `-ac_*` parameters without the dash. */
  params?: Record<string, string>;
  /** `-datadir`: replaces the default data directory, must exist (komodod refuses otherwise). */
  datadir?: string;
  /** `$HOME` for the default data directory `$HOME/.komodo[/NAME]`. Default: process.env.HOME or '/'. */
  home?: string;
  /** `-conf`: conf file, relative to the data directory unless absolute. */
  conf?: string;
  /** `-port`: p2p port (replaces the computed one; the magic is unchanged). */
  port?: number;
  /** `-rpcport`: overrides the conf. 0 (devnet extension) = any free port, written to a new conf. */
  rpcport?: number;
  /** `-pubkey`. */
  pubkey?: string;
  /** `-pid`: pid file, relative to the data directory. Default `komodod.pid`; false = none. */
  pidFile?: string | false;
  /** Address to bind; default from rpcallowip/rpcbind like komodod (127.0.0.1 without rpcallowip). */
  bindHost?: string;
  /** -28 warm-up duration. Default 0. */
  warmupMs?: number;
  /** Keep wallet and chain in devnet-*.json in the data directory. Default true. */
  persist?: boolean;
  /** Also save every this many ms while running (for SIGKILL). Default 0: only on clean stop. */
  saveIntervalMs?: number;
  /** Append to `debug.log` in the data directory. Default true. */
  debugLog?: boolean;
  /** Elected notaries for notaryid/notaryname; default: Season 8 list, else a devnet id. */
  notaries?: readonly { name: string; pubkey: string }[];
  /** Passed to the chain engine (block time, reward, notarizations, address versions, …). */
  chain?: Partial<
    Omit<ChainOptions, 'name' | 'params' | 'magic' | 'p2pport' | 'rpcport' | 'pubkey' | 'onChange' | 'log'>
  >;
  /** Lines for debug.log also go here. */
  log?: (line: string) => void;
}

/** A chain that is up. */
export interface RunningChain {
  name: string;
  datadir: string;
  confPath: string;
  /** Credentials the server accepts (from the conf, or the cookie). */
  user: string;
  password: string;
  /** Port the RPC server listens on. */
  rpcport: number;
  p2pport: number;
  host: string;
  url: string;
  /** Whether this start wrote the conf file (first start). */
  wroteConf: boolean;
  pidPath: string | undefined;
  chain: Chain;
  server: ChainRpcServer;
  /** Clean shutdown (idempotent): closes the server, saves state, removes pid and cookie. */
  stop(): Promise<void>;
  /** Settles once the chain has stopped, whoever stopped it (`stop` RPC included). */
  stopped: Promise<void>;
}

export class DevnetError extends DokomodoError {
  constructor(code: string, message: string, hint?: string) {
    super(code, message, hint === undefined ? {} : { hint });
    this.name = 'DevnetError';
  }
}

function defaultDatadir(name: string, home: string): string {
  const base = path.join(home, '.komodo');
  return name === 'KMD' ? base : path.join(base, name);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function stamp(): string {
  return new Date().toISOString().replace('T', ' ').slice(0, 19);
}

/** komodod's first-start credentials: `user<crc32 of time and name>`, `pass<33 random bytes hex>`. */
export function newCredentials(name: string): { user: string; password: string } {
  const seed = Buffer.from(`${Date.now()}${process.hrtime.bigint()}${name}`);
  return { user: `user${crc32(seed) >>> 0}`, password: `pass${randomBytes(33).toString('hex')}` };
}

/** Data directory and conf path komodod would use for `spec`, without touching the disk. */
export function resolvePaths(spec: Pick<LaunchSpec, 'name' | 'datadir' | 'home' | 'conf'>): {
  datadir: string;
  confPath: string;
} {
  const name = spec.name === '' ? 'KMD' : spec.name;
  const datadir =
    spec.datadir !== undefined
      ? path.resolve(spec.datadir)
      : defaultDatadir(name, spec.home ?? process.env['HOME'] ?? '/');
  const confPath = spec.conf
    ? path.isAbsolute(spec.conf)
      ? spec.conf
      : path.join(datadir, spec.conf)
    : path.join(datadir, name === 'KMD' ? 'komodo.conf' : `${name}.conf`);
  return { datadir, confPath };
}

function notaryOf(pubkey: string, notaries: readonly { name: string; pubkey: string }[] | undefined) {
  const list = notaries ?? SEASONS['8']?.notaries ?? [];
  const i = list.findIndex((n) => n.pubkey.toLowerCase() === pubkey.toLowerCase());
  if (i >= 0) return { id: i, name: list[i]!.name };
  // The devnet treats every -pubkey as elected so notary flows can be exercised with test keys.
  return { id: Number.parseInt(pubkey.slice(2, 4), 16) % 64, name: undefined };
}

/**
 * Starts a chain. Throws DevnetError with komodod-like messages for a missing -datadir, a
 * missing komodo.conf (KMD), a data directory of a real komodod, and a taken RPC port.
 */
export async function launchChain(spec: LaunchSpec): Promise<RunningChain> {
  const name = spec.name === '' ? 'KMD' : spec.name;
  const isKmd = name === 'KMD';
  if (!isKmd && spec.params?.['ac_name'] !== undefined)
    throw new DevnetError('devnet-bad-args', 'ac_name belongs in `name`');
  const params = spec.params ?? {};
  const identity = chainIdentity(name, params);
  const p2pport = spec.port && spec.port > 0 ? spec.port : identity.p2p;

  let datadir: string;
  if (spec.datadir !== undefined) {
    datadir = path.resolve(spec.datadir);
    if (!existsSync(datadir) || !statSync(datadir).isDirectory()) {
      throw new DevnetError(
        'devnet-datadir-missing',
        `Error: Specified data directory "${spec.datadir}" does not exist.`,
      );
    }
  } else {
    datadir = defaultDatadir(name, spec.home ?? process.env['HOME'] ?? '/');
    mkdirSync(datadir, { recursive: true });
  }
  for (const real of ['wallet.dat', 'blocks', 'chainstate']) {
    if (existsSync(path.join(datadir, real))) {
      throw new DevnetError(
        'devnet-real-datadir',
        `${datadir} holds a real komodod's ${real}; the devnet simulator will not run in it`,
        'point the devnet at another data directory (-datadir or another HOME)',
      );
    }
  }
  const { confPath } = resolvePaths({ ...spec, datadir });

  const debugLog = spec.debugLog ?? true;
  const logPath = path.join(datadir, 'debug.log');
  const log = (line: string) => {
    spec.log?.(line);
    if (debugLog) {
      try {
        appendFileSync(logPath, `${stamp()} ${line}\n`);
      } catch {
        // a full disk must not take the simulated daemon down
      }
    }
  };

  let confText: string | undefined;
  if (existsSync(confPath)) confText = readFileSync(confPath, 'utf8');
  else if (isKmd) {
    throw new DevnetError(
      'devnet-conf-missing',
      `Error: komodo.conf not found at ${confPath}; komodod (KMD) does not start without it (an empty file will do)`,
    );
  }
  const ephemeral = spec.rpcport === 0;
  let wroteConf = false;
  let creds: { user: string; password: string } | undefined;
  let confRpcport: number | undefined;
  let allowIps: string[] = [];
  let binds: string[] = [];
  if (confText === undefined) {
    creds = newCredentials(name);
    if (!ephemeral) {
      writeFileAtomic(confPath, firstStartConf({ ...creds, rpcport: p2pport + 1 }));
      wroteConf = true;
      confRpcport = p2pport + 1;
      allowIps = ['127.0.0.1'];
      binds = ['127.0.0.1'];
    }
  } else {
    const up = komodoUserPass(confText);
    if (up.user !== undefined && up.password !== undefined) creds = { user: up.user, password: up.password };
    confRpcport = up.rpcport;
    const entries = parseConf(confText);
    allowIps = confGetAll(entries, 'rpcallowip');
    binds = confGetAll(entries, 'rpcbind');
  }

  let cookiePath: string | undefined;
  if (!creds) {
    // komodod without rpcpassword: cookie authentication
    creds = { user: '__cookie__', password: randomBytes(32).toString('base64') };
    cookiePath = path.join(datadir, '.cookie');
    writeFileAtomic(cookiePath, `${creds.user}:${creds.password}`);
  }

  const explicitRpc = spec.rpcport !== undefined && spec.rpcport > 0 ? spec.rpcport : undefined;
  // komodod reports p2p+1 without a conf rpcport but its HTTP server binds GetArg("-rpcport", 7771).
  const reportedRpc = explicitRpc ?? confRpcport ?? p2pport + 1;
  const bindPort = ephemeral ? 0 : (explicitRpc ?? confRpcport ?? KMD_RPC_PORT);
  const host = spec.bindHost ?? (allowIps.length === 0 ? '127.0.0.1' : (binds[0] ?? '0.0.0.0'));

  const persist = spec.persist ?? true;
  const walletPath = path.join(datadir, WALLET_FILE);
  const chainPath = path.join(datadir, CHAIN_FILE);
  const wallet = persist ? readJson<WalletSnapshot>(walletPath) : undefined;
  const saved = persist ? readJson<ChainSnapshot>(chainPath) : undefined;

  let dirty = false;
  const notary = spec.pubkey ? notaryOf(spec.pubkey, spec.notaries) : undefined;
  const chainOpts: ChainOptions = {
    ...spec.chain,
    name,
    params,
    magic: identity.magic,
    p2pport,
    rpcport: reportedRpc,
    onChange: () => {
      dirty = true;
    },
    log,
  };
  if (spec.pubkey) chainOpts.pubkey = spec.pubkey;
  if (notary) {
    chainOpts.notaryId = notary.id;
    if (notary.name !== undefined) chainOpts.notaryName = notary.name;
  }
  const chain = new Chain(chainOpts);
  chain.init(
    wallet?.format === 'dokomodo-devnet-wallet/1' ? wallet : undefined,
    saved?.format === 'dokomodo-devnet-chain/1' && saved.name === name ? saved : undefined,
  );

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  let stopping: Promise<void> | undefined;
  let pidPath: string | undefined;
  let saveTimer: NodeJS.Timeout | undefined;
  let warmTimer: NodeJS.Timeout | undefined;

  const save = () => {
    if (!persist || !dirty) return;
    dirty = false;
    writeFileAtomic(walletPath, JSON.stringify(chain.snapshotWallet()));
    writeFileAtomic(chainPath, JSON.stringify(chain.snapshotChain()));
  };

  const server = new ChainRpcServer({
    chain,
    user: creds.user,
    password: creds.password,
    allowIps,
    warmupMs: spec.warmupMs ?? 0,
    onStop: () => void running.stop(),
    log,
  });

  log(`dokomodo devnet: simulated komodod ${name} starting (datadir ${datadir}, p2p ${p2pport})`);
  let port: number;
  try {
    port = await server.listen(bindPort, host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    log(`Binding RPC on address ${host} port ${bindPort} failed.`);
    log('Unable to bind any endpoint for RPC server');
    if (cookiePath) rmSync(cookiePath, { force: true });
    if (code === 'EADDRINUSE') {
      throw new DevnetError(
        'devnet-port-in-use',
        `Error: Unable to start HTTP server. See debug log for details. (RPC port ${bindPort} on ${host} is already in use; is ${name} already running?)`,
      );
    }
    throw new DevnetError(
      'devnet-listen-failed',
      `Error: Unable to start HTTP server (${code ?? String(e)})`,
    );
  }
  if (ephemeral && confText === undefined) {
    writeFileAtomic(confPath, firstStartConf({ ...creds, rpcport: port }));
    wroteConf = true;
  }
  if (ephemeral) chain.rpcport = port;

  if (spec.pidFile !== false) {
    const p = spec.pidFile ?? 'komodod.pid';
    pidPath = path.isAbsolute(p) ? p : path.join(datadir, p);
    writeFileSync(pidPath, `${process.pid}\n`);
  }
  const warmupMs = spec.warmupMs ?? 0;
  const begin = () => chain.start();
  if (warmupMs > 0) {
    warmTimer = setTimeout(begin, warmupMs);
    warmTimer.unref();
  } else begin();
  if (persist && spec.saveIntervalMs && spec.saveIntervalMs > 0) {
    saveTimer = setInterval(save, spec.saveIntervalMs);
    saveTimer.unref();
  }
  log(`dokomodo devnet: RPC listening on ${host}:${port} (${name}, reported rpcport ${chain.rpcport})`);

  const running: RunningChain = {
    name,
    datadir,
    confPath,
    user: creds.user,
    password: creds.password,
    rpcport: port,
    p2pport,
    host,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`,
    wroteConf,
    pidPath,
    chain,
    server,
    stopped,
    stop() {
      stopping ??= (async () => {
        if (warmTimer) clearTimeout(warmTimer);
        if (saveTimer) clearInterval(saveTimer);
        chain.stop();
        await server.close();
        try {
          save();
        } catch (e) {
          log(`could not save devnet state: ${(e as Error).message}`);
        }
        if (pidPath) rmSync(pidPath, { force: true });
        if (cookiePath) rmSync(cookiePath, { force: true });
        log(`dokomodo devnet: ${name} stopped`);
        resolveStopped();
      })();
      return stopping;
    },
  };
  return running;
}
