/**
 * Notarization UTXOs (reference §7, §9, §11): count them by Iguana's own rule, split a chain's
 * funds into new ones, and consolidate everything else into one output.
 *
 * Counting (`dpow_haveutxo`, §11.1): an entry of `listunspent 1 99999999 [<notary address>]` is a
 * notarization UTXO when its amount is exactly the chain's `utxoValue`, its script is exactly
 * `21<pubkey>ac` and `spendable` is not false. `listunspent` shows P2PK outputs under the
 * pubkey's P2PKH address, so the address alone cannot tell them apart: we count by value and script.
 *
 * The notary pubkey is `defaults.pubkey` of the platform file (what every daemon gets as
 * `-pubkey`), else the `pubkey` the daemon reports in `getinfo` (it was started with `-pubkey`).
 * The passphrase is never needed: the daemon's wallet signs, so the key must be imported.
 *
 * Splitting and consolidating build transactions with the daemon (§11.4 way 3):
 * `createrawtransaction` with script-hex keys gives the chain's own envelope (version, version
 * group, expiry); because komodod refuses a repeated destination, the n identical P2PK outputs are
 * written into that envelope here, then `signrawtransaction` signs and `sendrawtransaction`
 * broadcasts. Fee: the size formula of §11.4, `(inputs × 150 + outputs × 44 + 30) bytes` at
 * 3.5 sat/byte (`-minrelaytxfee=0.000035` as notaries run KMD) — 0.00008484 for 50 outputs, where
 * Iguana's `txfee + n × txfee/10` would charge 0.0006.
 *
 * Crash safety: every signed transaction is written to a journal (atomic, mode 0600) **before** it
 * is sent, and a run first resolves the journal of an earlier run: a transaction already in the
 * mempool or a block is done; otherwise the same signed bytes are sent again (the daemon answers
 * with the txid when it already has them); if its inputs were spent by another transaction, or it
 * expired, it can never land and is discarded. Any rebuilt transaction would spend the same
 * inputs, so at most one of them can ever be mined: no double spend, and the change output is
 * part of whichever lands.
 */
import { writeFileAtomic } from '../core/atomic.ts';
import { expandUserPath, makeDirs, pidAlive } from '../core/local.ts';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { DokomodoError } from '../core/errors.ts';
import { addressFromPubkey, hash160 } from '../komodo/keys.ts';
import type { ChainModel } from '../platform/model.ts';
import { fanout, type TargetResult } from './fanout.ts';
import type { RpcClient } from './rpc/client.ts';
import type { Runtime } from './runtime.ts';

/** The part of an RPC client this module uses (an RpcClient, or a fake in tests). */
export interface Rpc {
  call<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
}

/** Iguana's limit: the output count is written as one byte (nntools caps at 252). */
export const MAX_SPLIT_OUTPUTS = 252;
/** nntools `consolidateUTXOs` merges at most this many inputs per transaction. */
export const MAX_CONSOLIDATE_INPUTS = 399;
/** 0.000035 KMD/kB, the relay fee notaries run KMD with (§14 start KMD). */
export const DEFAULT_FEE_RATE = 3.5;
/** Change below this goes to the fee: an output worth less than it costs to spend. */
export const DUST_SATS = 1000;

const COIN = 100_000_000;

export const toSats = (amount: number): number => Math.round(amount * COIN);
export const coins = (sats: number): string => (sats / COIN).toFixed(8);

/** §11.4 size estimate in bytes. */
export function estimateSize(inputs: number, outputs: number): number {
  return inputs * 150 + outputs * 44 + 30;
}

export function feeFor(inputs: number, outputs: number, rate = DEFAULT_FEE_RATE): number {
  return Math.ceil(estimateSize(inputs, outputs) * rate);
}

export function p2pkScriptHex(pubkey: string): string {
  return `21${pubkey.toLowerCase()}ac`;
}

export function p2pkhScriptHex(pubkey: string): string {
  return `76a914${Buffer.from(hash160(Buffer.from(pubkey, 'hex'))).toString('hex')}88ac`;
}

// ---- listunspent ---------------------------------------------------------------------------

/** One `listunspent` entry, as komodod prints it (§13.5). */
export interface Unspent {
  txid: string;
  vout: number;
  address?: string;
  amount: number;
  scriptPubKey: string;
  confirmations: number;
  rawconfirmations?: number;
  generated?: boolean;
  spendable?: boolean;
  /** KMD only: interest the output has earned. */
  interest?: number;
}

export type UtxoKind =
  /** Usable by Iguana: exact value, `21<pubkey>ac`, spendable. */
  | 'notarization'
  /** A P2PKH output of the notary address that is not a coinbase: what a split is funded from. */
  | 'funding'
  /** Everything else of the address: mined (coinbase) outputs, P2PK outputs of other values. */
  | 'other'
  /** `spendable: false`, or not the notary's scripts. */
  | 'unusable';

export interface NotaryScripts {
  pubkey: string;
  address: string;
  p2pk: string;
  p2pkh: string;
}

export function notaryScripts(chain: ChainModel, pubkey: string): NotaryScripts {
  const pk = pubkey.toLowerCase();
  return {
    pubkey: pk,
    address: addressFromPubkey(Buffer.from(pk, 'hex'), chain.coin.pubtype),
    p2pk: p2pkScriptHex(pk),
    p2pkh: p2pkhScriptHex(pk),
  };
}

/** Iguana's rule (`dpow_haveutxo`), confirmations aside. */
export function isNotarizationUtxo(u: Unspent, scripts: NotaryScripts, utxoValue: number): boolean {
  return (
    u.spendable !== false && toSats(u.amount) === utxoValue && u.scriptPubKey.toLowerCase() === scripts.p2pk
  );
}

export function classifyUtxo(u: Unspent, scripts: NotaryScripts, utxoValue: number): UtxoKind {
  if (u.spendable === false) return 'unusable';
  const script = u.scriptPubKey.toLowerCase();
  if (script === scripts.p2pk && toSats(u.amount) === utxoValue) return 'notarization';
  if (script === scripts.p2pkh && !u.generated) return 'funding';
  if (script === scripts.p2pkh || script === scripts.p2pk) return 'other';
  return 'unusable';
}

// ---- status --------------------------------------------------------------------------------

export interface UtxoStatus {
  chain: string;
  enabled: boolean;
  pubkey: string;
  /** Where the pubkey came from: the platform file's `defaults.pubkey`, or the daemon's `getinfo`. */
  pubkeySource: 'platform' | 'daemon';
  address: string;
  /** Notarization UTXO size in satoshis. */
  utxoValue: number;
  /** Notarization UTXOs with ≥ 1 confirmation: what Iguana can use now. */
  usable: number;
  /** Notarization UTXOs still in the mempool (a split not mined yet); counted against the threshold. */
  pending: number;
  /** P2PKH outputs of exactly the notarization value: counted by amount-only tools, unusable by Iguana. */
  lookalikes: number;
  /** Confirmed non-coinbase P2PKH outputs: what a split can be funded from. */
  funding: { count: number; sats: number };
  /** Other confirmed outputs of the address (mined coinbase, other P2PK values); consolidate turns them into funding. */
  other: { count: number; sats: number };
  threshold: number;
  target: number;
  /** usable + pending < threshold (and notarization enabled). */
  splitDue: boolean;
}

export interface Scan {
  scripts: NotaryScripts;
  pubkeySource: 'platform' | 'daemon';
  /** Every entry of `listunspent 0 99999999 [address]`. */
  entries: Unspent[];
}

/** The notary pubkey: the platform's, else the daemon's `-pubkey`. */
export async function notaryPubkey(
  rpc: Rpc,
  chain: ChainModel,
  platformPubkey: string | undefined,
): Promise<{ pubkey: string; source: 'platform' | 'daemon' }> {
  if (platformPubkey) return { pubkey: platformPubkey.toLowerCase(), source: 'platform' };
  let info: { pubkey?: unknown } | undefined;
  try {
    info = await rpc.call<{ pubkey?: unknown }>('getinfo');
  } catch (e) {
    if ((e as { kind?: string }).kind === 'transport') throw e;
    info = undefined;
  }
  if (typeof info?.pubkey === 'string' && /^(02|03)[0-9a-f]{64}$/i.test(info.pubkey))
    return { pubkey: info.pubkey.toLowerCase(), source: 'daemon' };
  throw new DokomodoError('no-notary-pubkey', `${chain.name}: no notary pubkey`, {
    hint: 'set `defaults.pubkey` in the platform file (every daemon then runs with -pubkey)',
  });
}

export async function scanUtxos(
  rpc: Rpc,
  chain: ChainModel,
  platformPubkey: string | undefined,
): Promise<Scan> {
  const { pubkey, source } = await notaryPubkey(rpc, chain, platformPubkey);
  const scripts = notaryScripts(chain, pubkey);
  // minconf 0 so a split still in the mempool is seen; Iguana's own view is the ≥ 1 part.
  const entries = await rpc.call<Unspent[]>('listunspent', [0, 99999999, [scripts.address]]);
  if (!Array.isArray(entries))
    throw new DokomodoError('bad-reply', `${chain.name}: listunspent did not return a list`);
  return { scripts, pubkeySource: source, entries };
}

export function summarize(chain: ChainModel, scan: Scan): UtxoStatus {
  const n = chain.notarization;
  let usable = 0;
  let pending = 0;
  let lookalikes = 0;
  const funding = { count: 0, sats: 0 };
  const other = { count: 0, sats: 0 };
  for (const u of scan.entries) {
    const kind = classifyUtxo(u, scan.scripts, n.utxoValue);
    const confirmed = u.confirmations >= 1;
    if (kind === 'notarization') {
      if (confirmed) usable++;
      else pending++;
      continue;
    }
    if (!confirmed) continue;
    if (kind === 'funding') {
      funding.count++;
      funding.sats += toSats(u.amount);
      if (toSats(u.amount) === n.utxoValue) lookalikes++;
    } else if (kind === 'other') {
      other.count++;
      other.sats += toSats(u.amount);
    }
  }
  return {
    chain: chain.name,
    enabled: n.enabled,
    pubkey: scan.scripts.pubkey,
    pubkeySource: scan.pubkeySource,
    address: scan.scripts.address,
    utxoValue: n.utxoValue,
    usable,
    pending,
    lookalikes,
    funding,
    other,
    threshold: n.splitThreshold,
    target: n.splitTarget,
    splitDue: n.enabled && usable + pending < n.splitThreshold,
  };
}

export async function utxoStatus(
  rpc: Rpc,
  chain: ChainModel,
  platformPubkey: string | undefined,
): Promise<UtxoStatus> {
  return summarize(chain, await scanUtxos(rpc, chain, platformPubkey));
}

// ---- plans ---------------------------------------------------------------------------------

export interface PlanInput {
  txid: string;
  vout: number;
  sats: number;
  /** `p2pkh`, `p2pk`, with `coinbase` for mined outputs. */
  script: 'p2pkh' | 'p2pk';
  coinbase: boolean;
  interestSats: number;
}

export interface PlanOutput {
  /** `notarization`: n × P2PK of utxoValue; `change`/`self`: one P2PKH output to the notary address. */
  role: 'notarization' | 'change' | 'self';
  count: number;
  /** Value of each output, satoshis. */
  sats: number;
  script: string;
  address: string;
}

export interface PlannedTx {
  inputs: PlanInput[];
  outputs: PlanOutput[];
  feeSats: number;
  /** §11.4 estimate the fee was computed from. */
  sizeEstimate: number;
  /** nLockTime (KMD: set so the inputs' interest can be claimed; else 0). */
  locktime: number;
  /** Known once signed. */
  txid?: string;
}

function planInput(u: Unspent, scripts: NotaryScripts): PlanInput {
  return {
    txid: u.txid,
    vout: u.vout,
    sats: toSats(u.amount),
    script: u.scriptPubKey.toLowerCase() === scripts.p2pk ? 'p2pk' : 'p2pkh',
    coinbase: u.generated === true,
    interestSats: toSats(u.interest ?? 0),
  };
}

/** KMD interest is claimed only by a transaction with nLockTime near now (§11.5, nntools sendRaw). */
function locktimeFor(chain: ChainModel, inputs: readonly PlanInput[], now: number): number {
  return chain.kind === 'kmd' && inputs.some((i) => i.interestSats > 0) ? Math.floor(now / 1000) - 777 : 0;
}

export interface PlanOptions {
  feeRate?: number;
  now?: number;
}

/** How many notarization UTXOs a split adds: up to the target, at most 252. */
export function splitCount(status: UtxoStatus): number {
  return Math.max(0, Math.min(MAX_SPLIT_OUTPUTS, status.target - status.usable - status.pending));
}

/**
 * One split transaction: `n` P2PK outputs of `utxoValue` plus change to the P2PKH address, funded
 * by the smallest confirmed non-coinbase P2PKH output that covers it (nntools), else by the
 * fewest, largest ones. Throws `insufficient-funds` with what is needed and what there is.
 */
export function planSplit(
  chain: ChainModel,
  scan: Scan,
  status: UtxoStatus,
  opts: PlanOptions = {},
): PlannedTx {
  const rate = opts.feeRate ?? DEFAULT_FEE_RATE;
  const n = splitCount(status);
  const u = chain.notarization.utxoValue;
  const funding = scan.entries
    .filter((e) => e.confirmations >= 1 && classifyUtxo(e, scan.scripts, u) === 'funding')
    .map((e) => planInput(e, scan.scripts));
  // n notarization outputs plus change
  const need = (inputs: number) => n * u + feeFor(inputs, n + 1, rate);
  const ascending = [...funding].sort((a, b) => a.sats - b.sats || a.txid.localeCompare(b.txid));
  let chosen: PlanInput[] | undefined;
  const single = ascending.find((i) => i.sats + i.interestSats >= need(1));
  if (single) chosen = [single];
  else {
    const picked: PlanInput[] = [];
    let sum = 0;
    for (const i of [...ascending].reverse()) {
      picked.push(i);
      sum += i.sats + i.interestSats;
      if (sum >= need(picked.length)) {
        chosen = picked;
        break;
      }
    }
  }
  if (!chosen) {
    const available = funding.reduce((s, i) => s + i.sats + i.interestSats, 0);
    const needed = need(Math.max(1, funding.length));
    const more =
      status.other.sats > 0 ? `; ${coins(status.other.sats)} more sits in mined or other outputs` : '';
    throw new DokomodoError(
      'insufficient-funds',
      `${chain.name}: a split of ${n} × ${coins(u)} needs ${coins(needed)} (${coins(n * u)} + fee ${coins(needed - n * u)}) in confirmed P2PKH outputs of ${scan.scripts.address}; ${coins(available)} available in ${funding.length} output${funding.length === 1 ? '' : 's'}${more}`,
      {
        hint:
          status.other.sats > 0
            ? `run \`dokomodo utxo consolidate ${chain.name}\` to turn them into a P2PKH output, or send at least ${coins(needed - available)} to ${scan.scripts.address}`
            : `send at least ${coins(needed - available)} to ${scan.scripts.address} (a P2PKH payment, e.g. sendtoaddress) and wait for a confirmation`,
      },
    );
  }
  const inSum = chosen.reduce((s, i) => s + i.sats + i.interestSats, 0);
  let fee = feeFor(chosen.length, n + 1, rate);
  let change = inSum - n * u - fee;
  const outputs: PlanOutput[] = [
    { role: 'notarization', count: n, sats: u, script: scan.scripts.p2pk, address: scan.scripts.address },
  ];
  if (change >= DUST_SATS)
    outputs.push({
      role: 'change',
      count: 1,
      sats: change,
      script: scan.scripts.p2pkh,
      address: scan.scripts.address,
    });
  else {
    fee += change;
    change = 0;
  }
  return {
    inputs: chosen,
    outputs,
    feeSats: fee,
    sizeEstimate: estimateSize(chosen.length, n + (change > 0 ? 1 : 0)),
    locktime: locktimeFor(chain, chosen, opts.now ?? Date.now()),
  };
}

export interface ConsolidateOptions extends PlanOptions {
  maxInputs?: number;
}

/**
 * Consolidation (nntools `consolidateUTXOs`, §11.5): every confirmed output of the notary address
 * except the notarization UTXOs — P2PKH outputs and mined P2PK coinbase alike — largest first, in
 * chunks of at most 399 inputs, each into one P2PKH output to self. A lone P2PKH output needs no
 * merging; a chunk whose output would not cover its fee is left alone.
 */
export function planConsolidate(chain: ChainModel, scan: Scan, opts: ConsolidateOptions = {}): PlannedTx[] {
  const rate = opts.feeRate ?? DEFAULT_FEE_RATE;
  const max = Math.max(1, Math.min(opts.maxInputs ?? MAX_CONSOLIDATE_INPUTS, MAX_CONSOLIDATE_INPUTS));
  const u = chain.notarization.utxoValue;
  const candidates = scan.entries
    .filter((e) => {
      if (e.confirmations < 1) return false;
      const k = classifyUtxo(e, scan.scripts, u);
      return k === 'funding' || k === 'other';
    })
    .map((e) => planInput(e, scan.scripts))
    .sort((a, b) => b.sats - a.sats || a.txid.localeCompare(b.txid) || a.vout - b.vout);
  const txs: PlannedTx[] = [];
  for (let i = 0; i < candidates.length; i += max) {
    const chunk = candidates.slice(i, i + max);
    if (chunk.length === 1 && chunk[0]!.script === 'p2pkh' && chunk[0]!.interestSats === 0) continue;
    const fee = feeFor(chunk.length, 1, rate);
    const value = chunk.reduce((s, x) => s + x.sats + x.interestSats, 0) - fee;
    if (value < DUST_SATS) continue;
    txs.push({
      inputs: chunk,
      outputs: [
        { role: 'self', count: 1, sats: value, script: scan.scripts.p2pkh, address: scan.scripts.address },
      ],
      feeSats: fee,
      sizeEstimate: estimateSize(chunk.length, 1),
      locktime: locktimeFor(chain, chunk, opts.now ?? Date.now()),
    });
  }
  return txs;
}

// ---- raw transactions ----------------------------------------------------------------------

interface RawTx {
  /** Bytes before the input count (version, version group). */
  head: Uint8Array;
  inputs: { txid: string; vout: number }[];
  /** Bytes of the input section (count included). */
  inputBytes: Uint8Array;
  outputs: { sats: number; script: string }[];
  /** Bytes after the outputs (locktime, expiry, sapling tail), kept verbatim. */
  tail: Uint8Array;
}

function readVarint(b: Uint8Array, o: number): [number, number] {
  const first = b[o];
  if (first === undefined) throw new Error('truncated transaction');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (first < 0xfd) return [first, o + 1];
  if (first === 0xfd) return [dv.getUint16(o + 1, true), o + 3];
  if (first === 0xfe) return [dv.getUint32(o + 1, true), o + 5];
  return [Number(dv.getBigUint64(o + 1, true)), o + 9];
}

function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  const b = new Uint8Array(5);
  b[0] = 0xfe;
  new DataView(b.buffer).setUint32(1, n, true);
  return b;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** Parses the parts of a transaction this module touches (v1–v4, no segwit marker). */
export function parseRawTx(txHex: string): RawTx {
  const b = unhex(txHex);
  if (b.length < 10 || hex(b) !== txHex.toLowerCase()) throw new Error('not a transaction');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const header = dv.getUint32(0, true);
  let o = header >>> 31 ? 8 : 4;
  const head = b.slice(0, o);
  const inStart = o;
  let n: number;
  [n, o] = readVarint(b, o);
  if (n === 0) throw new Error('a transaction without inputs (or a segwit marker) is not supported');
  const inputs: RawTx['inputs'] = [];
  for (let i = 0; i < n; i++) {
    const txid = hex(b.slice(o, o + 32).reverse());
    const vout = dv.getUint32(o + 32, true);
    let len: number;
    [len, o] = readVarint(b, o + 36);
    o += len + 4;
    inputs.push({ txid, vout });
  }
  const inputBytes = b.slice(inStart, o);
  const outputs: RawTx['outputs'] = [];
  [n, o] = readVarint(b, o);
  for (let i = 0; i < n; i++) {
    const sats = Number(dv.getBigInt64(o, true));
    let len: number;
    [len, o] = readVarint(b, o + 8);
    outputs.push({ sats, script: hex(b.slice(o, o + len)) });
    o += len;
  }
  if (o > b.length) throw new Error('truncated transaction');
  return { head, inputs, inputBytes, outputs, tail: b.slice(o) };
}

/** The transaction with its outputs replaced. */
export function withOutputs(tx: RawTx, outputs: readonly { sats: number; script: string }[]): string {
  const parts: Uint8Array[] = [tx.head, tx.inputBytes, varint(outputs.length)];
  for (const out of outputs) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, BigInt(out.sats), true);
    const s = unhex(out.script);
    parts.push(v, varint(s.length), s);
  }
  parts.push(tx.tail);
  return Buffer.concat(parts).toString('hex');
}

/** txid: byte-reversed double SHA-256 of the serialisation. */
export function txidOfHex(txHex: string): string {
  return hex(sha256(sha256(unhex(txHex))).reverse());
}

function expandOutputs(plan: PlannedTx): { sats: number; script: string }[] {
  const out: { sats: number; script: string }[] = [];
  for (const o of plan.outputs)
    for (let i = 0; i < o.count; i++) out.push({ sats: o.sats, script: o.script });
  return out;
}

/** Sign with the wallet; AYA, CHIPS and LTC only know `signrawtransactionwithwallet` (§9). */
async function signWithWallet(
  rpc: Rpc,
  txHex: string,
): Promise<{ hex: string; complete: boolean; errors?: unknown }> {
  try {
    return await rpc.call('signrawtransaction', [txHex]);
  } catch (e) {
    if ((e as { code?: unknown }).code !== -32601) throw e;
    return rpc.call('signrawtransactionwithwallet', [txHex]);
  }
}

/**
 * Builds and signs a planned transaction with the daemon, and checks the signed bytes spend
 * exactly the planned inputs into exactly the planned outputs before anyone can send them.
 */
export async function buildAndSign(rpc: Rpc, chain: ChainModel, plan: PlannedTx): Promise<SignedTx> {
  const ins = plan.inputs.map((i) => ({ txid: i.txid, vout: i.vout }));
  const dests: Record<string, number> = {};
  for (const o of plan.outputs) dests[o.role === 'notarization' ? o.script : o.address] = o.sats / COIN;
  const params: unknown[] = [ins, dests];
  if (plan.locktime) params.push(plan.locktime);
  const unsigned = await rpc.call<string>('createrawtransaction', params);
  const skeleton = parseRawTx(unsigned);
  // The daemon encoded one output per destination: our scripts must be the ones it would write.
  const wanted = new Set(plan.outputs.map((o) => `${o.script}:${o.sats}`));
  const got = new Set(skeleton.outputs.map((o) => `${o.script}:${o.sats}`));
  if (wanted.size !== got.size || [...wanted].some((w) => !got.has(w)))
    throw new DokomodoError(
      'tx-mismatch',
      `${chain.name}: createrawtransaction wrote other outputs than planned`,
      {
        hint: 'this is a bug or an unexpected daemon; nothing was sent',
      },
    );
  const outputs = expandOutputs(plan);
  const signed = await signWithWallet(rpc, withOutputs(skeleton, outputs));
  if (!signed || typeof signed.hex !== 'string' || signed.complete !== true) {
    const detail = JSON.stringify(signed?.errors ?? []).slice(0, 300);
    throw new DokomodoError(
      'sign-incomplete',
      `${chain.name}: the daemon could not sign every input ${detail}`,
      {
        hint: 'import the notary key into this daemon (`importprivkey <WIF> "" false`) and check `validateaddress` says ismine',
      },
    );
  }
  const check = parseRawTx(signed.hex);
  const sameIns =
    check.inputs.length === ins.length &&
    check.inputs.every((x, i) => x.txid === ins[i]!.txid && x.vout === ins[i]!.vout);
  const sameOuts =
    check.outputs.length === outputs.length &&
    check.outputs.every((x, i) => x.sats === outputs[i]!.sats && x.script === outputs[i]!.script);
  if (!sameIns || !sameOuts)
    throw new DokomodoError('tx-mismatch', `${chain.name}: the signed transaction differs from the plan`, {
      hint: 'nothing was sent',
    });
  return { txid: txidOfHex(signed.hex), hex: signed.hex, inputs: ins };
}

// ---- journal -------------------------------------------------------------------------------

export interface SignedTx {
  txid: string;
  hex: string;
  inputs: { txid: string; vout: number }[];
}

export interface JournalEntry extends SignedTx {
  /** `signed`: written, maybe sent; `sent`: the daemon accepted it. */
  state: 'signed' | 'sent';
}

export interface Journal {
  format: 'dokomodo-utxo-journal/1';
  chain: string;
  action: 'split' | 'consolidate';
  /** ISO time the transactions were signed. */
  created: string;
  txs: JournalEntry[];
}

const JOURNAL_HINT =
  'it holds the signed transactions of an interrupted run; inspect it, and move it away only if none of them can still land';

/**
 * A journal with a valid header can still hold entries that are not transactions we signed
 * (edited by hand, truncated by a disk error): each is checked before anything is sent, and the
 * first bad one stops the run, naming the file and the entry.
 */
function checkJournal(
  j: Omit<Partial<Journal>, 'txs'> & { txs: unknown[] },
  chain: string,
  file: string,
): Journal {
  const bad = (where: string, what: string) =>
    new DokomodoError('journal-bad-entry', `${file}: ${where} ${what}; nothing was sent`, {
      hint: JOURNAL_HINT,
    });
  if (j.chain !== chain) throw bad('the header', `names chain ${JSON.stringify(j.chain)}, not ${chain}`);
  if (j.action !== 'split' && j.action !== 'consolidate')
    throw bad('the header', `has action ${JSON.stringify(j.action)}, not split or consolidate`);
  const isHex = (v: unknown, len?: number): v is string =>
    typeof v === 'string' &&
    v.length > 0 &&
    v.length % 2 === 0 &&
    /^[0-9a-f]+$/i.test(v) &&
    (len === undefined || v.length === len);
  j.txs.forEach((t, i) => {
    const where = `entry ${i + 1} of ${j.txs.length} (txs[${i}])`;
    if (!t || typeof t !== 'object' || Array.isArray(t)) throw bad(where, 'is not an object');
    const e = t as Partial<JournalEntry>;
    if (!isHex(e.txid, 64)) throw bad(where, 'has no txid of 64 hex digits');
    if (!isHex(e.hex)) throw bad(where, `(${e.txid}) has no transaction hex`);
    if (txidOfHex(e.hex) !== e.txid.toLowerCase())
      throw bad(where, `(${e.txid}): its hex is another transaction (txid ${txidOfHex(e.hex)})`);
    if (e.state !== 'signed' && e.state !== 'sent')
      throw bad(where, `(${e.txid}) has state ${JSON.stringify(e.state)}, not signed or sent`);
    if (!Array.isArray(e.inputs) || e.inputs.length === 0) throw bad(where, `(${e.txid}) lists no inputs`);
    e.inputs.forEach((inp, k) => {
      const x = inp as Partial<{ txid: string; vout: number }> | null;
      if (!x || !isHex(x.txid, 64) || !Number.isSafeInteger(x.vout) || (x.vout as number) < 0)
        throw bad(where, `(${e.txid}): input ${k + 1} is not {txid: 64 hex digits, vout: a whole number}`);
    });
  });
  return j as Journal;
}

/** Where journals live and how they are written; one journal and one lock per chain. */
export interface JournalStore {
  path(chain: string): string;
  read(chain: string): Journal | undefined;
  write(journal: Journal): void;
  remove(chain: string): void;
  /** Takes the chain's lock (one run per chain at a time); returns the release function. */
  lock(chain: string): () => void;
}

export const DEFAULT_JOURNAL_DIR = '~/.dokomodo/utxo';

/** Journals as `<dir>/<chain>.journal.json` (0600, written atomically), locks as `<chain>.lock`. */
export function fileJournal(dir = DEFAULT_JOURNAL_DIR): JournalStore {
  const root = expandUserPath(dir);
  const path = (chain: string) => join(root, `${chain}.journal.json`);
  const ensureDir = () => makeDirs(root, 0o700);
  return {
    path,
    read(chain) {
      const file = path(chain);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        throw new DokomodoError('journal-unreadable', `${file} cannot be read (${code ?? String(e)})`, {
          hint: JOURNAL_HINT,
        });
      }
      let j: unknown;
      try {
        j = JSON.parse(text);
      } catch {
        j = undefined;
      }
      const o = j as Partial<Journal> | undefined;
      if (!o || typeof o !== 'object' || o.format !== 'dokomodo-utxo-journal/1' || !Array.isArray(o.txs)) {
        throw new DokomodoError('journal-unreadable', `${file} is not a dokomodo UTXO journal`, {
          hint: JOURNAL_HINT,
        });
      }
      return checkJournal(o as Omit<Partial<Journal>, 'txs'> & { txs: unknown[] }, chain, file);
    },
    write(journal) {
      ensureDir();
      const file = path(journal.chain);
      writeFileAtomic(file, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
    },
    remove(chain) {
      try {
        unlinkSync(path(chain));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    },
    lock(chain) {
      ensureDir();
      const file = join(root, `${chain}.lock`);
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const fd = openSync(file, 'wx', 0o600);
          writeSync(fd, String(process.pid));
          closeSync(fd);
          return () => {
            try {
              unlinkSync(file);
            } catch {
              // already gone
            }
          };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
          if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid))
            throw new DokomodoError(
              'utxo-busy',
              `${chain}: another dokomodo (pid ${pid}) is working on its UTXOs`,
              {
                hint: `wait for it to finish; remove ${file} only if that process is not dokomodo`,
              },
            );
          // the holder died (e.g. killed mid-run): its lock is stale
          unlinkSync(file);
        }
      }
      throw new DokomodoError('utxo-busy', `${chain}: could not take ${file}`);
    },
  };
}

export type ResolveOutcome = 'already-landed' | 'resent' | 'discarded';

export interface ResolvedTx {
  txid: string;
  outcome: ResolveOutcome;
  reason: string;
}

function rpcCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

function isTransport(e: unknown): boolean {
  const k = (e as { kind?: unknown }).kind;
  return k === 'transport' || k === 'timeout' || k === 'auth' || k === 'warmup' || k === 'http';
}

async function txKnown(rpc: Rpc, txid: string): Promise<boolean> {
  try {
    await rpc.call('getrawtransaction', [txid, 0]);
    return true;
  } catch (e) {
    if (isTransport(e)) throw e;
  }
  // Without txindex a mined transaction may be unknown to getrawtransaction; the wallet knows it.
  try {
    const w = await rpc.call<{ confirmations?: number }>('gettransaction', [txid]);
    return typeof w?.confirmations === 'number' && w.confirmations >= 0;
  } catch (e) {
    if (isTransport(e)) throw e;
    return false;
  }
}

async function inputsSpent(rpc: Rpc, inputs: readonly { txid: string; vout: number }[]): Promise<boolean> {
  for (const i of inputs) {
    const out = await rpc.call<unknown>('gettxout', [i.txid, i.vout, true]);
    if (out === null) return true;
  }
  return false;
}

/**
 * Resolves the journal of an interrupted run (see the module comment). Removes it when every
 * transaction is settled; throws, keeping it, when one cannot be settled safely.
 */
export async function resolveJournal(
  rpc: Rpc,
  chain: ChainModel,
  store: JournalStore,
): Promise<ResolvedTx[]> {
  const j = store.read(chain.name);
  if (!j) return [];
  const out: ResolvedTx[] = [];
  for (const t of j.txs) {
    if (await txKnown(rpc, t.txid)) {
      out.push({ txid: t.txid, outcome: 'already-landed', reason: 'in the mempool or a block' });
      continue;
    }
    try {
      await rpc.call<string>('sendrawtransaction', [t.hex]);
      out.push({ txid: t.txid, outcome: 'resent', reason: 'sent again from the journal' });
    } catch (e) {
      if (isTransport(e)) throw e;
      if (rpcCode(e) === -27) {
        out.push({ txid: t.txid, outcome: 'already-landed', reason: 'already in the block chain' });
        continue;
      }
      const message = (e as Error).message;
      if (await inputsSpent(rpc, t.inputs)) {
        out.push({
          txid: t.txid,
          outcome: 'discarded',
          reason: 'its inputs were spent by another transaction',
        });
        continue;
      }
      if (/expired/i.test(message)) {
        out.push({ txid: t.txid, outcome: 'discarded', reason: 'it expired before it was mined' });
        continue;
      }
      throw new DokomodoError(
        'journal-unresolved',
        `${chain.name}: the interrupted ${j.action} transaction ${t.txid} is refused (${message}) while its inputs are unspent`,
        {
          hint: `nothing new is sent until it is settled; if it never reached the network, move ${store.path(chain.name)} away and run again`,
        },
      );
    }
  }
  store.remove(chain.name);
  return out;
}

// ---- running -------------------------------------------------------------------------------

export type UtxoStep = 'signed' | 'journaled' | 'sent';

export interface UtxoRunOptions extends ConsolidateOptions {
  journal: JournalStore;
  /** `defaults.pubkey` of the platform file. */
  pubkey: string | undefined;
  dryRun?: boolean;
  /** Called after each step; a test hook to crash at a precise point. */
  onStep?: (step: UtxoStep, info: { chain: string; txid: string }) => void;
}

export interface SentTx extends PlannedTx {
  txid?: string;
  /** `planned` in a dry run. */
  state: 'planned' | 'sent';
}

export interface UtxoRunResult {
  chain: string;
  action: 'split' | 'consolidate';
  dryRun: boolean;
  before: UtxoStatus;
  /** What an interrupted earlier run left, and what became of it. */
  resolved: ResolvedTx[];
  txs: SentTx[];
  /** Why nothing was built, when nothing was. */
  skipped: string | null;
}

async function ensureMine(rpc: Rpc, chain: ChainModel, address: string): Promise<void> {
  let v: { ismine?: unknown };
  try {
    v = await rpc.call('validateaddress', [address]);
  } catch (e) {
    if (isTransport(e)) throw e;
    return;
  }
  if (v?.ismine === false)
    throw new DokomodoError(
      'key-not-imported',
      `${chain.name}: the wallet does not hold the key of ${address}`,
      {
        hint: 'import the notary key first (`dokomodo keys import`, or `importprivkey <WIF> "" false`)',
      },
    );
}

async function sendSigned(
  rpc: Rpc,
  chain: ChainModel,
  action: 'split' | 'consolidate',
  signed: SignedTx[],
  opts: UtxoRunOptions,
): Promise<void> {
  const journal: Journal = {
    format: 'dokomodo-utxo-journal/1',
    chain: chain.name,
    action,
    created: new Date(opts.now ?? Date.now()).toISOString(),
    txs: signed.map((s) => ({ ...s, state: 'signed' })),
  };
  opts.journal.write(journal);
  for (const s of signed) opts.onStep?.('journaled', { chain: chain.name, txid: s.txid });
  const rejected: string[] = [];
  for (const entry of journal.txs) {
    try {
      await rpc.call<string>('sendrawtransaction', [entry.hex]);
    } catch (e) {
      // Unknown outcome (the connection broke): the journal stays for the next run.
      if (isTransport(e)) throw e;
      if (rpcCode(e) !== -27) {
        // Refused on its first send: no node has it, so it can never land.
        rejected.push(`${entry.txid}: ${(e as Error).message}`);
        journal.txs = journal.txs.filter((t) => t !== entry);
        opts.journal.write(journal);
        continue;
      }
    }
    entry.state = 'sent';
    opts.journal.write(journal);
    opts.onStep?.('sent', { chain: chain.name, txid: entry.txid });
  }
  opts.journal.remove(chain.name);
  if (rejected.length)
    throw new DokomodoError('tx-rejected', `${chain.name}: the daemon refused ${rejected.join('; ')}`, {
      hint: 'nothing of it was spent; check the daemon’s log and the fee rate (--fee-rate)',
    });
}

async function run(
  rpc: Rpc,
  chain: ChainModel,
  action: 'split' | 'consolidate',
  opts: UtxoRunOptions,
): Promise<UtxoRunResult> {
  const release = opts.dryRun ? () => {} : opts.journal.lock(chain.name);
  try {
    const resolved = opts.dryRun ? [] : await resolveJournal(rpc, chain, opts.journal);
    const scan = await scanUtxos(rpc, chain, opts.pubkey);
    const before = summarize(chain, scan);
    const result: UtxoRunResult = {
      chain: chain.name,
      action,
      dryRun: opts.dryRun === true,
      before,
      resolved,
      txs: [],
      skipped: null,
    };
    if (opts.dryRun && opts.journal.read(chain.name)) {
      result.skipped = `an interrupted run left ${opts.journal.path(chain.name)}; a real run settles it first`;
      return result;
    }
    const now = opts.now ?? Date.now();
    let plans: PlannedTx[];
    if (action === 'split') {
      if (!before.enabled) result.skipped = 'notarization is disabled for this chain';
      else if (!before.splitDue)
        result.skipped = `not due: ${before.usable + before.pending} UTXOs${before.pending ? ` (${before.pending} pending)` : ''} ≥ threshold ${before.threshold}`;
      else if (splitCount(before) === 0) result.skipped = 'already at the target';
      if (result.skipped) return result;
      plans = [planSplit(chain, scan, before, { ...opts, now })];
    } else {
      plans = planConsolidate(chain, scan, { ...opts, now });
      if (plans.length === 0) {
        result.skipped = 'nothing to consolidate';
        return result;
      }
    }
    if (opts.dryRun) {
      result.txs = plans.map((p) => ({ ...p, state: 'planned' }));
      return result;
    }
    await ensureMine(rpc, chain, scan.scripts.address);
    const signed: SignedTx[] = [];
    for (const p of plans) {
      const s = await buildAndSign(rpc, chain, p);
      p.txid = s.txid;
      signed.push(s);
      opts.onStep?.('signed', { chain: chain.name, txid: s.txid });
    }
    await sendSigned(rpc, chain, action, signed, opts);
    result.txs = plans.map((p) => ({ ...p, state: 'sent' }));
    return result;
  } finally {
    release();
  }
}

/** Splits when the chain is below its threshold (after settling an interrupted run). */
export function splitChain(rpc: Rpc, chain: ChainModel, opts: UtxoRunOptions): Promise<UtxoRunResult> {
  return run(rpc, chain, 'split', opts);
}

/** Consolidates everything but the notarization UTXOs (after settling an interrupted run). */
export function consolidateChain(rpc: Rpc, chain: ChainModel, opts: UtxoRunOptions): Promise<UtxoRunResult> {
  return run(rpc, chain, 'consolidate', opts);
}

// ---- use cases over the runtime -------------------------------------------------------------

export interface UtxoFanoutOptions<T> {
  /** Chains at once. Default 8. */
  concurrency?: number;
  onResult?: (r: TargetResult<T>) => void;
}

/** `fn` on every chain with its client, each where it runs; a result per chain. */
async function overChains<T>(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: UtxoFanoutOptions<T>,
  fn: (chain: ChainModel, client: RpcClient) => Promise<T>,
): Promise<TargetResult<T>[]> {
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  return fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      const client = rt.clients.chain(chain, { timeoutMs: 30_000, retry: { deadlineMs: 10_000 } });
      try {
        return await fn(chain, client);
      } finally {
        await client.close();
      }
    },
    { concurrency: opts.concurrency ?? 8, ...(opts.onResult ? { onResult: opts.onResult } : {}) },
  );
}

/** `utxo status` of every chain. */
export function utxoStatuses(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: UtxoFanoutOptions<UtxoStatus> = {},
): Promise<TargetResult<UtxoStatus>[]> {
  return overChains(rt, chains, opts, (chain, client) =>
    utxoStatus(client, chain, rt.platform.defaults.pubkey),
  );
}

/** `utxo split` / `utxo consolidate` of every chain, journaled. */
export function utxoRun(
  rt: Runtime,
  chains: readonly ChainModel[],
  verb: 'split' | 'consolidate',
  opts: Omit<UtxoRunOptions, 'pubkey'> & UtxoFanoutOptions<UtxoRunResult>,
): Promise<TargetResult<UtxoRunResult>[]> {
  const { concurrency, onResult, ...run } = opts;
  const o: UtxoRunOptions = { ...run, pubkey: rt.platform.defaults.pubkey };
  return overChains(
    rt,
    chains,
    { ...(concurrency !== undefined ? { concurrency } : {}), ...(onResult ? { onResult } : {}) },
    (chain, client) => (verb === 'split' ? splitChain(client, chain, o) : consolidateChain(client, chain, o)),
  );
}
