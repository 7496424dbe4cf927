/**
 * The chain engine: the in-memory state of one simulated komodod chain. Blocks advance on a timer
 * (or by `mine(n)`), each with a coinbase to the wallet; transactions are real serialised
 * transactions (see tx.ts) kept with a UTXO set and a mempool; the wallet holds keys and sees
 * every output paying one of its keys; the network's dPoW notarizations are simulated every few
 * blocks, spending one of the notary's 0.0001 P2PK UTXOs when the node runs with `-pubkey` and
 * holds that key. As in komodod, `getinfo.notarized*` move only when a back-notarization for this
 * chain is mined — a simulated one or one a real Iguana broadcast (vout 0 to the crypto777 key,
 * an OP_RETURN naming a block of this chain, the destination txid and this chain's symbol).
 * Locked outputs stay locked until `lockunspent true` (or a restart), spent or not.
 *
 * Simplifications, on purpose:
 * - the wallet always sees the whole chain (every import behaves as if rescanned);
 * - coinbase maturity defaults to 1 block (komodod: 100) so a fresh devnet has coins to spend;
 * - fees of wallet sends are a flat 0.0001; change goes back to the first input's address;
 * - the other notaries' inputs of a notarization are fabricated (their prevouts do not exist);
 * - no shielded transactions, no P2SH spends, no KMD interest, no reorgs.
 * This module has no I/O besides an optional timer; persistence goes through snapshot()/restore.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { ByteWriter, concat, dsha256, fromHex, hashToRpcHex, rpcHexToHash, sha256, toHex } from './bytes.ts';
import {
  type AddressVersions,
  CRYPTO777_PUBKEY,
  type KeyPair,
  KOMODO_VERSIONS,
  addressFromHash160,
  hash160,
  keyFromPrivkey,
  parseAddress,
  randomKey,
} from './keys.ts';
import { RPC, fault } from './rpc-fault.ts';
import {
  NULL_TXID,
  type PrevOut,
  type Tx,
  classifyScript,
  isCoinbase,
  newTx,
  opReturnScript,
  p2pkScript,
  p2pkhScript,
  parseTx,
  pushData,
  serializeTx,
  signInput,
  txidOf,
  verifyInput,
} from './tx.ts';

export const NOTARIZATION_UTXO_SATS = 10_000;
/** Value of the crypto777 output of a 13-signer notarization: min(0.76·m·u, m·u − 10000). */
export const NOTARIZATION_OUTPUT_SATS = 98_800;
export const NOTARIZATION_SIGNERS = 13;
export const DEFAULT_FEE_SATS = 10_000;
const SOLUTION_BYTES = 1344;
/** Finalsaplingroot of an empty sapling tree. */
export const EMPTY_SAPLING_ROOT = '3e49b5f954aa9d3545bc6c37744661eea48d7c34e3000d82b7f0010c30f4c2fb';

export interface Block {
  height: number;
  hash: string;
  prevHash: string;
  merkleRoot: string;
  /** Unix seconds. */
  time: number;
  nonce: string;
  txids: string[];
  size: number;
}

export interface TxRecord {
  txid: string;
  tx: Tx;
  raw: Uint8Array;
  /** Block height, or -1 while in the mempool. */
  height: number;
  blockIndex: number;
  /** Unix seconds the node first saw it. */
  time: number;
}

export interface Utxo {
  txid: string;
  vout: number;
  value: number;
  script: Uint8Array;
  scriptHex: string;
  height: number;
  coinbase: boolean;
}

export interface WalletKey {
  key: KeyPair;
  address: string;
  /** In the address book (imported or getnewaddress); change and mining keys are not. */
  labelled: boolean;
}

export interface NotarizationRecord {
  /** Height and hash of this chain's block that was notarized. */
  height: number;
  blockHash: string;
  /** The notarization transaction on the destination chain (KMD, or LTC for KMD). */
  destTxid: string;
  destHeight: number;
  /** The back-notarization transaction on this chain. */
  txid: string;
  opreturn: string;
  /** Height of this chain at which it was created (mined one block later). */
  createdAt: number;
  participated: boolean;
}

export interface ChainOptions {
  /** `KMD` for KMD itself, else the assetchain name. */
  name: string;
  /** The `-ac_*` parameters (keys without the dash). */
  params?: Record<string, string>;
  magic: number;
  p2pport: number;
  rpcport: number;
  /** 66-hex `-pubkey`: coinbase pays P2PK to it and it takes part in notarizations. */
  pubkey?: string;
  notaryId?: number;
  notaryName?: string;
  versions?: AddressVersions;
  /** Block interval for `start()`; 0 = blocks only through mine(). Default 10 s. */
  blockTimeMs?: number;
  /** Coinbase value in satoshis. Default: ac_reward, else 3 coins. */
  blockReward?: number;
  /** Blocks before a coinbase is spendable. Default: ac_cbmaturity, else 1. */
  coinbaseMaturity?: number;
  /** A notarization every this many blocks; 0 = never. Default 5. */
  notarizeEvery?: number;
  /** Confirmations a block needs before it is notarized. Default 10 for KMD, 5 otherwise. */
  notarizeLag?: number;
  /** Probability (0..1) that this node signs a notarization when it can. Default 1. */
  participation?: number;
  /** Delay after start before peers "report" and `longestchain` leaves 0. Default 1000 ms. */
  peersDelayMs?: number;
  /** Height of the KMD chain, when one runs in the same devnet (for KMDnotarized_height). */
  kmdHeight?: () => number | undefined;
  /** Clock, for tests. */
  now?: () => number;
  /** Called after every state change worth persisting. */
  onChange?: () => void;
  log?: (line: string) => void;
}

interface SignError {
  txid: string;
  vout: number;
  scriptSig: string;
  sequence: number;
  error: string;
}

export interface ChainSnapshot {
  format: 'dokomodo-devnet-chain/1';
  name: string;
  blocks: { hash: string; merkleRoot: string; time: number; nonce: string; size: number; txs: string[] }[];
  mempool: string[];
  notarizations: NotarizationRecord[];
}

export interface WalletSnapshot {
  format: 'dokomodo-devnet-wallet/1';
  /** Private keys as hex. The devnet wallet is a test wallet; komodod's wallet.dat is no safer. */
  keys: { privkey: string; compressed: boolean; labelled: boolean }[];
  miningKey?: string;
}

export const outpointKey = (txid: string, vout: number): string => `${txid}:${vout}`;

export class Chain {
  readonly name: string;
  readonly isKmd: boolean;
  readonly params: Record<string, string>;
  readonly magic: number;
  readonly p2pport: number;
  /** The rpcport getinfo reports (can differ from the bound port, as in komodod). */
  rpcport: number;
  readonly versions: AddressVersions;
  readonly pubkey: string | undefined;
  readonly notaryId: number | undefined;
  readonly notaryName: string | undefined;
  readonly blockReward: number;
  readonly maturity: number;
  readonly notarizeEvery: number;
  readonly notarizeLag: number;
  readonly participation: number;
  blockTimeMs: number;

  readonly blocks: Block[] = [];
  readonly blockIndex = new Map<string, Block>();
  readonly txs = new Map<string, TxRecord>();
  readonly utxos = new Map<string, Utxo>();
  readonly mempool = new Map<string, TxRecord>();
  /** Outpoints spent by mempool transactions → spending txid. */
  readonly mempoolSpends = new Map<string, string>();
  readonly locked = new Set<string>();
  readonly keys = new Map<string, WalletKey>();
  /** Output script hex → hash160 hex of the wallet key that can spend it. */
  readonly walletScripts = new Map<string, string>();
  readonly addedNodes = new Set<string>();
  readonly notarizations: NotarizationRecord[] = [];
  generate = false;
  genproclimit = -1;
  lastMined = 0;

  private miningScript!: Uint8Array;
  private miningKeyHash: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private peersReady = false;
  private readonly peersDelayMs: number;
  private readonly kmdHeightFn: (() => number | undefined) | undefined;
  readonly now: () => number;
  private readonly onChange: () => void;
  private readonly log: (line: string) => void;

  constructor(opts: ChainOptions) {
    this.name = opts.name;
    this.isKmd = opts.name === 'KMD';
    this.params = opts.params ?? {};
    this.magic = opts.magic;
    this.p2pport = opts.p2pport;
    this.rpcport = opts.rpcport;
    this.versions = opts.versions ?? KOMODO_VERSIONS;
    this.pubkey = opts.pubkey?.toLowerCase();
    this.notaryId = opts.notaryId;
    this.notaryName = opts.notaryName;
    const acReward = Number.parseInt(this.params['ac_reward'] ?? '', 10);
    this.blockReward = opts.blockReward ?? (acReward > 0 && acReward < 2 ** 50 ? acReward : 3 * 100_000_000);
    const acMaturity = Number.parseInt(this.params['ac_cbmaturity'] ?? '', 10);
    this.maturity = Math.max(1, opts.coinbaseMaturity ?? (acMaturity > 0 ? acMaturity : 1));
    this.notarizeEvery = opts.notarizeEvery ?? 5;
    this.notarizeLag = opts.notarizeLag ?? (this.isKmd ? 10 : 5);
    this.participation = opts.participation ?? 1;
    this.blockTimeMs = opts.blockTimeMs ?? 10_000;
    this.peersDelayMs = opts.peersDelayMs ?? 1000;
    this.kmdHeightFn = opts.kmdHeight;
    this.now = opts.now ?? Date.now;
    this.onChange = opts.onChange ?? (() => {});
    this.log = opts.log ?? (() => {});
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Creates the genesis block (and a funding block) unless restored state already has blocks. */
  init(wallet?: WalletSnapshot, chain?: ChainSnapshot): void {
    if (wallet) this.restoreWallet(wallet);
    if (this.pubkey) {
      this.miningScript = p2pkScript(fromHex(this.pubkey));
    } else {
      if (this.miningKeyHash === undefined) {
        const k = this.addKey(randomKey(), false);
        this.miningKeyHash = toHex(hash160(k.key.pubkey));
      }
      this.miningScript = p2pkhScript(fromHex(this.miningKeyHash));
    }
    if (chain && chain.blocks.length > 0) this.restoreChain(chain);
    else this.mineBlock(true);
  }

  /** Starts the block timer and the "peers report" clock. */
  start(): void {
    this.startedAt = this.now();
    this.peersReady = false;
    if (this.blockTimeMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.mine(1), this.blockTimeMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get height(): number {
    return this.blocks.length - 1;
  }

  get tip(): Block {
    return this.blocks[this.blocks.length - 1]!;
  }

  /** Best height "reported by peers": 0 right after start, like komodod's getinfo. */
  longestChain(): number {
    if (!this.peersReady && this.startedAt > 0 && this.now() - this.startedAt >= this.peersDelayMs)
      this.peersReady = true;
    return this.peersReady ? this.height : 0;
  }

  synced(): boolean {
    const l = this.longestChain();
    return l > 0 && this.height >= l;
  }

  connections(): number {
    return this.peersReady || this.longestChain() > 0 ? Math.max(1, this.addedNodes.size) : 0;
  }

  kmdHeight(): number {
    return this.kmdHeightFn?.() ?? 3_000_000 + this.height;
  }

  // ---- blocks -------------------------------------------------------------------------------

  /** Mines `n` blocks now (mempool goes into the first). Returns their hashes. */
  mine(n = 1): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.mineBlock(false).hash);
    this.peersReady = true;
    return out;
  }

  /**
   * On KMD: the notarizations of other chains mined here (vout 0 to crypto777, OP_RETURN with
   * block hash, height, symbol, MoM, MoMdepth | CCid << 16), for `MoMoMdata`.
   */
  readonly crossNotarizations: Array<{
    symbol: string;
    ccid: number;
    mom: string;
    txid: string;
    kmdHeight: number;
  }> = [];

  /**
   * komodod's MoMoMdata (crosschain.cpp CalculateProofRoot): scanning back from kmdheight − 5,
   * the MoMs of the CCid's chains since the 1st of this symbol's notarizations, up to its 7th;
   * fewer than 7 (or CCid < 2) give a zero MoMoM. `data` is the MoMoM and a zero u32 [U].
   */
  moMoMdata(symbol: string, kmdheight: number, ccid: number): Record<string, unknown> {
    const top = kmdheight - 5;
    const moms: string[] = [];
    let own = 0;
    let destTxid = NULL_TXID;
    let complete = false;
    if (ccid >= 2 && top >= 0 && top <= this.height) {
      scan: for (let h = top; h >= Math.max(0, top - 1440); h--) {
        const here = this.crossNotarizations.filter((n) => n.kmdHeight === h);
        for (const n of here) {
          if (n.symbol !== symbol) continue;
          own++;
          if (own === 1) destTxid = n.txid;
          else if (own === 7) {
            complete = true;
            break scan;
          }
        }
        if (own >= 1) for (const n of here) if (n.ccid === ccid) moms.push(n.mom);
      }
    }
    if (!complete) {
      moms.length = 0;
      destTxid = NULL_TXID;
    }
    const momom = complete ? merkleRootOf(moms) : NULL_TXID;
    return {
      coin: symbol,
      kmdheight: top,
      ccid,
      MoMs: moms,
      notarization_hash: destTxid,
      MoMoM: momom,
      data: `${toHex(rpcHexToHash(momom))}00000000`,
    };
  }

  private recordCross(rec: TxRecord, minedAt: number): void {
    const out0 = rec.tx.outputs[0];
    if (!this.isKmd || !out0 || toHex(out0.script) !== CRYPTO777_P2PK) return;
    const opret = rec.tx.outputs.find((o) => o.script[0] === 0x6a);
    const data = opret ? opReturnData(opret.script) : undefined;
    if (!data || data.length < 38) return;
    const end = data.indexOf(0, 36);
    if (end < 37 || data.length < end + 1 + 36) return;
    const symbol = new TextDecoder().decode(data.subarray(36, end));
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(symbol) || symbol === this.name) return;
    const depthCcid = new DataView(data.buffer, data.byteOffset + end + 33, 4).getUint32(0, true);
    this.crossNotarizations.push({
      symbol,
      ccid: depthCcid >>> 16,
      mom: hashToRpcHex(data.subarray(end + 1, end + 33)),
      txid: rec.txid,
      kmdHeight: minedAt,
    });
  }

  /** Back-notarizations made by notarize() and not mined yet, by txid. */
  private readonly pendingNotarizations = new Map<string, NotarizationRecord>();

  /**
   * The notarization a transaction carries for this chain, if it is one komodod would take:
   * vout 0 pays the crypto777 key, an OP_RETURN holds (block hash, height, dest txid, symbol…)
   * for a block of this chain above the last notarized height. Reads prevouts, so call it before
   * the transaction's block is connected.
   */
  private notarizationIn(rec: TxRecord, minedAt: number): NotarizationRecord | undefined {
    const out0 = rec.tx.outputs[0];
    if (!out0 || toHex(out0.script) !== CRYPTO777_P2PK) return undefined;
    const opret = rec.tx.outputs.find((o) => o.script[0] === 0x6a);
    const data = opret ? opReturnData(opret.script) : undefined;
    const symbol = new TextEncoder().encode(`${this.name}\0`);
    if (!data || data.length < 68 + symbol.length) return undefined;
    if (toHex(data.subarray(68, 68 + symbol.length)) !== toHex(symbol)) return undefined;
    const height = new DataView(data.buffer, data.byteOffset + 32, 4).getUint32(0, true);
    const block = this.blocks[height];
    if (!block || toHex(rpcHexToHash(block.hash)) !== toHex(data.subarray(0, 32))) return undefined;
    if (height <= this.notarizedHeight) return undefined;
    const own = this.pubkey ? toHex(p2pkScript(fromHex(this.pubkey))) : undefined;
    const participated =
      own !== undefined &&
      rec.tx.inputs.some((i) => this.utxos.get(outpointKey(i.txid, i.vout))?.scriptHex === own);
    return {
      height,
      blockHash: block.hash,
      destTxid: hashToRpcHex(data.subarray(36, 68)),
      destHeight: this.kmdHeight(),
      txid: rec.txid,
      opreturn: toHex(data),
      createdAt: minedAt - 1,
      participated,
    };
  }

  private mineBlock(genesis: boolean): Block {
    const height = genesis ? 0 : this.height + 1;
    const prevHash = genesis ? NULL_TXID : this.tip.hash;
    const time = Math.max(Math.floor(this.now() / 1000), genesis ? 0 : this.tip.time + 1);
    let fees = 0;
    const included: TxRecord[] = [];
    for (const rec of this.mempool.values()) {
      fees += this.txFee(rec.tx) ?? 0;
      included.push(rec);
    }
    const cb = newTx({ sapling: !genesis });
    const heightPush = new ByteWriter().u32(height).finish();
    cb.inputs.push({
      txid: NULL_TXID,
      vout: 0xffffffff,
      script: concat([pushData(heightPush), pushData(new TextEncoder().encode('/dokomodo-devnet/'))]),
      sequence: 0xffffffff,
    });
    cb.outputs.push({ value: this.blockReward + fees, script: this.miningScript });
    const cbRaw = serializeTx(cb);
    const cbRec: TxRecord = { txid: txidOf(cbRaw), tx: cb, raw: cbRaw, height, blockIndex: 0, time };
    const recs = [cbRec, ...included];
    const nonce = randomBytes(32).toString('hex');
    const merkleRoot = merkleRootOf(recs.map((r) => r.txid));
    const header = blockHeader(prevHash, merkleRoot, time, nonce);
    let size = header.length;
    for (const r of recs) size += r.raw.length;
    const block: Block = {
      height,
      hash: hashToRpcHex(dsha256(header)),
      prevHash,
      merkleRoot,
      time,
      nonce,
      txids: recs.map((r) => r.txid),
      size: size + 3,
    };
    const found: NotarizationRecord[] = [];
    for (const rec of included) {
      const n = this.pendingNotarizations.get(rec.txid) ?? this.notarizationIn(rec, height);
      this.pendingNotarizations.delete(rec.txid);
      if (n && n.height > (found[found.length - 1]?.height ?? this.notarizedHeight)) found.push(n);
    }
    this.connect(block, recs);
    for (const rec of included) this.recordCross(rec, height);
    for (const n of found) {
      this.notarizations.push(n);
      this.log(`notarized ${this.name} height ${n.height}${n.participated ? ' (signed by this node)' : ''}`);
    }
    if (!genesis) {
      this.lastMined = height;
      this.maybeNotarize();
    }
    this.onChange();
    return block;
  }

  /** Applies a block: records its transactions and updates the UTXO set and mempool. */
  private connect(block: Block, recs: TxRecord[]): void {
    this.blocks.push(block);
    this.blockIndex.set(block.hash, block);
    recs.forEach((rec, i) => {
      rec.height = block.height;
      rec.blockIndex = i;
      this.mempool.delete(rec.txid);
      this.txs.set(rec.txid, rec);
      const cb = isCoinbase(rec.tx);
      if (!cb) {
        for (const input of rec.tx.inputs) {
          const k = outpointKey(input.txid, input.vout);
          this.utxos.delete(k);
          this.mempoolSpends.delete(k);
        }
      }
      rec.tx.outputs.forEach((o, vout) => {
        if (o.script[0] === 0x6a) return;
        this.utxos.set(outpointKey(rec.txid, vout), {
          txid: rec.txid,
          vout,
          value: o.value,
          script: o.script,
          scriptHex: toHex(o.script),
          height: block.height,
          coinbase: cb,
        });
      });
    });
  }

  blockAt(height: number): Block | undefined {
    return this.blocks[height];
  }

  /** The header bytes the block hash commits to (also the start of `getblock … 0`). */
  headerOf(block: Block): Uint8Array {
    return blockHeader(block.prevHash, block.merkleRoot, block.time, block.nonce);
  }

  // ---- confirmations ------------------------------------------------------------------------

  rawConfirmations(height: number): number {
    return height < 0 ? 0 : this.height - height + 1;
  }

  /** komodo_dpowconfs: above the last notarized height everything shows 1 confirmation. */
  confirmations(height: number): number {
    const raw = this.rawConfirmations(height);
    const n = this.notarizedHeight;
    if (raw > 0 && n > 0 && height > n) return 1;
    return raw;
  }

  get lastNotarization(): NotarizationRecord | undefined {
    return this.notarizations[this.notarizations.length - 1];
  }

  get notarizedHeight(): number {
    return this.lastNotarization?.height ?? 0;
  }

  // ---- notarizations ------------------------------------------------------------------------

  private maybeNotarize(): void {
    if (this.notarizeEvery <= 0 || this.height % this.notarizeEvery !== 0) return;
    const target = this.height - this.notarizeLag;
    if (target < 1 || target <= this.notarizedHeight) return;
    this.notarize(target);
  }

  /**
   * Simulates a dPoW round for block `height` (default: the newest eligible one): the
   * destination-chain transaction is fabricated, the back-notarization goes into this chain's
   * mempool and is mined with the next block.
   */
  notarize(height = Math.max(1, this.height - this.notarizeLag)): NotarizationRecord {
    const block = this.blocks[height];
    if (!block) throw fault(RPC.INVALID_PARAMETER, 'Block height out of range');
    const destTxid = randomBytes(32).toString('hex');
    const destHeight = this.kmdHeight();
    const symbol = new TextEncoder().encode(`${this.name}\0`);
    const parts = [
      rpcHexToHash(block.hash),
      new ByteWriter().u32(height).finish(),
      rpcHexToHash(destTxid),
      symbol,
    ];
    if (!this.isKmd) {
      const depth = Math.max(1, height - this.notarizedHeight);
      parts.push(this.momOf(height, depth), new ByteWriter().u32(depth).finish());
    }
    const opret = concat(parts);
    const tx = newTx({ sapling: true });
    const mine = Math.random() < this.participation ? this.pickNotaryUtxo() : undefined;
    const fakeInputs = NOTARIZATION_SIGNERS - (mine ? 1 : 0);
    if (mine)
      tx.inputs.push({ txid: mine.txid, vout: mine.vout, script: new Uint8Array(0), sequence: 0xffffffff });
    for (let i = 0; i < fakeInputs; i++) {
      const fakeSig = new Uint8Array(randomBytes(72));
      fakeSig[0] = 0x30;
      fakeSig[71] = 0x01;
      tx.inputs.push({
        txid: randomBytes(32).toString('hex'),
        vout: randomInt(0, 50),
        script: pushData(fakeSig),
        sequence: 0xffffffff,
      });
    }
    tx.outputs.push({ value: NOTARIZATION_OUTPUT_SATS, script: p2pkScript(fromHex(CRYPTO777_PUBKEY)) });
    tx.outputs.push({ value: 0, script: opReturnScript(opret) });
    if (mine) {
      const wk = this.keys.get(this.walletScripts.get(mine.scriptHex)!)!;
      signInput(tx, 0, { script: mine.script, value: mine.value }, wk.key.privkey, wk.key.pubkey);
    }
    const raw = serializeTx(tx);
    const rec: TxRecord = {
      txid: txidOf(raw),
      tx,
      raw,
      height: -1,
      blockIndex: -1,
      time: Math.floor(this.now() / 1000),
    };
    this.addToMempool(rec);
    const ntz: NotarizationRecord = {
      height,
      blockHash: block.hash,
      destTxid,
      destHeight,
      txid: rec.txid,
      opreturn: toHex(opret),
      createdAt: this.height,
      participated: mine !== undefined,
    };
    // Recorded when mined, like one from a real Iguana.
    this.pendingNotarizations.set(rec.txid, ntz);
    this.onChange();
    return ntz;
  }

  /** A spendable 0.0001 P2PK UTXO of the notary pubkey, picked at random like Iguana does. */
  private pickNotaryUtxo(): Utxo | undefined {
    if (!this.pubkey) return undefined;
    const script = toHex(p2pkScript(fromHex(this.pubkey)));
    if (!this.walletScripts.has(script)) return undefined;
    const candidates: Utxo[] = [];
    for (const [k, u] of this.utxos) {
      if (
        u.scriptHex === script &&
        u.value === NOTARIZATION_UTXO_SATS &&
        !this.locked.has(k) &&
        !this.mempoolSpends.has(k)
      ) {
        candidates.push(u);
      }
    }
    return candidates.length ? candidates[randomInt(0, candidates.length)] : undefined;
  }

  /** A merkle root over the block merkle roots of (height-depth, height]: calc_MoM's idea. */
  momOf(height: number, depth: number): Uint8Array {
    const roots: string[] = [];
    for (let h = Math.max(1, height - depth + 1); h <= height; h++)
      roots.push(this.blocks[h]?.merkleRoot ?? NULL_TXID);
    return rpcHexToHash(merkleRootOf(roots));
  }

  // ---- wallet -------------------------------------------------------------------------------

  addKey(key: KeyPair, labelled: boolean): WalletKey {
    const h = toHex(hash160(key.pubkey));
    const existing = this.keys.get(h);
    if (existing) {
      if (labelled && !existing.labelled) {
        existing.labelled = true;
        this.onChange();
      }
      return existing;
    }
    const wk: WalletKey = { key, address: addressFromHash160(fromHex(h), this.versions.pubtype), labelled };
    this.keys.set(h, wk);
    this.walletScripts.set(toHex(p2pkhScript(fromHex(h))), h);
    this.walletScripts.set(toHex(p2pkScript(key.pubkey)), h);
    this.onChange();
    return wk;
  }

  keyForAddress(address: string): WalletKey | undefined {
    const d = parseAddress(address, this.versions);
    return d && d.kind === 'pubkeyhash' ? this.keys.get(toHex(d.hash160)) : undefined;
  }

  isMine(scriptHex: string): boolean {
    return this.walletScripts.has(scriptHex);
  }

  /** Whether the wallet lists this output as change (mine but not in the address book). */
  isChange(scriptHex: string): boolean {
    const h = this.walletScripts.get(scriptHex);
    return h !== undefined && this.keys.get(h)?.labelled === false;
  }

  isMature(u: { coinbase: boolean; height: number }, atHeight = this.height): boolean {
    return !u.coinbase || (u.height >= 0 && atHeight - u.height + 1 >= this.maturity);
  }

  /** Wallet outputs that are unspent (also by the mempool), mature and, unless asked, unlocked. */
  walletUtxos(opts: { includeLocked?: boolean; includeImmature?: boolean } = {}): Utxo[] {
    const out: Utxo[] = [];
    for (const [k, u] of this.utxos) {
      if (!this.walletScripts.has(u.scriptHex) || this.mempoolSpends.has(k)) continue;
      if (!opts.includeLocked && this.locked.has(k)) continue;
      if (!opts.includeImmature && !this.isMature(u)) continue;
      out.push(u);
    }
    return out;
  }

  /** Outputs of wallet transactions still in the mempool (0 confirmations). */
  walletMempoolOutputs(): Utxo[] {
    const out: Utxo[] = [];
    for (const rec of this.mempool.values()) {
      rec.tx.outputs.forEach((o, vout) => {
        const scriptHex = toHex(o.script);
        const k = outpointKey(rec.txid, vout);
        if (this.walletScripts.has(scriptHex) && !this.mempoolSpends.has(k) && !this.locked.has(k)) {
          out.push({
            txid: rec.txid,
            vout,
            value: o.value,
            script: o.script,
            scriptHex,
            height: -1,
            coinbase: false,
          });
        }
      });
    }
    return out;
  }

  balance(minconf = 1): number {
    let sum = 0;
    for (const u of this.walletUtxos({ includeLocked: true }))
      if (this.confirmations(u.height) >= minconf) sum += u.value;
    if (minconf <= 0) for (const u of this.walletMempoolOutputs()) sum += u.value;
    return sum;
  }

  immatureBalance(): number {
    let sum = 0;
    for (const u of this.walletUtxos({ includeLocked: true, includeImmature: true }))
      if (!this.isMature(u)) sum += u.value;
    return sum;
  }

  lockUnspent(unlock: boolean, outpoints: { txid: string; vout: number }[] | undefined): void {
    if (!outpoints) {
      if (unlock) this.locked.clear();
      return;
    }
    for (const o of outpoints) {
      const rec = this.txs.get(o.txid) ?? this.mempool.get(o.txid);
      if (!rec) throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, unknown transaction');
      if (o.vout >= rec.tx.outputs.length)
        throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, vout index out of bounds');
    }
    for (const o of outpoints) {
      const k = outpointKey(o.txid, o.vout);
      if (unlock) this.locked.delete(k);
      else this.locked.add(k);
    }
  }

  // ---- transactions -------------------------------------------------------------------------

  /** The output `vout` of a known transaction (mined or mempool), spent or not. */
  outputOf(txid: string, vout: number): PrevOut | undefined {
    const rec = this.txs.get(txid) ?? this.mempool.get(txid);
    return rec?.tx.outputs[vout];
  }

  /** Fee of a transaction whose inputs are all known; undefined otherwise (and for coinbases). */
  txFee(tx: Tx): number | undefined {
    if (isCoinbase(tx)) return undefined;
    let inSum = 0;
    for (const i of tx.inputs) {
      const prev = this.outputOf(i.txid, i.vout);
      if (!prev) return undefined;
      inSum += prev.value;
    }
    let outSum = 0;
    for (const o of tx.outputs) outSum += o.value;
    return inSum - outSum;
  }

  private addToMempool(rec: TxRecord): void {
    this.mempool.set(rec.txid, rec);
    for (const i of rec.tx.inputs) this.mempoolSpends.set(outpointKey(i.txid, i.vout), rec.txid);
  }

  /**
   * sendrawtransaction: validates like komodod's AcceptToMemoryPool as far as the simulator
   * models it and returns the txid. Already in the mempool → the txid again; already mined →
   * -27; conflicting with the mempool → -26 txn-mempool-conflict; unknown or spent inputs → -25.
   */
  acceptRawTransaction(hex: string): string {
    let tx: Tx;
    let raw: Uint8Array;
    try {
      raw = fromHex(hex);
      tx = parseTx(raw);
    } catch {
      throw fault(RPC.DESERIALIZATION_ERROR, 'TX decode failed');
    }
    const txid = txidOf(raw);
    if (this.mempool.has(txid)) return txid;
    if (this.txs.has(txid)) throw fault(RPC.VERIFY_ALREADY_IN_CHAIN, 'transaction already in block chain');
    if (isCoinbase(tx)) throw fault(RPC.VERIFY_REJECTED, '16: coinbase');
    if (tx.inputs.length === 0) throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-vin-empty');
    if (tx.outputs.length === 0) throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-vout-empty');
    const seen = new Set<string>();
    for (const i of tx.inputs) {
      const k = outpointKey(i.txid, i.vout);
      if (seen.has(k)) throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-inputs-duplicate');
      seen.add(k);
    }
    for (const o of tx.outputs)
      if (o.value < 0) throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-vout-negative');
    for (const i of tx.inputs) {
      if (this.mempoolSpends.has(outpointKey(i.txid, i.vout)))
        throw fault(RPC.VERIFY_REJECTED, '18: txn-mempool-conflict');
    }
    const prevs: PrevOut[] = [];
    let inSum = 0;
    for (const i of tx.inputs) {
      const k = outpointKey(i.txid, i.vout);
      const u = this.utxos.get(k);
      let prev: PrevOut | undefined;
      if (u) {
        if (!this.isMature(u, this.height + 1))
          throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-premature-spend-of-coinbase');
        prev = u;
      } else {
        const m = this.mempool.get(i.txid);
        prev = m?.tx.outputs[i.vout];
        if (prev && prev.script[0] === 0x6a) prev = undefined;
      }
      if (!prev) throw fault(RPC.VERIFY_ERROR, 'Missing inputs');
      prevs.push(prev);
      inSum += prev.value;
    }
    let outSum = 0;
    for (const o of tx.outputs) outSum += o.value;
    if (inSum < outSum) throw fault(RPC.VERIFY_REJECTED, '16: bad-txns-in-belowout');
    if (tx.overwintered && tx.expiryHeight !== 0 && this.height + 1 > tx.expiryHeight) {
      throw fault(RPC.VERIFY_REJECTED, '16: tx-overwinter-expired');
    }
    for (let k = 0; k < tx.inputs.length; k++) {
      if (!verifyInput(tx, k, prevs[k]!)) {
        throw fault(
          RPC.VERIFY_REJECTED,
          '16: mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)',
        );
      }
    }
    this.addToMempool({ txid, tx, raw, height: -1, blockIndex: -1, time: Math.floor(this.now() / 1000) });
    this.log(`accepted ${txid} into the mempool`);
    this.onChange();
    return txid;
  }

  /**
   * signrawtransaction: signs every input it can with wallet keys (or only `privkeys` when
   * given), looking prevouts up in the UTXO set, the mempool, then `prevtxs`.
   */
  signRawTransaction(
    hex: string,
    prevtxs: { txid: string; vout: number; scriptPubKey: string; amount?: number }[] = [],
    privkeys?: KeyPair[],
  ): { hex: string; complete: boolean; errors?: SignError[] } {
    let tx: Tx;
    try {
      tx = parseTx(fromHex(hex));
    } catch {
      throw fault(RPC.DESERIALIZATION_ERROR, 'TX decode failed');
    }
    const extra = new Map<string, PrevOut>();
    for (const p of prevtxs)
      extra.set(outpointKey(p.txid, p.vout), { script: fromHex(p.scriptPubKey), value: p.amount ?? 0 });
    const keyByHash = new Map<string, KeyPair>();
    if (privkeys) for (const k of privkeys) keyByHash.set(toHex(hash160(k.pubkey)), k);
    const errors: SignError[] = [];
    tx.inputs.forEach((input, k) => {
      const key = outpointKey(input.txid, input.vout);
      const u = this.utxos.get(key);
      const m = this.mempool.get(input.txid)?.tx.outputs[input.vout];
      const prev: PrevOut | undefined = u ?? m ?? extra.get(key);
      const err = (error: string) =>
        errors.push({
          txid: input.txid,
          vout: input.vout,
          scriptSig: toHex(input.script),
          sequence: input.sequence,
          error,
        });
      if (!prev) {
        err('Input not found or already spent');
        return;
      }
      const info = classifyScript(prev.script);
      const h = info.hash160 ? toHex(info.hash160) : undefined;
      const kp = h === undefined ? undefined : privkeys ? keyByHash.get(h) : this.keys.get(h)?.key;
      if (kp && signInput(tx, k, prev, kp.privkey, kp.pubkey)) return;
      if (input.script.length > 0 && verifyInput(tx, k, prev)) return;
      err('Operation not valid with the current stack size');
    });
    const out: { hex: string; complete: boolean; errors?: SignError[] } = {
      hex: toHex(serializeTx(tx)),
      complete: errors.length === 0,
    };
    if (errors.length) out.errors = errors;
    return out;
  }

  /**
   * Builds, signs and broadcasts a wallet payment (sendtoaddress/sendmany). `subtractFee` lists
   * output indexes that share the fee. Inputs are chosen largest first among confirmed,
   * unlocked wallet outputs; change goes back to the first input's address.
   */
  sendFromWallet(outputs: { script: Uint8Array; value: number }[], subtractFee: number[] = []): string {
    const fee = DEFAULT_FEE_SATS;
    let target = 0;
    for (const o of outputs) target += o.value;
    const need = subtractFee.length ? target : target + fee;
    const candidates = this.walletUtxos()
      .filter((u) => this.confirmations(u.height) >= 1)
      .sort((a, b) => b.value - a.value);
    const chosen: Utxo[] = [];
    let sum = 0;
    for (const u of candidates) {
      if (sum >= need) break;
      chosen.push(u);
      sum += u.value;
    }
    if (sum < need) throw fault(RPC.WALLET_INSUFFICIENT_FUNDS, 'Insufficient funds');
    const tx = newTx({ sapling: true, expiryHeight: this.height + 1 + 20 });
    for (const u of chosen)
      tx.inputs.push({ txid: u.txid, vout: u.vout, script: new Uint8Array(0), sequence: 0xffffffff });
    outputs.forEach((o, i) => {
      let value = o.value;
      if (subtractFee.includes(i)) value -= Math.ceil(fee / subtractFee.length);
      if (value <= 0) throw fault(RPC.WALLET_ERROR, 'The transaction amount is too small to pay the fee');
      tx.outputs.push({ script: o.script, value });
    });
    let outSum = 0;
    for (const o of tx.outputs) outSum += o.value;
    const change = sum - outSum - fee;
    if (change > 0) {
      const first = this.keys.get(this.walletScripts.get(chosen[0]!.scriptHex)!)!;
      tx.outputs.push({ script: p2pkhScript(hash160(first.key.pubkey)), value: change });
    }
    chosen.forEach((u, k) => {
      const wk = this.keys.get(this.walletScripts.get(u.scriptHex)!)!;
      signInput(tx, k, u, wk.key.privkey, wk.key.pubkey);
    });
    const raw = serializeTx(tx);
    const txid = txidOf(raw);
    this.addToMempool({ txid, tx, raw, height: -1, blockIndex: -1, time: Math.floor(this.now() / 1000) });
    this.onChange();
    return txid;
  }

  /** Transactions touching the wallet, newest first: mempool, then blocks from the tip down. */
  *walletHistoryNewestFirst(): Generator<TxRecord> {
    const mem = [...this.mempool.values()].reverse();
    for (const rec of mem) if (this.touchesWallet(rec.tx)) yield rec;
    for (let h = this.height; h >= 0; h--) {
      const b = this.blocks[h]!;
      for (let i = b.txids.length - 1; i >= 0; i--) {
        const rec = this.txs.get(b.txids[i]!)!;
        if (this.touchesWallet(rec.tx)) yield rec;
      }
    }
  }

  touchesWallet(tx: Tx): boolean {
    for (const o of tx.outputs) if (this.walletScripts.has(toHex(o.script))) return true;
    if (isCoinbase(tx)) return false;
    for (const i of tx.inputs) {
      const p = this.outputOf(i.txid, i.vout);
      if (p && this.walletScripts.has(toHex(p.script))) return true;
    }
    return false;
  }

  /** Sum of wallet-owned inputs (komodod's GetDebit). */
  debit(tx: Tx): number {
    if (isCoinbase(tx)) return 0;
    let sum = 0;
    for (const i of tx.inputs) {
      const p = this.outputOf(i.txid, i.vout);
      if (p && this.walletScripts.has(toHex(p.script))) sum += p.value;
    }
    return sum;
  }

  // ---- persistence --------------------------------------------------------------------------

  snapshotChain(): ChainSnapshot {
    return {
      format: 'dokomodo-devnet-chain/1',
      name: this.name,
      blocks: this.blocks.map((b) => ({
        hash: b.hash,
        merkleRoot: b.merkleRoot,
        time: b.time,
        nonce: b.nonce,
        size: b.size,
        txs: b.txids.map((id) => toHex(this.txs.get(id)!.raw)),
      })),
      mempool: [...this.mempool.values()].map((r) => toHex(r.raw)),
      notarizations: this.notarizations,
    };
  }

  snapshotWallet(): WalletSnapshot {
    const keys = [...this.keys.values()].map((k) => ({
      privkey: toHex(k.key.privkey),
      compressed: k.key.compressed,
      labelled: k.labelled,
    }));
    const out: WalletSnapshot = { format: 'dokomodo-devnet-wallet/1', keys };
    if (this.miningKeyHash !== undefined) out.miningKey = this.miningKeyHash;
    return out;
  }

  private restoreWallet(w: WalletSnapshot): void {
    for (const k of w.keys) {
      const priv = fromHex(k.privkey);
      this.addKey(keyFromPrivkey(priv, k.compressed), k.labelled);
    }
    if (w.miningKey && this.keys.has(w.miningKey)) this.miningKeyHash = w.miningKey;
  }

  private restoreChain(c: ChainSnapshot): void {
    let prevHash = NULL_TXID;
    c.blocks.forEach((b, height) => {
      const recs = b.txs.map((hex, i) => {
        const raw = fromHex(hex);
        return { txid: txidOf(raw), tx: parseTx(raw), raw, height, blockIndex: i, time: b.time };
      });
      const block: Block = {
        height,
        hash: b.hash,
        prevHash,
        merkleRoot: b.merkleRoot,
        time: b.time,
        nonce: b.nonce,
        txids: recs.map((r) => r.txid),
        size: b.size,
      };
      this.connect(block, recs);
      prevHash = b.hash;
    });
    for (const hex of c.mempool) {
      try {
        this.acceptRawTransaction(hex);
      } catch {
        // a mempool tx that no longer fits is dropped, as komodod drops it on restart
      }
    }
    this.notarizations.push(...c.notarizations);
  }
}

const CRYPTO777_P2PK = `21${CRYPTO777_PUBKEY}ac`;

/** The bytes pushed by an OP_RETURN script (one push, as notarizations use). */
function opReturnData(script: Uint8Array): Uint8Array | undefined {
  const op = script[1];
  if (op === undefined) return undefined;
  if (op < 0x4c) return script.subarray(2, 2 + op);
  if (op === 0x4c) return script.subarray(3, 3 + (script[2] ?? 0));
  if (op === 0x4d) return script.subarray(4, 4 + ((script[2] ?? 0) | ((script[3] ?? 0) << 8)));
  return undefined;
}

function blockHeader(prevHash: string, merkleRoot: string, time: number, nonce: string): Uint8Array {
  const nonceBytes = fromHex(nonce);
  const solution = new Uint8Array(SOLUTION_BYTES);
  let seed = nonceBytes;
  for (let o = 0; o < SOLUTION_BYTES; o += 32) {
    seed = sha256(seed);
    solution.set(seed.subarray(0, Math.min(32, SOLUTION_BYTES - o)), o);
  }
  return new ByteWriter()
    .i32(4)
    .bytes(rpcHexToHash(prevHash))
    .bytes(rpcHexToHash(merkleRoot))
    .bytes(rpcHexToHash(EMPTY_SAPLING_ROOT))
    .u32(time)
    .u32(0x200f0f0f)
    .bytes(nonceBytes)
    .varbytes(solution)
    .finish();
}

/** Bitcoin's merkle root over txids given in RPC hex; returns RPC hex. */
export function merkleRootOf(txids: readonly string[]): string {
  if (txids.length === 0) return NULL_TXID;
  let level = txids.map(rpcHexToHash);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i]!;
      const b = level[i + 1] ?? a;
      next.push(dsha256(concat([a, b])));
    }
    level = next;
  }
  return hashToRpcHex(level[0]!);
}
