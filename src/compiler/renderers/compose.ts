/**
 * compose target: per host, `hosts/H/compose/docker-compose.yml` with a service per chain and per
 * Iguana instance of that host (and the monitor on a host with role `monitor`), and
 * `.env.example`, the template of the operator's `.env`.
 *
 * The monitor uses the host's network (`network_mode: host`): the chains publish RPC on the
 * host's 127.0.0.1 only, and from the host's network the monitor reaches them there exactly as a
 * monitor installed on the host does (`--as-host`), at the addresses of the platform file, and
 * listens on the host's address where the rendered Prometheus scrapes it. Reaching the chains by
 * their service names instead would need a second way to address chains just for compose. It
 * polls its own host's chains only (no SSH in the container) and not Iguana, whose API listens
 * on its container's loopback.
 *
 * The secret lives only in `.env`, which dokomodo never writes: a rendered `.env` would be
 * "changed by hand" once the operator filled it in, so the next `dokomodo render` would stop
 * on the conflict, and `--force` would back the secret up and blank it. The example is rendered
 * with mode 0600 so `cp -p` gives `.env` the right mode.
 */
import type { ChainModel, IguanaModel, Platform } from '../../platform/model.ts';
import { type Artifact, artifact, artifactList, header, hostOf, type RenderContext } from '../artifact.ts';
import { monitorArgs, monitorEnvLines, monitorHosts, monitorListen } from './monitor-service.ts';
import {
  CONTAINER_DATADIR,
  CONTAINER_PLATFORM_DIR,
  type ContainerNames,
  chainProbe,
  containerNames,
  containerPlatformFile,
  containerSecretEnv,
  dpowPort,
  ENTRYPOINT_BIN,
  iguanaProbe,
  platformFiles,
  RPC_ALLOWIP_ENV,
  stopGraceSeconds,
  yamlDocs,
} from './entrypoint.ts';
import { type RelayNeed, relayArgs, relayNeeds } from './relay-service.ts';

/** Compose variable naming the directory that holds the platform file (default ./platform). */
export const PLATFORM_DIR_VAR = 'DOKOMODO_PLATFORM_DIR';

const LOGGING = { driver: 'json-file', options: { 'max-size': '50m', 'max-file': '5' } };

const PLATFORM_DIR = `\${${PLATFORM_DIR_VAR}:-./platform}`;

/** Entrypoint, secret and platform file: the same for every dokomodo container. */
function launch(platform: Platform, volume: string) {
  return {
    entrypoint: [ENTRYPOINT_BIN],
    env_file: ['.env'],
    environment: { DOKOMODO_FILE: containerPlatformFile(platform) },
    volumes: [
      { type: 'volume', source: volume, target: CONTAINER_DATADIR },
      // The directory, not the file: a bind-mounted file keeps the inode it had at start, and
      // editors replace the file, so the container would go on reading the old one.
      { type: 'bind', source: PLATFORM_DIR, target: CONTAINER_PLATFORM_DIR, read_only: true },
      // Notary files outside that directory, at the path the loader resolves them to.
      ...platformFiles(platform)
        .filter((f) => f.rel === undefined)
        .map((f) => ({
          type: 'bind',
          source: f.source.startsWith('/') ? f.source : `${PLATFORM_DIR}/${f.source}`,
          target: f.containerPath,
          read_only: true,
        })),
    ],
  };
}

/** The daemons write only to /data and /tmp and need no privilege. */
const HARDENING = {
  read_only: true,
  tmpfs: ['/tmp'],
  cap_drop: ['ALL'],
  security_opt: ['no-new-privileges:true'],
  ulimits: { nofile: { soft: 65536, hard: 65536 } },
};

function chainService(platform: Platform, chain: ChainModel, name: string): Record<string, unknown> {
  const { entrypoint, env_file, environment, volumes } = launch(platform, name);
  return {
    image: platform.defaults.containers.image,
    entrypoint,
    command: ['chain', chain.name],
    env_file,
    environment,
    volumes,
    // RPC only on the host's loopback (the operator's tools, a relay); p2p for everyone.
    ports: [`127.0.0.1:${chain.rpc}:${chain.rpc}`, `${chain.p2p}:${chain.p2p}`],
    ...HARDENING,
    healthcheck: {
      test: ['CMD', ...chainProbe(chain, 'ready')],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      // Loading the block index takes minutes; RPC answers -28 until then.
      start_period: `${Math.ceil(platform.defaults.start.timeoutMs / 1000)}s`,
    },
    restart: 'unless-stopped',
    stop_grace_period: `${stopGraceSeconds(platform)}s`,
    logging: LOGGING,
  };
}

function iguanaService(
  platform: Platform,
  g: IguanaModel,
  name: string,
  localChains: readonly string[],
): Record<string, unknown> {
  const { entrypoint, env_file, environment, volumes } = launch(platform, name);
  const port = dpowPort(platform, g);
  return {
    image: platform.defaults.containers.iguanaImage,
    entrypoint,
    // --per-host: chains of other hosts are reached at their host's address.
    command: ['iguana', g.name, '--per-host'],
    env_file,
    environment,
    volumes,
    // Other notaries connect to the dPoW port; Iguana's API listens on its own 127.0.0.1 only.
    ports: [`${port}:${port}`],
    ...HARDENING,
    healthcheck: {
      test: ['CMD', ...iguanaProbe(g)],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      start_period: '30s',
    },
    // Iguana stalls on coins whose daemon is not answering yet.
    ...(localChains.length > 0
      ? { depends_on: Object.fromEntries(localChains.map((c) => [c, { condition: 'service_healthy' }])) }
      : {}),
    restart: 'unless-stopped',
    stop_grace_period: '30s',
    logging: LOGGING,
  };
}

/** The monitor's compose service name. */
export const MONITOR_SERVICE = 'dokomodo-monitor';

function monitorService(ctx: RenderContext, host: string): Record<string, unknown> {
  const { platform } = ctx;
  const { env_file, environment, volumes } = launch(platform, MONITOR_SERVICE);
  const hostModel = platform.hosts.find((h) => h.name === host);
  const listen = monitorListen(hostModel);
  return {
    image: platform.defaults.containers.image,
    entrypoint: ['dokomodo'],
    command: [
      ...monitorArgs(ctx, {
        file: containerPlatformFile(platform),
        listen,
        stateDir: CONTAINER_DATADIR,
        ...(hostModel ? { asHost: host } : {}),
      }),
      '--container',
      'compose',
    ],
    env_file,
    environment,
    volumes,
    network_mode: 'host',
    ...HARDENING,
    healthcheck: {
      test: [
        'CMD',
        'node',
        '-e',
        `fetch('http://${listen}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      start_period: '60s',
    },
    restart: 'unless-stopped',
    stop_grace_period: '60s',
    logging: LOGGING,
  };
}

/** Compose variable naming the host directory with the relay's certificates and tokens file. */
export const RELAY_DIR_VAR = 'DOKOMODO_RELAY_DIR';
/** Where that directory is mounted (read-only) in a relay container. */
const CONTAINER_RELAY_DIR = '/etc/dokomodo-relay';

/**
 * The relay services of a host on a `via: relay` path (relay-service.ts), named `relay` and
 * `relay-iguana`:
 *
 * - serving this host's chains to other hosts' relays: on the host's network, so its tunnel
 *   server listens on the host's address and reaches the chains at their RPC ports published on
 *   the host's 127.0.0.1;
 * - reaching chains of other hosts: in the network namespace of the Iguana container, so Iguana
 *   finds the tunnel listeners at 127.0.0.1:RPC and the gateway finds Iguana's API (which only
 *   listens on its own 127.0.0.1). A host that does both gets both services.
 *
 * Certificates and tokens come from the host directory ${RELAY_DIR_VAR} (default ./relay),
 * mounted read-only; the audit log goes to the service's volume. No secret: the relay needs none.
 */
function relayServices(
  platform: Platform,
  need: RelayNeed,
  iguanaService: string | undefined,
): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  const relayDir = `\${${RELAY_DIR_VAR}:-./relay}`;
  const service = (name: string, network: Record<string, unknown>, flags: string[], listen?: string) => {
    const { environment, volumes } = launch(platform, name);
    return {
      image: platform.defaults.containers.image,
      entrypoint: ['dokomodo'],
      command: relayArgs({
        file: containerPlatformFile(platform),
        host: need.host,
        dir: CONTAINER_RELAY_DIR,
        audit: `${CONTAINER_DATADIR}/audit.log`,
        flags,
        ...(listen ? { tunnelListen: listen } : {}),
      }),
      environment,
      volumes: [...volumes, { type: 'bind', source: relayDir, target: CONTAINER_RELAY_DIR, read_only: true }],
      ...network,
      ...HARDENING,
      restart: 'unless-stopped',
      stop_grace_period: '30s',
      logging: LOGGING,
    };
  };
  const host = platform.hosts.find((h) => h.name === need.host);
  const reaching = need.reaches.length > 0 && iguanaService !== undefined;
  if (need.serves.length > 0)
    // No gateway on the host's network (Iguana's API is inside its container), and only the
    // tunnel server when the other service relays the Iguana side.
    out.push([
      'relay',
      service(
        'relay',
        { network_mode: 'host' },
        reaching ? ['--no-gateway', '--no-tunnels'] : ['--no-gateway'],
      ),
    ]);
  if (reaching)
    out.push([
      'relay-iguana',
      service(
        'relay-iguana',
        {
          network_mode: `service:${iguanaService}`,
          depends_on: { [iguanaService]: { condition: 'service_started' } },
        },
        [],
        // The host's address is not this namespace's: keep the (unused) tunnel server on loopback.
        `127.0.0.1:${host?.relay.tunnelPort ?? 7781}`,
      ),
    ]);
  return out;
}

function composeHeader(
  ctx: RenderContext,
  host: string,
  names: ContainerNames,
  chains: ChainModel[],
  iguanas: IguanaModel[],
  monitor: boolean,
): string {
  const files = platformFiles(ctx.platform).map((f) => f.source);
  const shipped = ctx.sources !== undefined;
  const lines = [
    `host ${host}: ${[...chains.map((c) => names.chain(c.name)), ...iguanas.map((g) => names.iguana(g.name)), ...(monitor ? [MONITOR_SERVICE] : [])].join(', ')}`,
    '',
    'Before `docker compose up -d` (docs/deploy-containers.md):',
    '  .env       cp -p .env.example .env, then set the platform secret in it (dokomodo never writes .env)',
    shipped
      ? `  platform/  copies of ${files.join(', ')}, refreshed by every \`dokomodo render\` (or set ${PLATFORM_DIR_VAR})`
      : `  platform/  ${files.join(', ')} (or set ${PLATFORM_DIR_VAR} in .env to their directory)`,
    'Each container writes its own conf from the secret at start and runs the daemon as PID 1.',
  ];
  return header(ctx, '#') + lines.map((l) => (l === '' ? '#\n' : `# ${l}\n`)).join('');
}

function envExample(ctx: RenderContext, host: string, monitor: boolean): string {
  const env = containerSecretEnv(ctx.platform);
  const monitorLines = monitor
    ? [
        '#',
        `# The monitor (service ${MONITOR_SERVICE}) reads these too:`,
        ...monitorEnvLines(ctx.platform, { platformSecret: false }),
      ]
    : [];
  return `${header(ctx, '#')}#
# Template of .env, which docker compose reads next to docker-compose.yml. Create it once with
#   cp -p .env.example .env      (-p keeps mode 0600)
# and put the platform secret after the = below. dokomodo never writes .env: \`dokomodo render\`
# neither overwrites nor prunes it, and the secret is in no rendered file. Every host and every
# container must use the same secret: each chain's RPC password is derived from it.
${env}=
#
# Directory holding ${platformFiles(ctx.platform)
    .map((f) => f.source)
    .join(', ')} (default: ./platform next to this file).
# ${PLATFORM_DIR_VAR}=/home/notary/dokomodo
#
# rpcallowip inside the containers (default: 127.0.0.1 and the private IPv4 ranges).
# ${RPC_ALLOWIP_ENV}=127.0.0.1,172.16.0.0/12
#
# Project name: names the containers and the network (volumes are named explicitly).
COMPOSE_PROJECT_NAME=dokomodo-${host.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}
${monitorLines.map((l) => `${l}\n`).join('')}`;
}

export function renderCompose(ctx: RenderContext): Artifact[] {
  const { platform } = ctx;
  const names = containerNames(platform);
  const selected = new Set(ctx.selection.chains.map((c) => c.name));
  const out = artifactList(ctx);
  const monitors = new Set(monitorHosts(ctx));
  for (const host of ctx.hosts) {
    const chains = ctx.selection.chains.filter((c) => hostOf(c.host) === host);
    const iguanas = platform.iguana.filter(
      (g) => hostOf(g.host) === host && g.coins.some((c) => selected.has(c)),
    );
    const monitor = monitors.has(host);
    if (chains.length === 0 && iguanas.length === 0 && !monitor) continue;
    const services: Record<string, unknown> = {};
    const volumes: Record<string, unknown> = {};
    const volumeName = (svc: string) => ({ name: `dokomodo-${host}-${svc}` });
    for (const chain of chains) {
      const svc = names.chain(chain.name);
      services[svc] = chainService(platform, chain, svc);
      volumes[svc] = volumeName(svc);
    }
    for (const g of iguanas) {
      const svc = names.iguana(g.name);
      const local = chains.filter((c) => g.coins.includes(c.name)).map((c) => names.chain(c.name));
      services[svc] = iguanaService(platform, g, svc, local);
      volumes[svc] = volumeName(svc);
    }
    if (monitor) {
      services[MONITOR_SERVICE] = monitorService(ctx, host);
      volumes[MONITOR_SERVICE] = volumeName(MONITOR_SERVICE);
    }
    // The relay of a host on a `via: relay` path.
    const need = relayNeeds(platform, ctx.selection.chains).find((n) => n.host === host);
    if (need) {
      const reacher = iguanas.find((g) => g.coins.some((c) => need.reaches.includes(c)));
      for (const [svc, def] of relayServices(platform, need, reacher && names.iguana(reacher.name))) {
        services[svc] = def;
        volumes[svc] = volumeName(svc);
      }
    }
    const dir = `hosts/${host}/compose`;
    out.push(
      artifact(
        'compose',
        `${dir}/docker-compose.yml`,
        yamlDocs(composeHeader(ctx, host, names, chains, iguanas, monitor), [{ services, volumes }]),
        { host },
      ),
      artifact('compose', `${dir}/.env.example`, envExample(ctx, host, monitor), { host, mode: 0o600 }),
    );
    for (const f of platformFiles(platform)) {
      const text = ctx.sources?.[f.source];
      if (text !== undefined && f.rel !== undefined) {
        out.push(artifact('compose', `${dir}/platform/${f.rel}`, text, { host }));
      }
    }
  }
  return out;
}
