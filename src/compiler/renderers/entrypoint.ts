/**
 * entrypoint target, and the container conventions the compose and kubernetes targets share.
 *
 * Containers never share a config volume. Every container runs `dokomodo-entrypoint chain NAME`
 * (or `iguana NAME`) with the platform file mounted read-only under /etc/dokomodo and the
 * platform secret in its environment. The entrypoint derives the RPC credentials, writes the
 * chain's conf (or Iguana's elected file and addcoin payloads) into the container's data
 * directory and then replaces itself with the daemon, so the daemon is PID 1.
 *
 * Node cannot exec(2), so the image's shell wrapper (`containers/entrypoint.sh`, rendered here)
 * runs `dokomodo entrypoint … --print-exec`, which writes the files and prints the daemon's
 * working directory and argv one per line, and then `exec`s that argv itself.
 *
 * This module holds the pure parts (names, paths, the files and argv of each container); the
 * command in src/cli/commands/entrypoint.ts does the I/O.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { posix } from 'node:path';
import { serviceAddress } from '../../platform/address.ts';
import { rpcCredentials } from '../../komodo/creds.ts';
import { addcoinPayload, electedFile } from '../../komodo/iguana.ts';
import { SEASONS, SEASONS_3P } from '../../komodo/seasons.ts';
import type { ChainModel, IguanaModel, Platform } from '../../platform/model.ts';
import { type Artifact, artifact, header, json, type RenderContext } from '../artifact.ts';
import { chainConfText } from './conf.ts';
import { bootstrapOrder, bootstrapPlan } from './iguana.ts';
import { viaRelay } from './relay-service.ts';

/** Data directory of every container (a PVC, a named volume or an emptyDir is mounted here). */
export const CONTAINER_DATADIR = '/data';
/** Where the platform file (and the notary files it names) is mounted read-only. */
export const CONTAINER_PLATFORM_DIR = '/etc/dokomodo';
/** The rendered containers/entrypoint.sh, as installed in the images. */
export const ENTRYPOINT_BIN = 'dokomodo-entrypoint';
/** The rendered containers/healthcheck.sh, as installed in the images. */
export const HEALTHCHECK_BIN = 'dokomodo-healthcheck';
/** Overrides CONTAINER_RPC_ALLOWIP inside a container (comma-separated). */
export const RPC_ALLOWIP_ENV = 'DOKOMODO_RPC_ALLOWIP';
/** The Kubernetes Secret holding the platform secret. */
export const SECRET_NAME = 'dokomodo-secret';

/**
 * rpcallowip of a container's conf. The fence that matters is the network: compose publishes RPC
 * ports on the host's 127.0.0.1 only and Kubernetes has a NetworkPolicy; these private ranges
 * (container networks, pod networks, docker's proxy for published ports) keep public addresses out
 * should a port be exposed by mistake. Clusters with other pod ranges set DOKOMODO_RPC_ALLOWIP.
 * komodod always allows 127.0.0.0/8, which the health check uses.
 */
export const CONTAINER_RPC_ALLOWIP: readonly string[] = [
  '127.0.0.1',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
];

/**
 * The environment variable that carries the platform secret into containers: the one the platform
 * names, or DOKOMODO_SECRET when it reads the secret from a file (files are not mounted).
 */
export function containerSecretEnv(platform: Platform): string {
  return 'env' in platform.secret ? platform.secret.env : 'DOKOMODO_SECRET';
}

/** Path of the platform file inside a container (`DOKOMODO_FILE`). */
export function containerPlatformFile(platform: Platform): string {
  return `${CONTAINER_PLATFORM_DIR}/${baseName(platform.file)}`;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || 'dokomodo.yaml';
}

/** A file the loader reads when it loads the platform file in a container. */
export interface PlatformFileRef {
  /** As the platform file names it (for the platform file itself, its base name). */
  source: string;
  /** Where the loader looks for it inside a container. */
  containerPath: string;
  /** Its path below CONTAINER_PLATFORM_DIR, or undefined when it lies elsewhere. */
  rel: string | undefined;
  /** Its ConfigMap key, which is also its file name under kubernetes/platform/. */
  key: string;
}

/**
 * The platform file and every notary file it names: what containers need mounted. Relative paths
 * resolve against the platform file's directory, as the loader does; a file outside that
 * directory (`../x`, `/home/…/3rd_party`) is mounted at the path the loader will look at.
 */
export function platformFiles(platform: Platform): PlatformFileRef[] {
  const base = baseName(platform.file);
  const out: PlatformFileRef[] = [
    { source: base, containerPath: containerPlatformFile(platform), rel: base, key: base },
  ];
  const seasonLabels = new Set([...Object.values(SEASONS), ...Object.values(SEASONS_3P)].map((s) => s.label));
  for (const n of platform.notaries) {
    if (n.source === 'inline' || seasonLabels.has(n.source)) continue;
    const containerPath = posix.resolve(CONTAINER_PLATFORM_DIR, n.source);
    if (out.some((f) => f.containerPath === containerPath)) continue;
    const rel = containerPath.startsWith(`${CONTAINER_PLATFORM_DIR}/`)
      ? containerPath.slice(CONTAINER_PLATFORM_DIR.length + 1)
      : undefined;
    // ConfigMap keys allow [-._a-zA-Z0-9]: the path with `/` spelled `__`.
    const key = (rel ?? containerPath.slice(1)).replace(/\//g, '__').replace(/[^-._a-zA-Z0-9]/g, '_');
    out.push({ source: n.source, containerPath, rel, key });
  }
  return out;
}

// ---- names -------------------------------------------------------------------------------------

/** Service, StatefulSet and volume names: DNS-1123 labels derived from the platform's names. */
export interface ContainerNames {
  chain(name: string): string;
  iguana(name: string): string;
}

/** Longest base name; leaves room for `-headless` and for a StatefulSet's pod and revision names. */
const MAX_NAME = 40;
const namesCache = new WeakMap<Platform, ContainerNames>();

function shortHash(s: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(s))).slice(0, 8);
}

/**
 * Names for every chain and Iguana instance of the platform (not of a selection, so a service keeps
 * its name whatever environment is rendered, and Iguana's entrypoint finds it). Lower-cased, `_`
 * and other characters become `-`, a leading digit gets `chain-`. Names that collide after this,
 * or that are too long, get a short stable hash of the original name, as cdk8s does.
 */
export function containerNames(platform: Platform): ContainerNames {
  const cached = namesCache.get(platform);
  if (cached) return cached;
  const items = [
    ...platform.chains.map((c) => ({ key: `chain/${c.name}`, base: label(c.name) })),
    ...platform.iguana.map((g) => ({ key: `iguana/${g.name}`, base: label(`iguana-${g.name}`) })),
  ];
  const count = new Map<string, number>();
  for (const i of items) count.set(i.base, (count.get(i.base) ?? 0) + 1);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const i of items) {
    // `-headless` is the suffix of a chain's second Service.
    const clash = (count.get(i.base) ?? 0) > 1 || i.base.length > MAX_NAME || i.base.endsWith('-headless');
    const name = clash ? `${i.base.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${shortHash(i.key)}` : i.base;
    if (taken.has(name)) throw new Error(`container name ${name} is taken twice`);
    taken.add(name);
    names.set(i.key, name);
  }
  const get = (key: string): string => {
    const n = names.get(key);
    if (n === undefined) throw new Error(`no container name for ${key}`);
    return n;
  };
  const result: ContainerNames = { chain: (n) => get(`chain/${n}`), iguana: (n) => get(`iguana/${n}`) };
  namesCache.set(platform, result);
  return result;
}

function label(name: string): string {
  let s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  // Service names must start with a letter (DNS-1035).
  if (!/^[a-z]/.test(s)) s = `chain-${s}`;
  return s;
}

// ---- what runs in each container ---------------------------------------------------------------

/** One file the entrypoint writes, with an absolute path inside the container. */
export interface ContainerFile {
  path: string;
  content: string;
  mode: number;
  /** Holds RPC credentials. */
  secret: boolean;
}

/** Files to write, then the process to exec (argv[0] is looked up on PATH). */
export interface ContainerPlan {
  files: ContainerFile[];
  cwd: string;
  argv: string[];
}

function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '') || ''}/${name}`;
}

/** Where a chain's conf lives in its container. */
export function containerConfPath(chain: ChainModel, datadir = CONTAINER_DATADIR): string {
  return joinPath(datadir, chain.confName);
}

/**
 * The daemon's argv in a container: the chain's launch arguments with the container's data
 * directory and logging to stdout (the container runtime keeps and rotates the log; komodod then
 * writes no debug.log).
 */
export function chainArgv(chain: ChainModel, datadir = CONTAINER_DATADIR): string[] {
  const args = chain.launchArgs.filter((a) => !a.startsWith('-datadir='));
  args.push(`-datadir=${datadir}`);
  if (!args.some((a) => a === '-printtoconsole' || a.startsWith('-printtoconsole=')))
    args.push('-printtoconsole=1');
  return [chain.coin.daemon, ...args];
}

/** Iguana's argv, as the systemd unit runs it: `notary` (main) or its elected file (3P). */
export function iguanaArgv(g: IguanaModel): string[] {
  const argv = ['iguana', g.mode === 'main' ? 'notary' : '3rd_party'];
  if (g.port !== (g.mode === 'main' ? 7776 : 7779)) argv.push(`-port=${g.port}`);
  return argv;
}

function ctxFor(platform: Platform, secret: string): RenderContext {
  return {
    platform,
    selection: { env: undefined, chains: platform.chains, hosts: platform.hosts },
    secret,
    source: baseName(platform.file),
    hosts: [],
  };
}

/** The conf (mode 0600) and argv of a chain's container. */
export function chainContainerPlan(
  platform: Platform,
  secret: string,
  chain: ChainModel,
  opts: { datadir?: string; allowip?: readonly string[] } = {},
): ContainerPlan {
  const datadir = opts.datadir ?? CONTAINER_DATADIR;
  const conf = chainConfText(ctxFor(platform, secret), chain, {
    bind: '0.0.0.0',
    allowip: opts.allowip ?? CONTAINER_RPC_ALLOWIP,
  });
  return {
    files: [{ path: containerConfPath(chain, datadir), content: conf, mode: 0o600, secret: true }],
    cwd: datadir,
    argv: chainArgv(chain, datadir),
  };
}

/** Iguana's state directory inside its container's data directory (payloads and bootstrap plan). */
export function iguanaContainerStateDir(dir = CONTAINER_DATADIR): string {
  return joinPath(dir, 'dokomodo');
}

/**
 * Iguana's elected file, one addcoin payload per coin and the bootstrap plan. Every coin is
 * reached over the network with `rpchost`/`userpass` (Iguana then needs no conf file): at the
 * coin's service name, or with `perHost` (one compose project per host) at its host's address
 * when the chain runs on another host.
 */
export function iguanaContainerPlan(
  platform: Platform,
  secret: string,
  g: IguanaModel,
  opts: { dir?: string; perHost?: boolean } = {},
): ContainerPlan {
  const dir = opts.dir ?? CONTAINER_DATADIR;
  const names = containerNames(platform);
  const notaries = platform.notaries.find((n) => n.name === g.notaries);
  if (!notaries) throw new Error(`iguana ${g.name}: no notary list ${g.notaries}`);
  const state = iguanaContainerStateDir(dir);
  const files: ContainerFile[] = [
    {
      path: joinPath(dir, g.mode === 'main' ? 'elected' : '3rd_party'),
      content: json(electedFile(notaries)),
      mode: 0o600,
      secret: false,
    },
  ];
  for (const chain of bootstrapOrder(platform, g)) {
    const creds = rpcCredentials(secret, chain.name);
    const remoteHost =
      opts.perHost && chain.host !== g.host ? platform.hosts.find((h) => h.name === chain.host) : undefined;
    const payload = addcoinPayload({
      kind: chain.kind,
      symbol: chain.symbol,
      coin: chain.coin,
      confName: chain.confName,
      // No conf is there to read: Iguana logs that and uses rpchost/userpass.
      datadir: CONTAINER_DATADIR,
      netmagic: chain.netmagic,
      p2p: chain.p2p,
      rpc: chain.rpc,
      // via: relay — the relay shares this container's network: its tunnel is on 127.0.0.1.
      rpchost: `${remoteHost ? (viaRelay(platform, g, chain) ? '127.0.0.1' : serviceAddress(remoteHost)) : names.chain(chain.name)}:${chain.rpc}`,
      userpass: `${creds.user}:${creds.password}`,
    });
    files.push({
      path: `${state}/coins/${chain.symbol}.json`,
      content: json(payload),
      mode: 0o600,
      secret: true,
    });
  }
  const plan = { ...bootstrapPlan(platform, g), workdir: dir };
  files.push({ path: `${state}/bootstrap.json`, content: json(plan), mode: 0o600, secret: false });
  return { files, cwd: dir, argv: iguanaArgv(g) };
}

// ---- health checks -----------------------------------------------------------------------------

/**
 * Health check commands run inside a container by `dokomodo-healthcheck` (curl and sed; no
 * secret needed: the credentials come from the conf the entrypoint wrote).
 * `ready`: the RPC answers without error (out of warm-up); `live`: the RPC server answers at all.
 */
export function chainProbe(chain: ChainModel, mode: 'ready' | 'live'): string[] {
  return [HEALTHCHECK_BIN, mode, containerConfPath(chain)];
}

export function iguanaProbe(g: IguanaModel): string[] {
  return [HEALTHCHECK_BIN, 'iguana', String(g.port)];
}

/** The dPoW p2p port of an Iguana instance (from its notary list); other notaries connect to it. */
export function dpowPort(platform: Platform, g: IguanaModel): number {
  const n = platform.notaries.find((x) => x.name === g.notaries);
  if (!n) throw new Error(`iguana ${g.name}: no notary list ${g.notaries}`);
  return n.port;
}

/** Seconds the runtime waits after SIGTERM: komodod killed mid-flush needs a reindex (hours). */
export function stopGraceSeconds(platform: Platform): number {
  return Math.max(120, Math.ceil(platform.defaults.stop.timeoutMs / 1000));
}

// ---- YAML ---------------------------------------------------------------------------------------

export { yamlDocs } from '../yaml.ts';

// ---- the rendered scripts ----------------------------------------------------------------------

function entrypointScript(ctx: RenderContext): string {
  return `#!/bin/sh
${header(ctx, '#')}#
# Entrypoint of the dokomodo container images, installed as /usr/local/bin/${ENTRYPOINT_BIN}:
#   ${ENTRYPOINT_BIN} chain NAME     ${ENTRYPOINT_BIN} iguana NAME
# It needs DOKOMODO_FILE (the platform file, mounted read-only) and the platform secret in the
# environment.
#
# \`dokomodo entrypoint … --print-exec\` derives the RPC credentials from the secret, writes the
# daemon's files, and prints the daemon's working directory and then its argv, one per line.
# Node cannot exec(2), so this script does: \`exec\` replaces the shell with the daemon, which then
# runs as PID 1 and gets the runtime's SIGTERM itself (komodod flushes its databases on SIGTERM;
# a process in between would have to forward it, and its death would not stop the daemon).
set -eu

# When dokomodo fails (no secret, bad platform file) its message is the container's last log
# line and the container stops with its exit code.
plan=$(dokomodo entrypoint "$@" --print-exec)

cwd=
set --
while IFS= read -r line; do
  if [ -z "$cwd" ]; then
    cwd=$line
  else
    set -- "$@" "$line"
  fi
done <<EOF
$plan
EOF

if [ -z "$cwd" ] || [ "$#" -eq 0 ]; then
  echo "${ENTRYPOINT_BIN}: dokomodo printed no command to run" >&2
  exit 70
fi
cd "$cwd"
exec "$@"
`;
}

function healthcheckScript(ctx: RenderContext): string {
  return `#!/bin/sh
${header(ctx, '#')}#
# Health check of the dokomodo container images, installed as /usr/local/bin/${HEALTHCHECK_BIN}:
#   ${HEALTHCHECK_BIN} ready CONF    the daemon answers JSON-RPC without error (out of warm-up)
#   ${HEALTHCHECK_BIN} live CONF     the daemon's RPC server answers at all (warm-up included)
#   ${HEALTHCHECK_BIN} iguana PORT   Iguana's API answers on 127.0.0.1:PORT
# CONF is the conf the entrypoint wrote: user, password and port come from it, so the check
# needs neither the platform secret nor dokomodo, only sed and curl. Exit 0 when healthy.
set -eu

usage() {
  echo "usage: ${HEALTHCHECK_BIN} ready|live CONF | iguana PORT" >&2
  exit 2
}
[ "$#" -eq 2 ] || usage

# komodod's own reader takes the last rpcuser/rpcpassword/rpcport line; so does this.
conf_value() {
  sed -n "s/^$1=//p" "$2" | tail -n 1
}

case $1 in
  ready | live)
    conf=$2
    if [ ! -r "$conf" ]; then
      echo "${HEALTHCHECK_BIN}: cannot read $conf" >&2
      exit 1
    fi
    user=$(conf_value rpcuser "$conf")
    password=$(conf_value rpcpassword "$conf")
    port=$(conf_value rpcport "$conf")
    if [ -z "$user" ] || [ -z "$password" ] || [ -z "$port" ]; then
      echo "${HEALTHCHECK_BIN}: $conf has no rpcuser, rpcpassword or rpcport" >&2
      exit 1
    fi
    # The credentials reach curl through its stdin (printf is a shell builtin), never through a
    # command line that ps would show.
    status=$(printf 'user = "%s:%s"\\n' "$user" "$password" |
      curl --config - --silent --output /dev/null --write-out '%{http_code}' --max-time 8 \\
        --header 'Content-Type: text/plain' \\
        --data-binary '{"jsonrpc":"1.0","id":"healthcheck","method":"getblockcount","params":[]}' \\
        "http://127.0.0.1:$port/") || status=000
    if [ "$1" = ready ]; then
      # 200: answered; 500 with -28 while warming up; 401 when the conf and daemon disagree.
      [ "$status" = 200 ] && exit 0
      echo "not ready: RPC on port $port answered HTTP $status" >&2
      exit 1
    fi
    [ "$status" != 000 ] && exit 0
    echo "not live: no answer from RPC on port $port" >&2
    exit 1
    ;;
  iguana)
    # A cheap call that proves only that the API loop answers (reference: monitoring Iguana).
    reply=$(curl --silent --max-time 8 --data '{"agent":"dpow","method":"notarychains"}' \\
      "http://127.0.0.1:$2/") || reply=
    case $reply in
      '['*) exit 0 ;;
    esac
    echo "not live: no answer from Iguana on port $2" >&2
    exit 1
    ;;
  *)
    usage
    ;;
esac
`;
}

export function renderEntrypoint(ctx: RenderContext): Artifact[] {
  return [
    artifact('entrypoint', 'containers/entrypoint.sh', entrypointScript(ctx), { mode: 0o755 }),
    artifact('entrypoint', 'containers/healthcheck.sh', healthcheckScript(ctx), { mode: 0o755 }),
  ];
}
