/**
 * The normalized platform: every default applied, every reference resolved, every chain's
 * identity (magic, ports, launch arguments) computed. Everything downstream (compiler, operator,
 * monitor) reads this, never the raw YAML.
 */
import type { CoinInfo } from '../komodo/coins.ts';
import type { Rules } from '../komodo/params.ts';

export type ChainKind = 'kmd' | 'assetchain' | 'coin';

export interface NotarizationPolicy {
  enabled: boolean;
  /** Notarization UTXO size in satoshis (10000, or 100000 for GAME/EMC2/AYA/MIL). */
  utxoValue: number;
  splitThreshold: number;
  splitTarget: number;
}

export interface ChainModel {
  /** Key in the platform file: the Iguana symbol and the key of the derived RPC credentials. */
  name: string;
  kind: ChainKind;
  /** Iguana's symbol (`newcoin`, `symbol`): KMD for every KMD daemon, the coin for third-party coins, else the name. */
  symbol: string;
  /** -ac_name for assetchains (usually equal to `name`; differs for e.g. GLEEC_OLD). */
  acName: string | undefined;
  coin: CoinInfo;
  rules: Rules;
  /** -ac_* parameters as command-line strings, in file order. */
  params: Record<string, string>;
  /** Other daemon arguments as command-line strings, in file order. */
  args: Record<string, string>;
  addnode: string[];
  whitelist: string[];
  host: string | undefined;
  p2p: number;
  rpc: number;
  /** True when p2p/rpc were declared with override (the daemon gets -port / rpcport=). */
  portsOverridden: boolean;
  /** Unsigned 32-bit network magic, when known (always for Komodo-family chains). */
  magic: number | undefined;
  /** Little-endian hex of the magic, as Iguana's `netmagic`. */
  netmagic: string | undefined;
  /** Data directory with `~` for the running user's home, e.g. `~/.komodo/DOC`. */
  datadir: string;
  /** Conf file name inside the data directory (`DOC.conf`, `komodo.conf`, `litecoin.conf`). */
  confName: string;
  /** True when the datadir is not the daemon's default layout (komodod then needs -datadir). */
  customDatadir: boolean;
  /** Daemon arguments (without the binary). */
  launchArgs: string[];
  notarization: NotarizationPolicy;
  /** Public block explorers `checkfork` compares with. */
  explorers: string[];
  /** What `dokomodo backup` keeps of the chain: its wallet.dat when it holds non-derivable funds. */
  backup: { wallet: boolean };
  /** A chain-data snapshot `recover` unpacks before the first start (one of url/path, with its sha256). */
  bootstrap: { url: string | undefined; path: string | undefined; sha256: string } | undefined;
  description: string | undefined;
}

export interface HostModel {
  name: string;
  address: string;
  ssh: {
    user: string | undefined;
    port: number;
    key: string | undefined;
    knownHosts: string | undefined;
    options: Record<string, string>;
  };
  /** True when the platform file names no `ssh` and the address is loopback: this machine. */
  local: boolean;
  /** What `deploy` applies the host with. */
  engine: 'ansible' | 'compose' | 'kubernetes';
  /** How start/stop reach its daemons. */
  control: 'process' | 'systemd' | 'systemd-user' | 'compose' | 'kubectl';
  roles: Array<'chains' | 'iguana' | 'monitor'>;
  user: string | undefined;
  home: string | undefined;
  datadir: string;
  labels: Record<string, string>;
  /** Ports of `dokomodo relay` on this host: the Iguana gateway and the tunnel server. */
  relay: { port: number; tunnelPort: number };
  /** How Iguana instances of other hosts reach this host's chains: their RPC port, or relay tunnels. */
  via: 'direct' | 'relay';
}

export interface NotaryModel {
  name: string;
  pubkey: string;
  ip: string | undefined;
}

export interface NotaryListModel {
  name: string;
  /** Where the list came from: `season 8`, a file path, or `inline`. */
  source: string;
  /** The elected file as the platform file names it (relative to it), when the list is read from one. */
  file: string | undefined;
  port: number;
  minsigs: number;
  BTCminsigs: number;
  seeds: string[];
  notaries: NotaryModel[];
}

export interface IguanaModel {
  name: string;
  host: string | undefined;
  port: number;
  mode: 'main' | '3p';
  coins: string[];
  notaries: string;
  workdir: string;
  myip: string | undefined;
  /** The walletpassphrase timeout, seconds (Iguana stays unlocked that long). */
  unlockSeconds: number;
}

export interface EnvironmentModel {
  name: string;
  chains: string[];
  hosts: string[];
  description: string | undefined;
}

export interface Defaults {
  datadir: string;
  host: string | undefined;
  user: string | undefined;
  pubkey: string | undefined;
  binaries: Record<string, string>;
  rpc: { bind: string; allowip: string[]; workqueue: number; threads: number | undefined };
  start: { concurrency: number; timeoutMs: number };
  stop: { timeoutMs: number };
  whitelist: string[];
  containers: {
    image: string;
    iguanaImage: string;
    namespace: string;
    storage: string;
    storageClass: string | undefined;
    cpu: string;
    memory: string;
  };
}

export type SecretSource = { env: string } | { file: string };

/** A value written in the platform file, or where to read it (kept out of the file). */
export type SecretOrText = string | SecretSource;

export type AlertChannelModel = { name: string; severity: 'warning' | 'critical' } & (
  | { type: 'webhook'; url: SecretOrText }
  | { type: 'telegram'; token: SecretSource; chat: string; api: string }
  | { type: 'discord'; url: SecretOrText }
  | { type: 'ntfy'; url: SecretOrText; token?: SecretSource }
);

export interface AlertsModel {
  channels: AlertChannelModel[];
  /** Seconds between notifications of an alert that keeps firing. */
  repeatSeconds: number;
  /** Messages per channel per minute. */
  ratePerMinute: number;
  heartbeat?: { url: SecretOrText };
}

export interface Platform {
  /** Path of the platform file as the user named it. */
  file: string;
  version: 1;
  secret: SecretSource;
  defaults: Defaults;
  hosts: HostModel[];
  chains: ChainModel[];
  iguana: IguanaModel[];
  notaries: NotaryListModel[];
  environments: EnvironmentModel[];
  alerts: AlertsModel;
}

/** A platform narrowed to one environment (or all of it). */
export interface Selection {
  env: string | undefined;
  chains: ChainModel[];
  hosts: HostModel[];
}
