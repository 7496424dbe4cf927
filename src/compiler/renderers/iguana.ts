/**
 * iguana target, per Iguana instance: the elected-notaries file in Iguana's working directory,
 * every coin's `addcoin` payload and the ordered bootstrap plan (for `dokomodo iguana up`).
 * A chain on another host than its Iguana gets `rpchost`/`userpass` in its payload, so Iguana
 * talks to it over the network without a conf file (reference iguana-dpow-rpc.md §4, §10b): at
 * the chain host's address, or with `via: relay` on that host at 127.0.0.1 (the Iguana host's
 * relay tunnel, docs/relay.md#rendering).
 */
import { rpcCredentials } from '../../komodo/creds.ts';
import { addcoinPayload, electedFile } from '../../komodo/iguana.ts';
import { serviceAddress } from '../../platform/address.ts';
import type { ChainModel, HostModel, IguanaModel, Platform } from '../../platform/model.ts';
import {
  type Artifact,
  artifact,
  expandHome,
  hostOf,
  hostPath,
  json,
  type RenderContext,
} from '../artifact.ts';
import { viaRelay } from './relay-service.ts';

/** Coins whose rounds run every 5 blocks in the operators' scripts (webworker01/nntools). */
const FREQ5 = new Set(['AYA', 'EMC2', 'MIL']);
/** Where KMD itself is notarized (main Iguana only). */
export const KMD_DPOW_DEST = 'LTC';
/** What the dPoW scripts pass to walletpassphrase: about 115 days. */
export const WALLET_TIMEOUT = 9_999_999;

export interface BootstrapStep {
  step: 'myipaddr' | 'addnotary' | 'addcoin' | 'walletpassphrase' | 'dpow';
  coin?: string;
  /** Path of the addcoin payload, relative to the bootstrap file. */
  payload?: string;
  request?: Record<string, unknown>;
  timeout?: number;
}

export interface BootstrapPlan {
  instance: string;
  host: string;
  port: number;
  mode: 'main' | '3p';
  workdir: string;
  steps: BootstrapStep[];
}

/**
 * The home `~` stands for in a daemon's datadir on `host`: the host's `home`, else its user's
 * (`/root`, `/home/USER`), else `/root` — daemons of a host without a user run as root, as the
 * system units of the systemd target do. Iguana does not expand `~` (it would read
 * `/~/.komodo/…`), so every rendered `path` is absolute.
 */
export function homeOf(host: HostModel | undefined): string {
  return host?.home ?? '/root';
}

/** Where dokomodo keeps an instance's payloads and plan on its host (`~/.dokomodo/iguana/NAME`). */
export function iguanaStateDir(instance: IguanaModel): string {
  return `~/.dokomodo/iguana/${instance.name}`;
}

/** The coins of an instance in bootstrap order: its KMD first, then the rest as listed. */
export function bootstrapOrder(platform: Platform, g: IguanaModel): ChainModel[] {
  const chains = g.coins.map((n) => platform.chains.find((c) => c.name === n)!).filter(Boolean);
  return [...chains.filter((c) => c.kind === 'kmd'), ...chains.filter((c) => c.kind !== 'kmd')];
}

export function iguanaPayload(
  platform: Platform,
  secret: string,
  g: IguanaModel,
  chain: ChainModel,
): { payload: Record<string, unknown>; remote: boolean } {
  const igHost = platform.hosts.find((h) => h.name === g.host);
  const chainHost = platform.hosts.find((h) => h.name === chain.host);
  const remote = chain.host !== g.host && chainHost !== undefined;
  const datadir = expandHome(chain.datadir, homeOf(remote ? chainHost : igHost));
  const creds = remote ? rpcCredentials(secret, chain.name) : undefined;
  const payload = addcoinPayload({
    kind: chain.kind,
    symbol: chain.symbol,
    coin: chain.coin,
    confName: chain.confName,
    datadir,
    netmagic: chain.netmagic,
    p2p: chain.p2p,
    rpc: chain.rpc,
    ...(remote
      ? {
          // via: relay — the tunnel listener of this host's relay, carried to the chain's loopback.
          rpchost: `${viaRelay(platform, g, chain) ? '127.0.0.1' : serviceAddress(chainHost)}:${chain.rpc}`,
          userpass: `${creds!.user}:${creds!.password}`,
        }
      : {}),
  });
  return { payload, remote };
}

export function bootstrapPlan(platform: Platform, g: IguanaModel): BootstrapPlan {
  const host = platform.hosts.find((h) => h.name === g.host);
  const notaries = platform.notaries.find((n) => n.name === g.notaries)!;
  const order = bootstrapOrder(platform, g);
  const pubkey = platform.defaults.pubkey;
  const steps: BootstrapStep[] = [];
  const myip = g.myip ?? host?.address;
  if (myip)
    steps.push({ step: 'myipaddr', request: { agent: 'SuperNET', method: 'myipaddr', ipaddr: myip } });
  const seeds = notaries.seeds.length
    ? notaries.seeds
    : notaries.notaries.flatMap((n) => (n.ip ? [n.ip] : []));
  // A local devnet repeats one address to reach Iguana's minimum of 8 seeds: dial it once.
  for (const ip of new Set(seeds))
    steps.push({ step: 'addnotary', request: { agent: 'iguana', method: 'addnotary', ipaddr: ip } });
  order.forEach((c, i) => {
    steps.push({ step: 'addcoin', coin: c.symbol, payload: `coins/${c.symbol}.json` });
    // The passphrase goes to the default coin, which exists only once the first coin is added.
    if (i === 0) steps.push({ step: 'walletpassphrase', timeout: g.unlockSeconds });
  });
  const symbols = new Set(order.map((c) => c.symbol));
  const kmdToLtc = g.mode === 'main' && symbols.has(KMD_DPOW_DEST) && order.some((c) => c.kind === 'kmd');
  for (const c of order) {
    if (c.kind === 'kmd' && !kmdToLtc) continue; // KMD is dPoW'd into LTC only
    // LTC is KMD's destination, not a source: dPoW's m_notary_main never sends `dpow LTC`, and a
    // round only this notary starts would never gather signatures.
    if (kmdToLtc && c.symbol === KMD_DPOW_DEST) continue;
    const request: Record<string, unknown> = { agent: 'iguana', method: 'dpow', symbol: c.symbol };
    if (pubkey) request['pubkey'] = pubkey;
    if (FREQ5.has(c.symbol)) request['freq'] = 5;
    steps.push({ step: 'dpow', coin: c.symbol, request });
  }
  return { instance: g.name, host: hostOf(g.host), port: g.port, mode: g.mode, workdir: g.workdir, steps };
}

export function renderIguana(ctx: RenderContext): Artifact[] {
  const { platform } = ctx;
  const out: Artifact[] = [];
  const selected = new Set(ctx.selection.chains.map((c) => c.name));
  for (const g of platform.iguana) {
    const host = hostOf(g.host);
    if (!ctx.hosts.includes(host)) continue;
    if (!g.coins.some((c) => selected.has(c))) continue;
    const notaries = platform.notaries.find((n) => n.name === g.notaries)!;
    const electedName = g.mode === 'main' ? 'elected' : '3rd_party';
    out.push(
      artifact('iguana', `${hostPath(host, g.workdir)}/${electedName}`, json(electedFile(notaries)), {
        host,
      }),
    );
    const state = hostPath(host, iguanaStateDir(g));
    for (const chain of bootstrapOrder(platform, g)) {
      const { payload, remote } = iguanaPayload(platform, ctx.secret, g, chain);
      out.push(
        artifact('iguana', `${state}/coins/${chain.symbol}.json`, json(payload), { host, secret: remote }),
      );
    }
    out.push(artifact('iguana', `${state}/bootstrap.json`, json(bootstrapPlan(platform, g)), { host }));
  }
  return out;
}
