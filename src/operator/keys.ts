/**
 * Key import: put the notary key (derived from the wallet passphrase) into every chain's wallet,
 * without a rescan, as the notary scripts do (`importprivkey <WIF> "" false`, reference
 * iguana-dpow-rpc.md §13.5, §14). Idempotent: a wallet that already holds the key is left alone,
 * so a rerun changes nothing.
 *
 * The passphrase, the private key and every WIF are registered as secrets before the first call,
 * so no error, event or message can print them (the RPC client redacts what it raises).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { DokomodoError } from '../core/errors.ts';
import { redact, registerSecret } from '../core/redact.ts';
import type { CoinInfo } from '../komodo/coins.ts';
import { deriveKeys } from '../komodo/keys.ts';
import type { ChainModel, Platform } from '../platform/model.ts';
import type { Runtime } from './runtime.ts';
import { defaultTargetError, fanout, type TargetError, type TargetResult } from './fanout.ts';
import { type RpcClient, RpcError } from './rpc/client.ts';

/** Coins whose daemons dropped `ismine` from validateaddress (Bitcoin Core ≥ 0.17 lineage). */
const GETADDRESSINFO_COINS = new Set(['LTC', 'CHIPS', 'AYA', 'BTC']);

/** One chain's notary key, as that chain's wallet spells it. */
export interface ChainKey {
  chain: string;
  address: string;
  wif: string;
}

/** The notary pubkey and every chain's address and WIF; WIFs and the private key are registered as secrets. */
export interface NotaryKeys {
  pubkey: string;
  byChain: Map<string, ChainKey>;
}

/**
 * Derives the notary key of each chain from the passphrase (assetchains use KMD's versions,
 * third-party coins their own) and registers the passphrase, the private key and the WIFs for
 * redaction before returning them.
 */
export function notaryKeys(passphrase: string, chains: readonly ChainModel[]): NotaryKeys {
  registerSecret(passphrase);
  const coins = new Map<string, CoinInfo>();
  for (const c of chains) coins.set(c.coin.symbol, c.coin);
  const keys = deriveKeys(passphrase, [...coins.values()]);
  registerSecret(bytesToHex(keys.privkey));
  keys.privkey.fill(0);
  for (const k of Object.values(keys.coins)) registerSecret(k.wif);
  const byChain = new Map<string, ChainKey>();
  for (const c of chains) {
    const k = keys.coins[c.coin.symbol]!;
    byChain.set(c.name, { chain: c.name, address: k.address, wif: k.wif });
  }
  return { pubkey: keys.pubkey, byChain };
}

/** Fails when the platform names a notary pubkey and the passphrase gives another one. */
export function checkPubkey(platform: Platform, pubkey: string): void {
  const want = platform.defaults.pubkey?.toLowerCase();
  if (want !== undefined && want !== pubkey.toLowerCase()) {
    throw new DokomodoError(
      'pubkey-mismatch',
      `the passphrase gives the pubkey ${pubkey}, but defaults.pubkey in ${platform.file} is ${want}`,
      {
        hint: 'check the passphrase (a typo gives another key), or correct defaults.pubkey; nothing was changed',
      },
    );
  }
}

export type ImportState = 'imported' | 'already';

export interface ImportResult {
  state: ImportState;
  address: string;
}

export type KeyImportEvent =
  | { type: 'retry'; chain: string; method: string; attempt: number; delayMs: number; message: string }
  | { type: 'importing'; chain: string; address: string };

export interface KeyImportOptions {
  keys: NotaryKeys;
  /** Chains at once. Default 16. */
  concurrency?: number;
  /** Per-call timeout. Default 30 s. */
  timeoutMs?: number;
  /** How long to wait for a daemon in warm-up (-28). Default 60 s. */
  warmupMs?: number;
  onEvent?: (e: KeyImportEvent) => void;
  onResult?: (r: TargetResult<ImportResult>) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One call that waits out a daemon's warm-up (bounded by `deadline`), but fails at once on a
 * refused connection: a chain that is down is reported, not waited for.
 */
export async function callReady<T>(
  client: RpcClient,
  method: string,
  params: readonly unknown[],
  deadline: number,
  onRetry?: (attempt: number, delayMs: number, message: string) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.call<T>(method, params, { retry: false });
    } catch (e) {
      const delay = Math.min(5_000, 250 * 2 ** (attempt - 1));
      if (!(e instanceof RpcError) || e.kind !== 'warmup' || Date.now() + delay > deadline) throw e;
      onRetry?.(attempt, delay, e.message);
      await sleep(delay);
    }
  }
}

interface AddressInfo {
  isvalid?: boolean;
  ismine?: boolean;
}

/** Whether the chain's wallet holds the key of `address` (validateaddress, or getaddressinfo where komodod's cousins moved it). */
export async function walletHasKey(
  client: RpcClient,
  chain: ChainModel,
  address: string,
  deadline: number,
  onRetry?: (attempt: number, delayMs: number, message: string) => void,
): Promise<boolean> {
  const method =
    chain.kind === 'coin' && GETADDRESSINFO_COINS.has(chain.coin.symbol)
      ? 'getaddressinfo'
      : 'validateaddress';
  const info = await callReady<AddressInfo>(client, method, [address], deadline, onRetry);
  if (method === 'validateaddress' && info?.isvalid === false) {
    throw new DokomodoError(
      'address-invalid',
      `${chain.name}: the daemon says the notary address ${address} is not valid on this chain`,
      {
        hint: `the chain's address versions differ from ${chain.coin.symbol}'s; check \`coin:\` of ${chain.name} in the platform file`,
      },
    );
  }
  return info?.ismine === true;
}

const HINTS: Record<string, string> = {
  'rpc-transport': 'is the chain running? `dokomodo start CHAIN`, then run `dokomodo keys import` again',
  'rpc-warmup':
    'the daemon is still loading; run `dokomodo keys import` again when `dokomodo status` says running',
  'rpc-auth': 'the conf file has other credentials than the ones derived from the platform secret',
  'rpc-timeout': 'the daemon did not answer in time; run `dokomodo keys import` again (it is idempotent)',
};

function importError(e: unknown): TargetError {
  const err = defaultTargetError(e);
  if (e instanceof RpcError && e.kind === 'rpc' && e.code === -13)
    err.hint = 'the wallet is encrypted and locked: unlock it with the daemon’s walletpassphrase first';
  if (err.hint === undefined && HINTS[err.code] !== undefined) err.hint = HINTS[err.code];
  err.message = redact(err.message);
  return err;
}

/** Imports the notary key into each chain's wallet (no rescan); one result per chain. */
export async function importKeys(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: KeyImportOptions,
): Promise<TargetResult<ImportResult>[]> {
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const warmupMs = opts.warmupMs ?? 60_000;
  return fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      const key = opts.keys.byChain.get(name)!;
      const client = rt.clients.chain(chain, { timeoutMs, retry: false });
      const deadline = rt.clock.now() + warmupMs;
      const onRetry = (method: string) => (attempt: number, delayMs: number, message: string) =>
        opts.onEvent?.({ type: 'retry', chain: name, method, attempt, delayMs, message });
      try {
        if (await walletHasKey(client, chain, key.address, deadline, onRetry('validateaddress')))
          return { state: 'already', address: key.address };
        opts.onEvent?.({ type: 'importing', chain: name, address: key.address });
        // No rescan: the notary address only needs to be the wallet's; a rescan takes hours on KMD.
        const got = await callReady<unknown>(
          client,
          'importprivkey',
          [key.wif, '', false],
          deadline,
          onRetry('importprivkey'),
        );
        if (typeof got === 'string' && got !== '' && got !== key.address) {
          throw new DokomodoError(
            'import-wrong-address',
            `${name}: the daemon imported the key as ${got}, expected ${key.address}`,
            { hint: `the chain's address versions differ from ${chain.coin.symbol}'s` },
          );
        }
        if (!(await walletHasKey(client, chain, key.address, deadline, onRetry('validateaddress')))) {
          throw new DokomodoError(
            'import-not-confirmed',
            `${name}: importprivkey answered, but validateaddress still says the key is not the wallet's`,
            { hint: 'look at the daemon’s debug.log; a watch-only or locked wallet can cause this' },
          );
        }
        return { state: 'imported', address: key.address };
      } finally {
        await client.close();
      }
    },
    {
      concurrency: opts.concurrency ?? 16,
      toError: importError,
      ...(opts.onResult ? { onResult: opts.onResult } : {}),
    },
  );
}
