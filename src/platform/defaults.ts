/**
 * Every default of the platform file, in one place: normalize applies them and schema.ts builds
 * the "Default …" texts of its descriptions (and so the published JSON Schema) from them.
 */
export const DEFAULTS = Object.freeze({
  /** `secret`: the environment variable that holds the platform secret. */
  secretEnv: 'DOKOMODO_SECRET',
  /** `defaults.datadir`, and every host's `datadir`. */
  datadir: '~/.komodo',
  /** `defaults.binaries`, merged under the declared ones. */
  binaries: Object.freeze({ komodod: 'komodod', 'komodo-cli': 'komodo-cli', iguana: 'iguana' }),
  rpc: Object.freeze({ bind: '127.0.0.1', allowip: Object.freeze(['127.0.0.1']), workqueue: 256 }),
  start: Object.freeze({ concurrency: 4, timeoutMs: 300_000 }),
  stop: Object.freeze({ timeoutMs: 120_000 }),
  containers: Object.freeze({
    image: 'dokomodo/komodod:latest',
    iguanaImage: 'dokomodo/iguana:latest',
    namespace: 'komodo',
    storage: '10Gi',
    cpu: '250m',
    memory: '1Gi',
  }),
  host: Object.freeze({
    sshPort: 22,
    engine: 'ansible',
    /** How start/stop reach a host's daemons when the platform file does not say. */
    controlOfEngine: Object.freeze({ ansible: 'process', compose: 'compose', kubernetes: 'kubectl' }),
    roles: Object.freeze(['chains', 'iguana'] as const),
    /** `dokomodo relay`: the Iguana gateway and the tunnel server (docs/relay.md). */
    relayPort: 7780,
    relayTunnelPort: 7781,
  }),
  chain: Object.freeze({ rules: 'komodo' }),
  backup: Object.freeze({ wallet: false }),
  notarization: Object.freeze({
    enabled: true,
    utxoValue: 10_000,
    /** For the coins of LARGE_UTXO_COINS (reference: dpow_utxosize). */
    largeUtxoValue: 100_000,
    splitThreshold: 20,
    splitTarget: 50,
  }),
  notaries: Object.freeze({ set: 'main', port: 13848, minsigs: 13, BTCminsigs: 13 }),
  iguana: Object.freeze({
    port: 7776,
    port3p: 7779,
    workdir: '~/dPoW/iguana',
    /** dPoW's wp_7776 passes 9999999 (about 115 days); Iguana refuses 0 ("timeout must be positive"). */
    unlockSeconds: 9_999_999,
  }),
  alerts: Object.freeze({
    severity: 'warning',
    repeatSeconds: 4 * 3600,
    ratePerMinute: 20,
    api: 'https://api.telegram.org',
  }),
} as const);

/** Chains whose notarization UTXO is 0.001 instead of 0.0001 (reference: dpow_utxosize). */
export const LARGE_UTXO_COINS: ReadonlySet<string> = new Set(['GAME', 'EMC2', 'AYA', 'MIL']);
