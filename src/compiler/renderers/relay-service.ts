/**
 * `via: relay` in the render, shared by the iguana, conf, systemd and compose targets.
 *
 * A chain whose host says `via: relay` and that an Iguana instance of another host notarizes is
 * reached through the relays (docs/relay.md#rendering): Iguana's payload says
 * `rpchost: 127.0.0.1:RPC` (the tunnel listener of the Iguana host's relay), and the chain's conf
 * binds 127.0.0.1 only, since the far relay connects from the chain host's loopback.
 *
 * A host gets a relay (systemd unit, compose service) when it is on such a path: it runs such a
 * chain (the tunnel server), or an Iguana instance that notarizes one (the tunnel listeners, and
 * the gateway in front of its Iguana). The relay's certificates and tokens file are files on the
 * host (`~/.dokomodo/relay/`, made by `relay cert` / `relay token`), never rendered.
 */
import type { ChainModel, HostModel, IguanaModel, Platform } from '../../platform/model.ts';
import { hostOf } from '../artifact.ts';

/** Where the relay's certificates, tokens file, audit log and platform file copy live on a host. */
export const RELAY_DIR = '~/.dokomodo/relay';
/** The tokens file, as `dokomodo relay token` writes it. */
export const RELAY_TOKENS = 'relay.tokens';
export const RELAY_UNIT = 'dokomodo-relay.service';

function hostModel(platform: Platform, name: string | undefined): HostModel | undefined {
  return platform.hosts.find((h) => h.name === name);
}

/** Whether Iguana instance `g` reaches `chain` through the relays' tunnel. */
export function viaRelay(platform: Platform, g: IguanaModel, chain: ChainModel): boolean {
  if (chain.host === g.host) return false;
  const chainHost = hostModel(platform, chain.host);
  return chainHost !== undefined && chainHost.via === 'relay';
}

/** The selected chains an Iguana instance of another host reaches through the relays. */
function relayedPairs(
  platform: Platform,
  selected: ReadonlySet<string>,
): Array<{ g: IguanaModel; chain: ChainModel }> {
  const out: Array<{ g: IguanaModel; chain: ChainModel }> = [];
  const byName = new Map(platform.chains.map((c) => [c.name, c]));
  for (const g of platform.iguana)
    for (const coin of g.coins) {
      const chain = byName.get(coin);
      if (chain && selected.has(chain.name) && viaRelay(platform, g, chain)) out.push({ g, chain });
    }
  return out;
}

/** Whether some Iguana of another host reaches this chain through the relays (conf: loopback only). */
export function chainBehindRelay(platform: Platform, chain: ChainModel): boolean {
  return platform.iguana.some((g) => g.coins.includes(chain.name) && viaRelay(platform, g, chain));
}

export interface RelayNeed {
  host: string;
  /** Chains of this host served by its tunnel server. */
  serves: string[];
  /** Chains of other hosts its Iguana instances reach through tunnel listeners. */
  reaches: string[];
  /** Iguana instances of this host (behind the gateway). */
  iguana: string[];
}

/** The hosts that need a relay for the selected chains, in platform order. */
/** Per platform and selection: every host's renderers ask, and the answer is the same. */
const needsOf = new WeakMap<Platform, WeakMap<readonly ChainModel[], RelayNeed[]>>();

export function relayNeeds(platform: Platform, selectedChains: readonly ChainModel[]): readonly RelayNeed[] {
  let bySelection = needsOf.get(platform);
  if (!bySelection) {
    bySelection = new WeakMap();
    needsOf.set(platform, bySelection);
  }
  let needs = bySelection.get(selectedChains);
  if (!needs) {
    needs = computeRelayNeeds(platform, selectedChains);
    bySelection.set(selectedChains, needs);
  }
  return needs;
}

function computeRelayNeeds(platform: Platform, selectedChains: readonly ChainModel[]): RelayNeed[] {
  const selected = new Set(selectedChains.map((c) => c.name));
  const needs = new Map<string, RelayNeed>();
  const need = (host: string) => {
    let n = needs.get(host);
    if (!n) {
      n = { host, serves: [], reaches: [], iguana: [] };
      needs.set(host, n);
    }
    return n;
  };
  for (const { g, chain } of relayedPairs(platform, selected)) {
    const serving = need(hostOf(chain.host));
    if (!serving.serves.includes(chain.name)) serving.serves.push(chain.name);
    const reaching = need(hostOf(g.host));
    if (!reaching.reaches.includes(chain.name)) reaching.reaches.push(chain.name);
  }
  for (const n of needs.values())
    n.iguana = platform.iguana.filter((g) => hostOf(g.host) === n.host).map((g) => g.name);
  const order = platform.hosts.map((h) => h.name);
  return [...needs.values()].sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
}

/**
 * `dokomodo` arguments of a host's relay: the platform file copy, the host, and the certificates,
 * tokens and audit paths (all on the host; the certificate name is the host name).
 */
export function relayArgs(opts: {
  file: string;
  host: string;
  dir: string;
  tunnelListen?: string;
  /** The audit log; default in `dir`. */
  audit?: string;
  /** Extra flags (`--no-gateway`, `--no-tunnels`). */
  flags?: string[];
}): string[] {
  return [
    '-f',
    opts.file,
    'relay',
    '--host',
    opts.host,
    ...(opts.tunnelListen ? ['--tunnel-listen', opts.tunnelListen] : []),
    ...(opts.flags ?? []),
    '--certs',
    opts.dir,
    '--tokens',
    `${opts.dir}/${RELAY_TOKENS}`,
    '--audit',
    opts.audit ?? `${opts.dir}/audit.log`,
  ];
}

/** The platform file as the relay reads it on its host: a copy in the relay directory. */
export function relayPlatformFile(platform: Platform, dir: string): string {
  const base = platform.file.slice(platform.file.lastIndexOf('/') + 1) || 'dokomodo.yaml';
  return `${dir}/platform/${base}`;
}
