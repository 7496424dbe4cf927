/**
 * The one schema of the platform file. The TypeScript input types, the runtime validation and the
 * published JSON Schema (`dokomodo schema`, `schema/dokomodo.schema.json`) all come from here.
 * Semantic rules that need the whole file (references, ports, parameters) live in normalize.ts
 * and its steps under normalize/; the default values quoted here come from defaults.ts.
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.ts';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const ENV_VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const port = z.int().min(1).max(65535).describe('TCP port, 1–65535.');
const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/)])
  .describe('Seconds as a number, or a string with a unit: "500ms", "30s", "5m", "1h".');
const stringList = z.array(z.string().min(1));

/** How the descriptions spell a default taken from DEFAULTS. */
const seconds = (ms: number) => `${ms / 1000}s`;
const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;

export const SecretSourceSchema = z
  .union([
    z.strictObject({
      env: z.string().regex(ENV_VAR_RE).describe('Name of the environment variable that holds the secret.'),
    }),
    z.strictObject({
      file: z.string().min(1).describe('Path of a file (mode 0600) that holds the secret.'),
    }),
  ])
  .describe(
    'Where the platform secret comes from. RPC credentials of every chain are derived from it. ' +
      `Never the value itself. Default: { env: ${DEFAULTS.secretEnv} }.`,
  );

export const RpcSettingsSchema = z
  .strictObject({
    bind: z.string().min(1).optional().describe(`rpcbind of every chain conf. Default ${DEFAULTS.rpc.bind}.`),
    allowip: stringList.optional().describe(`rpcallowip entries. Default ${list(DEFAULTS.rpc.allowip)}.`),
    workqueue: z
      .int()
      .min(1)
      .max(65536)
      .optional()
      .describe(`rpcworkqueue. Default ${DEFAULTS.rpc.workqueue} (what komodod writes).`),
    threads: z.int().min(1).max(1024).optional().describe('rpcthreads. Default: komodod default (4).'),
  })
  .describe('RPC server settings written into chain conf files.');

export const StartSettingsSchema = z.strictObject({
  concurrency: z
    .int()
    .min(1)
    .max(1024)
    .optional()
    .describe(`How many chains start at once. Default ${DEFAULTS.start.concurrency}.`),
  timeout: duration
    .optional()
    .describe(
      `How long a chain may take to answer RPC after start. Default ${seconds(DEFAULTS.start.timeoutMs)}.`,
    ),
});

export const StopSettingsSchema = z.strictObject({
  timeout: duration
    .optional()
    .describe(
      `How long to wait after the stop RPC before signalling. Default ${seconds(DEFAULTS.stop.timeoutMs)}.`,
    ),
});

export const DefaultsSchema = z
  .strictObject({
    datadir: z
      .string()
      .min(1)
      .optional()
      .describe(`Base data directory of KMD and assetchains. Default ${DEFAULTS.datadir}.`),
    host: z
      .string()
      .regex(HOST_RE)
      .optional()
      .describe('Host of chains and iguana instances that name none.'),
    user: z.string().min(1).optional().describe('Unix user that runs the daemons. Default: the SSH user.'),
    pubkey: z
      .string()
      .regex(/^(02|03)[0-9a-fA-F]{64}$/)
      .optional()
      .describe('Notary pubkey passed to every Komodo-family daemon as -pubkey.'),
    binaries: z
      .record(z.string().min(1), z.string().min(1))
      .optional()
      .describe(
        'Daemon binaries by name, e.g. { komodod: /usr/local/bin/komodod, iguana: ~/dPoW/iguana/iguana }.',
      ),
    rpc: RpcSettingsSchema.optional(),
    start: StartSettingsSchema.optional(),
    stop: StopSettingsSchema.optional(),
    whitelist: stringList.optional().describe('whitelistaddress entries added to every Komodo-family conf.'),
    containers: z
      .strictObject({
        image: z
          .string()
          .min(1)
          .optional()
          .describe(`Image with komodod and dokomodo (entrypoint). Default ${DEFAULTS.containers.image}.`),
        iguana_image: z
          .string()
          .min(1)
          .optional()
          .describe(`Image with Iguana and dokomodo. Default ${DEFAULTS.containers.iguanaImage}.`),
        namespace: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
          .optional()
          .describe(`Kubernetes namespace. Default ${DEFAULTS.containers.namespace}.`),
        storage: z
          .string()
          .regex(/^\d+(Ki|Mi|Gi|Ti)$/)
          .optional()
          .describe(`PVC size per chain. Default ${DEFAULTS.containers.storage}.`),
        storage_class: z.string().min(1).optional().describe('Kubernetes StorageClass of the chain volumes.'),
        cpu: z
          .string()
          .min(1)
          .optional()
          .describe(`CPU request per chain. Default ${DEFAULTS.containers.cpu}.`),
        memory: z
          .string()
          .regex(/^\d+(Ki|Mi|Gi)$/)
          .optional()
          .describe(`Memory request per chain. Default ${DEFAULTS.containers.memory}.`),
      })
      .optional()
      .describe('Container settings for the compose and kubernetes targets.'),
  })
  .describe('Settings every chain and host inherits.');

export const HostSchema = z
  .strictObject({
    address: z.string().min(1).describe('IP address or DNS name used for SSH and for reaching its chains.'),
    ssh: z
      .strictObject({
        user: z.string().min(1).optional(),
        port: port.optional(),
        key: z.string().min(1).optional().describe('Path of the private key file.'),
        known_hosts: z
          .string()
          .min(1)
          .optional()
          .describe("known_hosts file to check the host's key against. Default: OpenSSH's own."),
        options: z
          .record(z.string().regex(/^[A-Za-z]+$/), z.string())
          .optional()
          .describe('More OpenSSH client options (-o NAME=VALUE), e.g. { ProxyJump: bastion }.'),
      })
      .optional()
      .describe(
        'How the controller reaches this host. A host with no `ssh` on a loopback address is this machine; every other host is reached over SSH.',
      ),
    engine: z
      .enum(['ansible', 'compose', 'kubernetes'])
      .optional()
      .describe(`What \`deploy\` applies this host with. Default ${DEFAULTS.host.engine}.`),
    control: z
      .enum(['process', 'systemd', 'systemd-user', 'compose', 'kubectl'])
      .optional()
      .describe(
        'How start/stop reach the daemons: process (dokomodo runs them), systemd or systemd-user (the rendered units), compose, kubectl. Default: process for ansible hosts, else the engine.',
      ),
    roles: z
      .array(z.enum(['chains', 'iguana', 'monitor']))
      .optional()
      .describe(`What runs there. Default ${list(DEFAULTS.host.roles)}.`),
    user: z.string().min(1).optional().describe('Unix user running the daemons on this host.'),
    home: z.string().min(1).optional().describe('Home directory of that user. Default /home/<user>.'),
    datadir: z.string().min(1).optional().describe('Overrides defaults.datadir on this host.'),
    labels: z.record(z.string(), z.string()).optional(),
    relay: z
      .strictObject({
        port: port
          .optional()
          .describe(`The relay's Iguana gateway (HTTPS). Default ${DEFAULTS.host.relayPort}.`),
        tunnel_port: port
          .optional()
          .describe(
            `The relay's tunnel server for this host's chains (mutual TLS); other relays connect here. Default ${DEFAULTS.host.relayTunnelPort}.`,
          ),
      })
      .optional()
      .describe('Ports of `dokomodo relay` on this host (docs/relay.md).'),
    via: z
      .enum(['direct', 'relay'])
      .optional()
      .describe(
        "How Iguana instances of other hosts reach this host's chains: direct (their RPC port opened to the Iguana hosts, rpchost at this host's address) or relay (through `dokomodo relay` tunnels; the chains listen on 127.0.0.1 only). Default direct.",
      ),
  })
  .describe('A machine (or container group) that runs chains and/or iguana instances.');

const paramScalar = z.union([z.number(), z.string()]);
export const ParamValueSchema = z
  .union([paramScalar, z.array(paramScalar).min(1)])
  .describe('A -ac_* value: number, string, or a list (per-era parameters such as ac_reward).');

export const NotarizationSchema = z
  .strictObject({
    utxo_value: z
      .int()
      .min(1)
      .optional()
      .describe(`Notarization UTXO size in satoshis. Default ${DEFAULTS.notarization.utxoValue}.`),
    split_threshold: z
      .int()
      .min(0)
      .optional()
      .describe(`Split when fewer UTXOs than this. Default ${DEFAULTS.notarization.splitThreshold}.`),
    split_target: z
      .int()
      .min(1)
      .max(252)
      .optional()
      .describe(`Split up to this many UTXOs. Default ${DEFAULTS.notarization.splitTarget}.`),
    enabled: z
      .boolean()
      .optional()
      .describe(`Whether this chain is notarized. Default ${DEFAULTS.notarization.enabled}.`),
  })
  .describe('Notarization UTXO policy of a chain.');

export const ChainSchema = z
  .strictObject({
    coin: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A third-party coin (BTC, LTC, …) run by its own daemon; its versions and ports come from the coin table.',
      ),
    rules: z
      .enum(['komodo', 'legacy', 'marmara'])
      .optional()
      .describe(
        'Which komodod computes the magic: komodo (current, default), legacy (before 2022), marmara.',
      ),
    params: z
      .record(z.string(), ParamValueSchema)
      .optional()
      .describe(
        '-ac_* launch parameters, spelled as komodod spells them without the dash (ac_supply, ac_reward, …).',
      ),
    args: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        'Other daemon arguments, e.g. { addressindex: 1, spentindex: 1 }. They never change the magic.',
      ),
    daemon: z
      .strictObject({
        binary: z
          .string()
          .min(1)
          .describe(
            'Daemon binary: a key of defaults.binaries or a path, e.g. marmarad (MCL), tokeld (TOKEL).',
          ),
        cli: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Its RPC client (a key of defaults.binaries or a path). Default: the coin’s (komodo-cli).',
          ),
      })
      .optional()
      .describe(
        'A chain that runs its own build instead of komodod (or the coin’s daemon). Same conf layout and arguments.',
      ),
    addnode: stringList.optional().describe('Seed peers (-addnode).'),
    whitelist: stringList.optional().describe('Extra whitelistaddress entries for this chain.'),
    host: z
      .string()
      .regex(HOST_RE)
      .optional()
      .describe('Host that runs this chain. Default defaults.host or the only host.'),
    ports: z
      .strictObject({
        p2p: port.optional(),
        rpc: port.optional(),
        override: z
          .boolean()
          .optional()
          .describe('true: run on these ports instead of the computed ones (-port, rpcport=).'),
      })
      .optional()
      .describe('Expected ports, checked against the computed ones unless override is true.'),
    datadir: z
      .string()
      .min(1)
      .optional()
      .describe('Data directory of this chain (replaces the default layout, -datadir).'),
    notarization: NotarizationSchema.optional(),
    explorers: z
      .array(
        z.string().regex(/^https?:\/\/[^\s@/]+(\/[^\s]*)?$/, {
          error:
            'expected an http(s) URL without credentials (RPC peers with credentials go in a --peers file)',
        }),
      )
      .optional()
      .describe(
        'Insight-style block explorers (public base URLs) that `dokomodo checkfork` compares the tip with.',
      ),
    backup: z
      .strictObject({
        wallet: z
          .boolean()
          .optional()
          .describe(
            `true: \`dokomodo backup\` includes this chain’s wallet.dat, because it holds funds the passphrase cannot derive. Default ${DEFAULTS.backup.wallet}.`,
          ),
      })
      .optional()
      .describe('What `dokomodo backup` keeps of this chain beyond the journals and state.'),
    bootstrap: z
      .strictObject({
        url: z
          .string()
          .regex(/^https?:\/\/[^\s@/]+(\/[^\s]*)?$/, { error: 'expected an http(s) URL without credentials' })
          .optional()
          .describe('Where the chain host downloads the snapshot from (with curl, on that host).'),
        path: z
          .string()
          .min(1)
          .optional()
          .describe('The snapshot as a file on the chain’s host (`~` is that host’s home).'),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/, { error: 'expected the snapshot’s sha256: 64 lowercase hex digits' })
          .describe('The snapshot’s sha256; a snapshot that does not match is not used.'),
      })
      .refine((b) => (b.url === undefined) !== (b.path === undefined), {
        error: 'give exactly one of `url` and `path`',
      })
      .optional()
      .describe(
        'A chain-data snapshot (a .tar.gz of the data directory: blocks/, chainstate/ …) that `dokomodo recover` unpacks into a data directory without block data before the first start; wallets in it are never unpacked.',
      ),
    description: z.string().optional(),
  })
  .describe('A daemon dokomodo runs: KMD, an assetchain, or a third-party coin.');

export const IguanaSchema = z
  .strictObject({
    host: z.string().regex(HOST_RE).optional(),
    port: port
      .optional()
      .describe(
        `Iguana RPC port. Default ${DEFAULTS.iguana.port} for the first instance, ${DEFAULTS.iguana.port3p} for a 3p instance.`,
      ),
    mode: z
      .enum(['main', '3p'])
      .optional()
      .describe('main: started as `iguana notary`; 3p: started with its elected file (third-party coins).'),
    coins: z.array(z.string().min(1)).min(1).describe('Chains this instance notarizes, in bootstrap order.'),
    notaries: z.string().min(1).describe('Name of an entry of `notaries`.'),
    workdir: z
      .string()
      .min(1)
      .optional()
      .describe(`Iguana working directory. Default ${DEFAULTS.iguana.workdir}.`),
    myip: z
      .string()
      .min(1)
      .optional()
      .describe('Public IPv4 announced with myipaddr. Default: the host address.'),
    unlock: duration
      .optional()
      .describe(
        `How long walletpassphrase unlocks the wallet (the timeout sent). Default ${DEFAULTS.iguana.unlockSeconds} s (about ${Math.floor(DEFAULTS.iguana.unlockSeconds / 86_400)} days), as dPoW’s wp_7776.`,
      ),
  })
  .describe('An Iguana dPoW process and the coins it notarizes.');

export const NotaryEntrySchema = z.strictObject({
  name: z.string().min(1),
  pubkey: z
    .string()
    .regex(/^(02|03)[0-9a-fA-F]{64}$/, { error: 'expected a 66-hex-digit compressed pubkey' }),
  ip: z.string().min(1).optional(),
});

export const NotaryListSchema = z
  .strictObject({
    season: z
      .union([z.literal(7), z.literal(8), z.literal('7'), z.literal('8')])
      .optional()
      .describe('A built-in elected list (Season 7 or 8).'),
    set: z
      .enum(['main', '3p'])
      .optional()
      .describe(
        'With `season`: the main Iguana list (default) or the third-party one (dPoW iguana/3rd_party: other keys).',
      ),
    file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'An elected file: iguana format {port, minsigs, seeds, notaries:[{name: pubkey}]} or flat {name: pubkey}.',
      ),
    list: z.array(NotaryEntrySchema).min(1).optional().describe('The elected notaries inline.'),
    port: port
      .optional()
      .describe(`dPoW p2p port of this notary network. Default ${DEFAULTS.notaries.port}.`),
    minsigs: z.int().min(1).max(64).optional(),
    BTCminsigs: z.int().min(1).max(64).optional(),
    seeds: stringList.optional().describe('IPs of seed notaries (addnotary).'),
  })
  .describe('An elected notary list: exactly one of season, file or list.');

const selection = z.union([z.literal('all'), z.array(z.string().min(1))]);
export const EnvironmentSchema = z
  .strictObject({
    chains: selection.optional().describe('Chain names, or all. Default all.'),
    hosts: selection.optional().describe('Host names, or all. Default all.'),
    description: z.string().optional(),
  })
  .describe('A named selection of chains and hosts (--env NAME).');

const secretOrText = z
  .union([z.string().min(1), SecretSourceSchema])
  .describe('A value written in the file, or { env: VAR } / { file: PATH } to keep it out of the file.');

const severity = z
  .enum(['warning', 'critical'])
  .optional()
  .describe(`The least severity sent to this channel. Default ${DEFAULTS.alerts.severity} (everything).`);

export const AlertChannelSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('webhook'),
      severity,
      url: secretOrText.describe('POST target; receives the Alertmanager webhook format (version 4).'),
    }),
    z.strictObject({
      type: z.literal('telegram'),
      severity,
      token: SecretSourceSchema.describe(
        'The bot token (from @BotFather): { env } or { file }, never inline.',
      ),
      chat: z.union([z.string().min(1), z.int()]).describe('chat_id: a user, group (-100…) or @channel.'),
      api: z.url().optional().describe(`Bot API base URL. Default ${DEFAULTS.alerts.api}.`),
    }),
    z.strictObject({
      type: z.literal('discord'),
      severity,
      url: secretOrText.describe(
        'The channel webhook URL (it embeds its token: prefer { env } or { file }).',
      ),
    }),
    z.strictObject({
      type: z.literal('ntfy'),
      severity,
      url: secretOrText.describe('The topic URL, e.g. https://ntfy.sh/my-notary-alerts.'),
      token: SecretSourceSchema.optional().describe('Access token for a protected topic.'),
    }),
  ])
  .describe('One alert channel: its type, where it posts, and the least severity it gets.');

export const AlertsSchema = z
  .strictObject({
    channels: z
      .record(z.string(), AlertChannelSchema)
      .optional()
      .describe('Where the monitor sends alerts, by name.'),
    repeat: duration
      .optional()
      .describe(
        `Re-send an alert that keeps firing this often. Default ${DEFAULTS.alerts.repeatSeconds / 3600}h.`,
      ),
    rate: z
      .int()
      .min(1)
      .max(600)
      .optional()
      .describe(
        `At most this many messages per channel per minute; the rest wait. Default ${DEFAULTS.alerts.ratePerMinute}.`,
      ),
    heartbeat: z
      .strictObject({
        url: secretOrText.describe(
          "A dead-man's-switch URL the monitor calls after every poll (e.g. a healthchecks ping URL).",
        ),
      })
      .optional(),
  })
  .describe(
    "The monitor's own alerting: the contract's rules evaluated in the monitor, sent to chat and pager channels.",
  );

export const PlatformSchema = z
  .strictObject({
    version: z.literal(1).describe('Platform file format version. Always 1.'),
    secret: SecretSourceSchema.optional(),
    defaults: DefaultsSchema.optional(),
    hosts: z.record(z.string(), HostSchema.nullable()).optional(),
    chains: z
      .record(z.string(), ChainSchema.nullable())
      .describe('Chains by name; the name is the Iguana symbol.'),
    iguana: z.record(z.string(), IguanaSchema).optional(),
    notaries: z.record(z.string(), NotaryListSchema).optional(),
    environments: z.record(z.string(), EnvironmentSchema).optional(),
    alerts: AlertsSchema.optional(),
  })
  .describe('dokomodo platform file (dokomodo.yaml).');

export type PlatformInput = z.input<typeof PlatformSchema>;
export type ChainInput = z.input<typeof ChainSchema>;
export type HostInput = z.input<typeof HostSchema>;
export type IguanaInput = z.input<typeof IguanaSchema>;
export type NotaryListInput = z.input<typeof NotaryListSchema>;
export type DefaultsInput = z.input<typeof DefaultsSchema>;

export { NAME_RE, HOST_RE };

/** The JSON Schema published for editors (yaml-language-server, VS Code). */
export function platformJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PlatformSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema['$schema'],
    title: 'dokomodo platform file',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
    // `x-…` top-level keys are free, for YAML anchors (the loader drops them before validation).
    patternProperties: { '^x-': {} },
  };
}
