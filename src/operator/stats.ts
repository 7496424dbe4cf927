/**
 * Notarization statistics per chain, from the notary's own wallet as the operators' stats screens
 * do (reference §12.1): notarizations are `listtransactions` entries whose address is the chain's
 * notarization address (the P2PKH form of the crypto777 pubkey in the chain's address version)
 * with category `send`. Plus the notarization UTXOs (Iguana's rule, see utxo.ts), the balance and
 * how long it lasts at the current rate, and the wallet's size.
 *
 * Cost of one notarization: what the wallet paid into it. A notarization entry's `amount` is
 * minus the whole crypto777 output and its `fee` is positive because the wallet paid only one of
 * the inputs (§12.1), so per transaction the wallet's own input is `-(Σ amount) - fee` — the
 * notarization UTXO, 0.0001 on most chains. The split that made that UTXO costs a little more: the
 * §11.4 fee of one P2PK output (44 bytes at 3.5 sat/byte) is added per notarization.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { addressFromPubkey } from '../komodo/keys.ts';
import type { ChainModel } from '../platform/model.ts';
import { localChain } from './daemon/local.ts';
import { fanout } from './fanout.ts';
import type { Runtime } from './runtime.ts';
import { DEFAULT_FEE_RATE, type Rpc, scanUtxos, summarize, toSats } from './utxo.ts';

/** The fixed "crypto777" pubkey every notarization pays (reference §11.2). */
export const CRYPTO777_PUBKEY = '020e46e79a2a8d12b9b5d12c7a91adb4e454edfae43c0a0cb805427d2ac7613fd9';

/** A chain's notarization address: RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA for every Komodo-family chain. */
export function notarizationAddress(chain: ChainModel): string {
  return addressFromPubkey(Buffer.from(CRYPTO777_PUBKEY, 'hex'), chain.coin.pubtype);
}

/** Wallet entries read per `listtransactions` call, and at most this many calls per chain. */
const PAGE = 1000;
const MAX_PAGES = 20;
/** Split fee share of one notarization UTXO (one P2PK output of §11.4's formula). */
const SPLIT_FEE_PER_UTXO = Math.ceil(44 * DEFAULT_FEE_RATE);

export interface ChainStats {
  chain: string;
  /** `ok`, or `error` with `message`. */
  state: 'ok' | 'error';
  address: string | null;
  windowSeconds: number;
  /** The notary's notarizations within the window. */
  notarizations: number | null;
  /** Notarizations per day at the window's rate. */
  perDay: number | null;
  /** The notary's newest notarization (any time within the scanned history). */
  last: { txid: string; height: number | null; time: number; ageSeconds: number } | null;
  /** The chain's last notarized height (`getinfo.notarized`), whoever signed it. */
  notarized: number | null;
  blocks: number | null;
  /** Notarization UTXOs usable by Iguana, and pending ones (a split in the mempool). */
  utxos: number | null;
  pendingUtxos: number | null;
  /** Confirmed balance in coins. */
  balance: number | null;
  /** Wallet spend per notarization in satoshis (measured, plus the split fee share). */
  costSats: number | null;
  /** Days the balance lasts at the window's rate; null when there is no rate. */
  daysLeft: number | null;
  /** Bytes of `wallet.dat` when the data directory is on this machine. */
  walletBytes: number | null;
  /** Wallet transaction count (`getwalletinfo`). */
  walletTxs: number | null;
  message: string | null;
}

interface TxEntry {
  address?: string;
  category?: string;
  amount?: number;
  fee?: number;
  txid?: string;
  time?: number;
  rawconfirmations?: number;
  confirmations?: number;
}

export interface StatsOptions {
  pubkey: string | undefined;
  windowSeconds: number;
  /** Local data directory of the chain, when it is on this machine (for wallet.dat). */
  datadir?: string;
  now?: () => number;
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

/**
 * The wallet's entries newest first, page by page, until the window is covered and the newest
 * notarization is found (or the wallet or the page budget ends).
 */
async function walletEntries(
  rpc: Rpc,
  address: string,
  since: number,
): Promise<{ entries: TxEntry[]; complete: boolean }> {
  const entries: TxEntry[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const got = await rpc.call<TxEntry[]>('listtransactions', ['*', PAGE, page * PAGE]);
    if (!Array.isArray(got)) break;
    entries.push(...got);
    if (got.length < PAGE) return { entries, complete: true };
    const oldest = Math.min(...got.map((e) => e.time ?? Number.POSITIVE_INFINITY));
    const haveNotarization = entries.some((e) => e.address === address);
    if (oldest < since && haveNotarization) return { entries, complete: true };
  }
  return { entries, complete: false };
}

export async function chainStats(rpc: Rpc, chain: ChainModel, opts: StatsOptions): Promise<ChainStats> {
  const now = (opts.now ?? Date.now)() / 1000;
  const since = now - opts.windowSeconds;
  const address = notarizationAddress(chain);
  type Info = { blocks?: number; balance?: number; notarized?: number };
  const info: Info = await rpc.call<Info>('getinfo').catch(async (e): Promise<Info> => {
    // third-party daemons without getinfo
    if ((e as { code?: unknown }).code !== -32601) throw e;
    const [blocks, balance] = await Promise.all([
      rpc.call<number>('getblockcount'),
      rpc.call<number>('getbalance'),
    ]);
    return { blocks, balance };
  });
  const { entries } = await walletEntries(rpc, address, since);
  const byTx = new Map<string, { time: number; spent: number; confs: number | null }>();
  let fees = 0;
  for (const e of entries) {
    if (e.address !== address || e.category !== 'send' || typeof e.txid !== 'string') continue;
    const t = byTx.get(e.txid) ?? {
      time: e.time ?? 0,
      spent: 0,
      confs: typeof e.rawconfirmations === 'number' ? e.rawconfirmations : (e.confirmations ?? null),
    };
    t.spent += -(e.amount ?? 0);
    byTx.set(e.txid, t);
  }
  // The fee is per transaction, repeated on each of its send entries: count it once.
  const seenFee = new Set<string>();
  for (const e of entries) {
    if (e.category !== 'send' || typeof e.txid !== 'string' || !byTx.has(e.txid) || seenFee.has(e.txid))
      continue;
    seenFee.add(e.txid);
    fees += e.fee ?? 0;
  }
  let count = 0;
  let spentSats = 0;
  let last: ChainStats['last'] = null;
  let lastConfs: number | null = null;
  for (const [txid, t] of byTx) {
    if (t.time >= since) count++;
    spentSats += toSats(t.spent);
    // same second: the one with fewer confirmations is the newer
    const newer =
      !last ||
      t.time > last.time ||
      (t.time === last.time && t.confs !== null && (lastConfs === null || t.confs < lastConfs));
    if (newer) {
      lastConfs = t.confs;
      const height =
        typeof info.blocks === 'number' && t.confs !== null && t.confs > 0 ? info.blocks - t.confs + 1 : null;
      last = { txid, height, time: t.time, ageSeconds: Math.max(0, Math.round(now - t.time)) };
    }
  }
  // wallet input per notarization = Σ(-amount) - fee
  const measured = byTx.size > 0 ? Math.round((spentSats - toSats(fees)) / byTx.size) : null;
  const costSats =
    measured !== null && measured > 0
      ? measured + SPLIT_FEE_PER_UTXO
      : chain.notarization.utxoValue + SPLIT_FEE_PER_UTXO;
  const perDay = count / (opts.windowSeconds / 86400);
  const balance = typeof info.balance === 'number' ? info.balance : null;
  const daysLeft =
    balance !== null && perDay > 0 ? Math.round((toSats(balance) / (perDay * costSats)) * 10) / 10 : null;

  let utxos: number | null = null;
  let pendingUtxos: number | null = null;
  try {
    const s = summarize(chain, await scanUtxos(rpc, chain, opts.pubkey));
    utxos = s.usable;
    pendingUtxos = s.pending;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'no-notary-pubkey') throw e;
  }
  let walletTxs: number | null = null;
  try {
    const w = await rpc.call<{ txcount?: number }>('getwalletinfo');
    walletTxs = typeof w?.txcount === 'number' ? w.txcount : null;
  } catch {
    walletTxs = null;
  }
  return {
    chain: chain.name,
    state: 'ok',
    address,
    windowSeconds: opts.windowSeconds,
    notarizations: count,
    perDay: Math.round(perDay * 10) / 10,
    last,
    notarized: typeof info.notarized === 'number' ? info.notarized : null,
    blocks: typeof info.blocks === 'number' ? info.blocks : null,
    utxos,
    pendingUtxos,
    balance,
    costSats,
    daysLeft,
    walletBytes: opts.datadir !== undefined ? fileSize(join(opts.datadir, 'wallet.dat')) : null,
    walletTxs,
    message: utxos === null ? 'no notary pubkey: set defaults.pubkey to count UTXOs' : null,
  };
}

export function errorStats(chain: ChainModel, windowSeconds: number, message: string): ChainStats {
  return {
    chain: chain.name,
    state: 'error',
    address: null,
    windowSeconds,
    notarizations: null,
    perDay: null,
    last: null,
    notarized: null,
    blocks: null,
    utxos: null,
    pendingUtxos: null,
    balance: null,
    costSats: null,
    daysLeft: null,
    walletBytes: null,
    walletTxs: null,
    message,
  };
}

/** `stats` of every chain, each where it runs; a chain that fails gets a row saying why. */
export async function statsAll(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: { windowSeconds: number; datadir?: string | undefined },
): Promise<ChainStats[]> {
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  const results = await fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      const client = rt.clients.chain(chain, { timeoutMs: 30_000, retry: false });
      // The wallet file's size is read where it is: chains of this machine.
      const here = rt.hostOf(chain.host)?.local ?? true;
      const { datadir } = opts;
      try {
        return await chainStats(client, chain, {
          pubkey: rt.platform.defaults.pubkey,
          windowSeconds: opts.windowSeconds,
          ...(here ? { datadir: localChain(chain, datadir === undefined ? {} : { datadir }).datadir } : {}),
        });
      } finally {
        await client.close();
      }
    },
    { concurrency: 32 },
  );
  return results.map(
    (r) => r.result ?? errorStats(byName.get(r.target)!, opts.windowSeconds, r.error!.message),
  );
}
