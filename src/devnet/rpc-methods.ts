/**
 * komodod's RPC methods, as the simulator answers them: parameter-count checks with the method's
 * help text (-1), komodod's type errors, and replies shaped like komodod's (field names, order,
 * 8-decimal amounts, dPoW-aware confirmations). Each handler is a plain function of the chain
 * state, so the HTTP server stays a thin transport.
 */
import { createHash } from 'node:crypto';
import { amount, parseAmount } from './amount.ts';
import { ByteWriter, fromHex, isHex, toHex } from './bytes.ts';
import { type Block, type Chain, EMPTY_SAPLING_ROOT, type TxRecord, outpointKey } from './chain.ts';
import {
  type KeyPair,
  addressOfScript,
  keyFromPassphrase,
  keyFromWif,
  parseAddress,
  pubkeyAddress,
  randomKey,
  scriptAddress,
  wifOf,
} from './keys.ts';
import { RPC, RpcFault, fault } from './rpc-fault.ts';
import {
  type Tx,
  classifyScript,
  isCoinbase,
  newTx,
  opReturnScript,
  parseTx,
  scriptAsm,
  serializeTx,
} from './tx.ts';

export const DEVNET_VERSION = '0.1.0';
export const PROTOCOL_VERSION = 170013;
export const CLIENT_VERSION = 90000;
export const KMD_VERSION = '0.9.0';
export const SUBVERSION = `/dokomodo-devnet:${DEVNET_VERSION}(komodod-simulator)/`;

export interface MethodContext {
  chain: Chain;
  /** Begins a clean shutdown of this chain after the reply has been sent. */
  requestStop: () => void;
}

type Params = readonly unknown[];
type Handler = (p: Params, ctx: MethodContext) => unknown;

interface Method {
  category: string;
  /** komodod's help text; the first line is the usage line `help` lists. */
  help: string;
  min: number;
  max: number;
  run: Handler;
}

// ---- parameter helpers (komodod's UniValue accessors and their messages) --------------------

function str(p: Params, i: number): string {
  const v = p[i];
  if (typeof v !== 'string') throw fault(RPC.MISC_ERROR, 'JSON value is not a string as expected');
  return v;
}

function int(p: Params, i: number): number {
  const v = p[i];
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw fault(RPC.MISC_ERROR, 'JSON value is not an integer as expected');
  return v;
}

function bool(p: Params, i: number): boolean {
  const v = p[i];
  if (typeof v !== 'boolean') throw fault(RPC.MISC_ERROR, 'JSON value is not a boolean as expected');
  return v;
}

function optInt(p: Params, i: number, dflt: number): number {
  return p[i] === undefined || p[i] === null ? dflt : int(p, i);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** RPCTypeCheck: -3 "Expected type X, got Y". */
function expectType(p: Params, i: number, want: string): void {
  const v = p[i];
  if (v === undefined) return;
  const got = typeName(v);
  if (got !== want) throw fault(RPC.TYPE_ERROR, `Expected type ${want}, got ${got}`);
}

function amountParam(v: unknown): number {
  const r = parseAmount(v);
  if ('error' in r) throw fault(RPC.TYPE_ERROR, r.error);
  return r.sats;
}

function txidParam(v: unknown, name = 'txid'): string {
  if (typeof v !== 'string') throw fault(RPC.MISC_ERROR, 'JSON value is not a string as expected');
  if (v.length !== 64 || !isHex(v))
    throw fault(RPC.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${v}')`);
  return v.toLowerCase();
}

// ---- shared reply builders ------------------------------------------------------------------

/** komodo_segid32(address) & 0x3f: first 4 bytes of SHA-256 of the address text. */
export function segidOf(address: string): number {
  const h = createHash('sha256').update(address).digest();
  return h.readUInt32LE(0) & 0x3f;
}

function scriptPubKeyJson(script: Uint8Array, chain: Chain): Record<string, unknown> {
  const info = classifyScript(script);
  const out: Record<string, unknown> = { asm: scriptAsm(script), hex: toHex(script) };
  const addr = scriptAddress(info, chain.versions);
  if (addr !== undefined) {
    out['reqSigs'] = 1;
    out['type'] = info.type;
    out['addresses'] = [addr];
  } else {
    out['type'] = info.type;
  }
  return out;
}

function txJson(chain: Chain, tx: Tx, txid: string, rec?: TxRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { txid, overwintered: tx.overwintered, version: tx.version };
  if (tx.overwintered) o['versiongroupid'] = tx.versionGroupId.toString(16).padStart(8, '0');
  o['locktime'] = tx.locktime;
  if (tx.overwintered) o['expiryheight'] = tx.expiryHeight;
  o['vin'] = tx.inputs.map((i) =>
    isCoinbase(tx)
      ? { coinbase: toHex(i.script), sequence: i.sequence }
      : {
          txid: i.txid,
          vout: i.vout,
          scriptSig: { asm: scriptAsm(i.script, true), hex: toHex(i.script) },
          sequence: i.sequence,
        },
  );
  o['vout'] = tx.outputs.map((out, n) => ({
    value: amount(out.value),
    valueSat: out.value,
    n,
    scriptPubKey: scriptPubKeyJson(out.script, chain),
  }));
  o['vjoinsplit'] = [];
  if (tx.overwintered && tx.version >= 4) {
    o['valueBalance'] = amount(0);
    o['valueBalanceZat'] = 0;
    o['vShieldedSpend'] = [];
    o['vShieldedOutput'] = [];
  }
  if (rec && rec.height >= 0) {
    const b = chain.blockAt(rec.height)!;
    o['blockhash'] = b.hash;
    o['height'] = rec.height;
    o['confirmations'] = chain.confirmations(rec.height);
    o['rawconfirmations'] = chain.rawConfirmations(rec.height);
    o['time'] = b.time;
    o['blocktime'] = b.time;
  }
  return o;
}

function blockJson(chain: Chain, b: Block, verbosity: number): Record<string, unknown> {
  const next = chain.blockAt(b.height + 1);
  const o: Record<string, unknown> = {
    hash: b.hash,
    confirmations: chain.confirmations(b.height),
    rawconfirmations: chain.rawConfirmations(b.height),
    size: b.size,
    height: b.height,
    version: 4,
    merkleroot: b.merkleRoot,
    segid: -1,
    finalsaplingroot: EMPTY_SAPLING_ROOT,
    tx:
      verbosity >= 2
        ? b.txids.map((id) => {
            const rec = chain.txs.get(id)!;
            return txJson(chain, rec.tx, id);
          })
        : [...b.txids],
    time: b.time,
    nonce: b.nonce,
    solution: toHex(chain.headerOf(b).subarray(143)),
    bits: '200f0f0f',
    difficulty: 1,
    chainwork: (b.height + 1).toString(16).padStart(64, '0'),
    anchor: '59d2cde5e65c1414c32ba54f0fe4bdb3d67618125286e6a191317917c812c6d7',
    valuePools: [{ id: 'sprout', monitored: true, chainValue: amount(0), chainValueZat: 0 }],
  };
  if (b.height > 0) o['previousblockhash'] = b.prevHash;
  if (next) o['nextblockhash'] = next.hash;
  o['last_notarized_height'] = chain.notarizedHeight;
  return o;
}

function blockHex(chain: Chain, b: Block): string {
  const w = new ByteWriter().bytes(chain.headerOf(b)).varint(b.txids.length);
  for (const id of b.txids) w.bytes(chain.txs.get(id)!.raw);
  return toHex(w.finish());
}

interface WalletEntry {
  [k: string]: unknown;
}

/** komodod's WalletTxToJSON part of a listtransactions/gettransaction entry. */
function walletTxFields(chain: Chain, rec: TxRecord, into: WalletEntry): void {
  into['rawconfirmations'] = chain.rawConfirmations(rec.height);
  if (isCoinbase(rec.tx)) into['generated'] = true;
  into['confirmations'] = chain.confirmations(rec.height);
  if (rec.height >= 0) {
    const b = chain.blockAt(rec.height)!;
    into['blockhash'] = b.hash;
    into['blockindex'] = rec.blockIndex;
    into['blocktime'] = b.time;
  }
  into['expiryheight'] = rec.tx.expiryHeight;
  into['txid'] = rec.txid;
  into['walletconflicts'] = [];
  into['time'] = rec.time;
  into['timereceived'] = rec.time;
  into['vjoinsplit'] = [];
  into['size'] = rec.raw.length;
}

/** komodod's ListTransactions for one wallet transaction (GetAmounts semantics). */
function walletEntries(chain: Chain, rec: TxRecord, long = true): WalletEntry[] {
  const tx = rec.tx;
  const debit = chain.debit(tx);
  let valueOut = 0;
  for (const o of tx.outputs) valueOut += o.value;
  const fee = debit > 0 ? debit - valueOut : 0;
  const sent: { address?: string; value: number; vout: number }[] = [];
  const received: { address?: string; value: number; vout: number }[] = [];
  tx.outputs.forEach((o, vout) => {
    const hex = toHex(o.script);
    const mine = chain.isMine(hex);
    if (debit > 0) {
      if (chain.isChange(hex)) return;
    } else if (!mine) return;
    const address = addressOfScript(o.script, chain.versions);
    const item = address === undefined ? { value: o.value, vout } : { address, value: o.value, vout };
    if (debit > 0) sent.push(item);
    if (mine) received.push(item);
  });
  const out: WalletEntry[] = [];
  if (sent.length > 0 || fee !== 0) {
    for (const s of sent) {
      const e: WalletEntry = { account: '' };
      if (s.address !== undefined) e['address'] = s.address;
      e['category'] = 'send';
      e['amount'] = amount(-s.value);
      e['vout'] = s.vout;
      e['fee'] = amount(-fee);
      if (long) walletTxFields(chain, rec, e);
      out.push(e);
    }
  }
  if (received.length > 0) {
    for (const r of received) {
      const e: WalletEntry = { account: '' };
      if (r.address !== undefined) e['address'] = r.address;
      if (isCoinbase(tx)) {
        if (rec.height < 0) e['category'] = 'orphan';
        else if (!chain.isMature({ coinbase: true, height: rec.height })) e['category'] = 'immature';
        else e['category'] = 'generate';
      } else e['category'] = 'receive';
      e['amount'] = amount(r.value);
      e['vout'] = r.vout;
      if (long) walletTxFields(chain, rec, e);
      out.push(e);
    }
  }
  return out;
}

function utxoJson(
  chain: Chain,
  u: { txid: string; vout: number; value: number; script: Uint8Array; height: number; coinbase: boolean },
) {
  const address = addressOfScript(u.script, chain.versions);
  const o: Record<string, unknown> = { txid: u.txid, vout: u.vout, generated: u.coinbase };
  if (address !== undefined) {
    o['address'] = address;
    o['segid'] = segidOf(address);
    const wk = chain.keyForAddress(address);
    if (wk?.labelled) o['account'] = '';
  }
  o['amount'] = amount(u.value);
  o['scriptPubKey'] = toHex(u.script);
  o['rawconfirmations'] = chain.rawConfirmations(u.height);
  o['confirmations'] = chain.confirmations(u.height);
  o['spendable'] = true;
  return o;
}

function validateAddressJson(chain: Chain, addr: string): Record<string, unknown> {
  const d = parseAddress(addr, chain.versions);
  if (!d) return { isvalid: false };
  const o: Record<string, unknown> = {
    isvalid: true,
    address: addr,
    scriptPubKey: toHex(d.script),
    segid: segidOf(addr),
  };
  const wk = d.kind === 'pubkeyhash' ? chain.keys.get(toHex(d.hash160)) : undefined;
  o['ismine'] = wk !== undefined;
  o['iswatchonly'] = false;
  o['isscript'] = d.kind === 'scripthash';
  if (wk) {
    o['pubkey'] = toHex(wk.key.pubkey);
    o['iscompressed'] = wk.key.compressed;
  }
  if (wk?.labelled) o['account'] = '';
  return o;
}

function keyFromWifParam(chain: Chain, wif: string): KeyPair {
  const d = keyFromWif(wif);
  if (!d || d.version !== chain.versions.wif)
    throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid private key encoding');
  return d.key;
}

/** createrawtransaction's output keys: address, P2PKH/P2PK/P2SH script hex, or "data". */
function outputScript(chain: Chain, key: string, value: unknown): { script: Uint8Array; value: number } {
  if (key === 'data') {
    if (typeof value !== 'string' || !isHex(value))
      throw fault(RPC.INVALID_PARAMETER, 'Data must be hexadecimal string');
    return { script: opReturnScript(fromHex(value)), value: 0 };
  }
  const d = parseAddress(key, chain.versions);
  if (d) return { script: d.script, value: amountParam(value) };
  if (isHex(key) && key.length > 0) {
    const script = fromHex(key);
    const t = classifyScript(script).type;
    if (t === 'pubkeyhash' || t === 'pubkey' || t === 'scripthash')
      return { script, value: amountParam(value) };
  }
  throw fault(RPC.INVALID_ADDRESS_OR_KEY, `Invalid parameter, unknown destination: ${key}`);
}

// ---- the method table -----------------------------------------------------------------------

function h(usage: string, text: string): string {
  return `${usage}\n\n${text}\n\n(dokomodo devnet: a simulator of komodod, not a real node.)\n`;
}

export const METHODS: Record<string, Method> = {
  getinfo: {
    category: 'Control',
    help: h('getinfo', 'Returns an object containing various state info.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => {
      const ntz = chain.lastNotarization;
      const kmdHeight = chain.kmdHeight();
      const txidHeight = ntz ? ntz.destHeight : 0;
      const o: Record<string, unknown> = {
        version: CLIENT_VERSION,
        protocolversion: PROTOCOL_VERSION,
        KMDversion: KMD_VERSION,
        synced: chain.synced(),
        notarized: ntz?.height ?? 0,
        prevMoMheight: chain.notarizations[chain.notarizations.length - 2]?.height ?? 0,
        notarizedhash: ntz?.blockHash ?? '0'.repeat(64),
        notarizedtxid: ntz?.destTxid ?? '0'.repeat(64),
        notarizedtxid_height: txidHeight > 0 ? txidHeight : 'mempool',
      };
      if (!chain.isKmd) o['KMDnotarized_height'] = kmdHeight;
      o['notarized_confirms'] = txidHeight > 0 && txidHeight < kmdHeight ? kmdHeight - txidHeight + 1 : 0;
      o['walletversion'] = 60000;
      if (chain.isKmd) o['interest'] = amount(0);
      o['balance'] = amount(chain.balance(1));
      o['blocks'] = chain.height;
      o['longestchain'] = chain.longestChain();
      o['tiptime'] = chain.tip.time;
      o['difficulty'] = 1;
      o['keypoololdest'] = chain.blocks[0]!.time;
      o['keypoolsize'] = 101;
      o['paytxfee'] = amount(0);
      o['sapling'] = 61;
      o['timeoffset'] = 0;
      o['connections'] = chain.connections();
      o['proxy'] = '';
      o['testnet'] = false;
      o['relayfee'] = amount(100);
      o['errors'] = '';
      if (chain.pubkey) {
        if (chain.notaryId !== undefined) {
          o['notaryid'] = chain.notaryId;
          if (chain.notaryName !== undefined) o['notaryname'] = chain.notaryName;
          if (chain.lastMined) o['lastmined'] = chain.lastMined;
        }
        o['pubkey'] = chain.pubkey;
      }
      const cc = Number.parseInt(chain.params['ac_cc'] ?? '0', 10);
      if (cc) o['CCid'] = cc;
      o['name'] = chain.name;
      o['p2pport'] = chain.p2pport;
      o['rpcport'] = chain.rpcport;
      if (!chain.isKmd) {
        o['magic'] = chain.magic | 0;
        o['premine'] = Number.parseInt(chain.params['ac_supply'] ?? '10', 10) || 0;
        const reward = chain.params['ac_reward'];
        if (reward !== undefined && reward !== '0') {
          o['reward'] = reward;
          o['halving'] = chain.params['ac_halving'] ?? '0';
          o['decay'] = chain.params['ac_decay'] ?? '0';
          o['endsubsidy'] = chain.params['ac_end'] ?? '0';
          o['notarypay'] = chain.params['ac_notarypay'] ?? '0';
        }
        const perc = chain.params['ac_perc'];
        if (perc && perc !== '0') o['commission'] = Number.parseInt(perc, 10);
        const staked = chain.params['ac_staked'];
        if (staked && staked !== '0') o['staked'] = Number.parseInt(staked, 10);
      }
      return o;
    },
  },

  getblockchaininfo: {
    category: 'Blockchain',
    help: h(
      'getblockchaininfo',
      'Returns an object containing various state info regarding block chain processing.',
    ),
    min: 0,
    max: 0,
    run: (_p, { chain }) => {
      const longest = chain.longestChain();
      return {
        chain: 'main',
        blocks: chain.height,
        synced: chain.synced(),
        headers: chain.height,
        bestblockhash: chain.tip.hash,
        difficulty: 1,
        verificationprogress: longest > 0 ? Math.min(1, chain.height / longest) : 1,
        chainwork: (chain.height + 1).toString(16).padStart(64, '0'),
        pruned: false,
        commitments: 0,
        valuePools: [{ id: 'transparent', monitored: true, chainValue: amount(0), chainValueZat: 0 }],
        softforks: [],
        upgrades: {},
        consensus: { chaintip: '76b809bb', nextblock: '76b809bb' },
      };
    },
  },

  getblockcount: {
    category: 'Blockchain',
    help: h('getblockcount', 'Returns the number of blocks in the best valid block chain.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => chain.height,
  },

  getbestblockhash: {
    category: 'Blockchain',
    help: h('getbestblockhash', 'Returns the hash of the best (tip) block in the longest block chain.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => chain.tip.hash,
  },

  getblockhash: {
    category: 'Blockchain',
    help: h('getblockhash index', 'Returns hash of block in best-block-chain at index provided.'),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      const n = int(p, 0);
      const b = chain.blockAt(n);
      if (n < 0 || !b) throw fault(RPC.INVALID_PARAMETER, 'Block height out of range');
      return b.hash;
    },
  },

  getblock: {
    category: 'Blockchain',
    help: h(
      'getblock "hash|height" ( verbosity )',
      'If verbosity is 0, returns a string that is serialized, hex-encoded data for the block.\nIf verbosity is 1, returns an Object with information about the block.\nIf verbosity is 2, returns an Object with information about the block and information about each transaction.',
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      const key = str(p, 0);
      let verbosity = 1;
      const v = p[1];
      if (typeof v === 'boolean') verbosity = v ? 1 : 0;
      else if (v !== undefined && v !== null) verbosity = int(p, 1);
      if (verbosity < 0 || verbosity > 2)
        throw fault(RPC.INVALID_PARAMETER, 'Verbosity must be in range from 0 to 2');
      let b: Block | undefined;
      if (key.length < 64) {
        if (!/^\d+$/.test(key)) throw fault(RPC.INVALID_PARAMETER, 'Invalid block height parameter');
        const n = Number(key);
        b = chain.blockAt(n);
        if (!b) throw fault(RPC.INVALID_PARAMETER, 'Block height out of range');
      } else {
        b = chain.blockIndex.get(key.toLowerCase());
        if (!b) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Block not found');
      }
      return verbosity === 0 ? blockHex(chain, b) : blockJson(chain, b, verbosity);
    },
  },

  getblockheader: {
    category: 'Blockchain',
    help: h('getblockheader "hash" ( verbose )', 'Returns information about the block header.'),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      const b = chain.blockIndex.get(str(p, 0).toLowerCase());
      if (!b) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Block not found');
      if (p[1] === false) return toHex(chain.headerOf(b));
      const full = blockJson(chain, b, 1);
      delete full['tx'];
      delete full['size'];
      return full;
    },
  },

  getrawtransaction: {
    category: 'Rawtransactions',
    help: h(
      'getrawtransaction "txid" ( verbose )',
      'Return the raw transaction data (hex, or an object when verbose is 1).',
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      const txid = txidParam(p[0], 'parameter 1');
      const verbose =
        p[1] === undefined || p[1] === null ? 0 : typeof p[1] === 'boolean' ? Number(p[1]) : int(p, 1);
      const rec = chain.txs.get(txid) ?? chain.mempool.get(txid);
      if (!rec) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'No information available about transaction');
      const hex = toHex(rec.raw);
      if (!verbose) return hex;
      return { hex, ...txJson(chain, rec.tx, txid, rec) };
    },
  },

  decoderawtransaction: {
    category: 'Rawtransactions',
    help: h(
      'decoderawtransaction "hexstring"',
      'Return a JSON object representing the serialized, hex-encoded transaction.',
    ),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      let tx: Tx;
      let raw: Uint8Array;
      try {
        raw = fromHex(str(p, 0));
        tx = parseTx(raw);
      } catch (e) {
        if (e instanceof RpcFault) throw e;
        throw fault(RPC.DESERIALIZATION_ERROR, 'TX decode failed');
      }
      const id = createHash('sha256')
        .update(createHash('sha256').update(raw).digest())
        .digest()
        .reverse()
        .toString('hex');
      return txJson(chain, tx, id);
    },
  },

  gettxout: {
    category: 'Blockchain',
    help: h('gettxout "txid" n ( includemempool )', 'Returns details about an unspent transaction output.'),
    min: 2,
    max: 3,
    run: (p, { chain }) => {
      const txid = txidParam(p[0]);
      const n = int(p, 1);
      const k = outpointKey(txid, n);
      const u = chain.utxos.get(k);
      const includeMempool = p[2] === undefined ? true : bool(p, 2);
      if (u) {
        if (includeMempool && chain.mempoolSpends.has(k)) return null;
        return {
          bestblock: chain.tip.hash,
          confirmations: chain.confirmations(u.height),
          rawconfirmations: chain.rawConfirmations(u.height),
          value: amount(u.value),
          scriptPubKey: scriptPubKeyJson(u.script, chain),
          version: chain.txs.get(txid)!.tx.version,
          coinbase: u.coinbase,
        };
      }
      const m = includeMempool ? chain.mempool.get(txid) : undefined;
      const o = m?.tx.outputs[n];
      if (!m || !o || chain.mempoolSpends.has(k) || o.script[0] === 0x6a) return null;
      return {
        bestblock: chain.tip.hash,
        confirmations: 0,
        rawconfirmations: 0,
        value: amount(o.value),
        scriptPubKey: scriptPubKeyJson(o.script, chain),
        version: m.tx.version,
        coinbase: false,
      };
    },
  },

  getrawmempool: {
    category: 'Blockchain',
    help: h('getrawmempool ( verbose )', 'Returns all transaction ids in memory pool.'),
    min: 0,
    max: 1,
    run: (p, { chain }) => {
      if (p[0] !== true) return [...chain.mempool.keys()];
      const o: Record<string, unknown> = {};
      for (const rec of chain.mempool.values()) {
        o[rec.txid] = {
          size: rec.raw.length,
          fee: amount(chain.txFee(rec.tx) ?? 0),
          time: rec.time,
          height: chain.height,
          depends: [],
        };
      }
      return o;
    },
  },

  getnetworkinfo: {
    category: 'Network',
    help: h('getnetworkinfo', 'Returns an object containing various state info regarding P2P networking.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => ({
      version: CLIENT_VERSION,
      subversion: SUBVERSION,
      protocolversion: PROTOCOL_VERSION,
      localservices: '0000000070000005',
      timeoffset: 0,
      connections: chain.connections(),
      networks: ['ipv4', 'ipv6', 'onion'].map((name) => ({
        name,
        limited: name === 'onion',
        reachable: name !== 'onion',
        proxy: '',
        proxy_randomize_credentials: false,
      })),
      relayfee: amount(100),
      localaddresses: [],
      warnings: 'dokomodo devnet: simulated komodod, no real network',
    }),
  },

  getpeerinfo: {
    category: 'Network',
    help: h('getpeerinfo', 'Returns data about each connected network node as a json array of objects.'),
    min: 0,
    max: 0,
    run: () => [],
  },

  getconnectioncount: {
    category: 'Network',
    help: h('getconnectioncount', 'Returns the number of connections to other nodes.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => chain.connections(),
  },

  addnode: {
    category: 'Network',
    help: h('addnode "node" "add|remove|onetry"', 'Attempts add or remove a node from the addnode list.'),
    min: 2,
    max: 2,
    run: (p, { chain }) => {
      const node = str(p, 0);
      const cmd = str(p, 1);
      if (cmd !== 'add' && cmd !== 'remove' && cmd !== 'onetry')
        throw fault(RPC.MISC_ERROR, METHODS['addnode']!.help);
      if (cmd === 'add') {
        if (chain.addedNodes.has(node))
          throw fault(RPC.CLIENT_NODE_ALREADY_ADDED, 'Error: Node already added');
        chain.addedNodes.add(node);
      } else if (cmd === 'remove') {
        if (!chain.addedNodes.delete(node))
          throw fault(RPC.CLIENT_NODE_NOT_ADDED, 'Error: Node has not been added.');
      }
      return null;
    },
  },

  getmininginfo: {
    category: 'Mining',
    help: h('getmininginfo', 'Returns a json object containing mining-related information.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => ({
      blocks: chain.height,
      currentblocksize: 0,
      currentblocktx: 0,
      difficulty: 1,
      errors: '',
      genproclimit: chain.genproclimit,
      localsolps: 0,
      networksolps: 0,
      localhashps: 0,
      networkhashps: 0,
      pooledtx: chain.mempool.size,
      testnet: false,
      chain: 'main',
      staking: false,
      generate: chain.generate,
      numthreads: chain.generate ? chain.genproclimit : 0,
    }),
  },

  setgenerate: {
    category: 'Mining',
    help: h(
      'setgenerate generate ( genproclimit )',
      "Set 'generate' true or false to turn generation on or off.",
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      chain.generate = bool(p, 0);
      if (p[1] !== undefined) chain.genproclimit = int(p, 1);
      return null;
    },
  },

  getgenerate: {
    category: 'Mining',
    help: h('getgenerate', 'Return if the server is set to mine coins or not.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => chain.generate,
  },

  getwalletinfo: {
    category: 'Wallet',
    help: h('getwalletinfo', 'Returns an object containing various wallet state info.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) => {
      let txcount = 0;
      for (const _ of chain.walletHistoryNewestFirst()) txcount++;
      return {
        walletversion: 60000,
        balance: amount(chain.balance(1)),
        unconfirmed_balance: amount(chain.balance(0) - chain.balance(1)),
        immature_balance: amount(chain.immatureBalance()),
        txcount,
        keypoololdest: chain.blocks[0]!.time,
        keypoolsize: 101,
        paytxfee: amount(0),
      };
    },
  },

  getbalance: {
    category: 'Wallet',
    help: h(
      'getbalance ( "account" minconf includeWatchonly )',
      "Returns the server's total available balance.",
    ),
    min: 0,
    max: 3,
    run: (p, { chain }) => {
      if (p[0] !== undefined) str(p, 0);
      return amount(chain.balance(optInt(p, 1, 1)));
    },
  },

  listunspent: {
    category: 'Wallet',
    help: h(
      'listunspent ( minconf maxconf  ["address",...] )',
      'Returns array of unspent transaction outputs with between minconf and maxconf (inclusive) confirmations.',
    ),
    min: 0,
    max: 3,
    run: (p, { chain }) => {
      expectType(p, 0, 'number');
      expectType(p, 1, 'number');
      expectType(p, 2, 'array');
      const minconf = optInt(p, 0, 1);
      const maxconf = optInt(p, 1, 9999999);
      let filter: Set<string> | undefined;
      if (Array.isArray(p[2])) {
        filter = new Set();
        for (const a of p[2] as unknown[]) {
          if (typeof a !== 'string' || !parseAddress(a, chain.versions)) {
            throw fault(RPC.INVALID_ADDRESS_OR_KEY, `Invalid Komodo address: ${String(a)}`);
          }
          if (filter.has(a))
            throw fault(RPC.INVALID_PARAMETER, `Invalid parameter, duplicated address: ${a}`);
          filter.add(a);
        }
      }
      const rows = [...chain.walletUtxos(), ...(minconf <= 0 ? chain.walletMempoolOutputs() : [])];
      const out: unknown[] = [];
      for (const u of rows) {
        const confs = u.height < 0 ? 0 : chain.confirmations(u.height);
        const raw = chain.rawConfirmations(u.height);
        if (confs < minconf || raw > maxconf) continue;
        if (filter) {
          const addr = addressOfScript(u.script, chain.versions);
          if (addr === undefined || !filter.has(addr)) continue;
        }
        out.push(utxoJson(chain, u));
      }
      return out;
    },
  },

  listtransactions: {
    category: 'Wallet',
    help: h(
      'listtransactions ( "account" count from includeWatchonly)',
      "Returns up to 'count' most recent transactions skipping the first 'from' transactions for account 'account'.",
    ),
    min: 0,
    max: 4,
    run: (p, { chain }) => {
      if (p[0] !== undefined) str(p, 0);
      const count = optInt(p, 1, 10);
      let from = optInt(p, 2, 0);
      if (count < 0) throw fault(RPC.INVALID_PARAMETER, 'Negative count');
      if (from < 0) throw fault(RPC.INVALID_PARAMETER, 'Negative from');
      const ret: WalletEntry[] = [];
      for (const rec of chain.walletHistoryNewestFirst()) {
        ret.push(...walletEntries(chain, rec));
        if (ret.length >= count + from) break;
      }
      if (from > ret.length) from = ret.length;
      const n = Math.min(count, ret.length - from);
      return ret.slice(from, from + n).reverse();
    },
  },

  gettransaction: {
    category: 'Wallet',
    help: h(
      'gettransaction "txid" ( includeWatchonly )',
      'Get detailed information about in-wallet transaction <txid>.',
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      const txid = txidParam(p[0]);
      const rec = chain.txs.get(txid) ?? chain.mempool.get(txid);
      if (!rec || !chain.touchesWallet(rec.tx))
        throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid or non-wallet transaction id');
      const debit = chain.debit(rec.tx);
      let credit = 0;
      let valueOut = 0;
      for (const o of rec.tx.outputs) {
        valueOut += o.value;
        if (chain.isMine(toHex(o.script))) credit += o.value;
      }
      const o: WalletEntry = { amount: amount(debit > 0 ? credit - valueOut : credit) };
      if (debit > 0) o['fee'] = amount(valueOut - debit);
      walletTxFields(chain, rec, o);
      o['details'] = walletEntries(chain, rec, false);
      o['hex'] = toHex(rec.raw);
      return o;
    },
  },

  validateaddress: {
    category: 'Util',
    help: h('validateaddress "komodoaddress"', 'Return information about the given Komodo address.'),
    min: 1,
    max: 1,
    run: (p, { chain }) => validateAddressJson(chain, str(p, 0)),
  },

  getaddressinfo: {
    category: 'Wallet',
    help: h(
      'getaddressinfo "address"',
      'Return information about the given address (Bitcoin Core style, for devnet chains standing in for BTC-family coins).',
    ),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      const v = validateAddressJson(chain, str(p, 0));
      if (!v['isvalid']) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid address');
      delete v['isvalid'];
      delete v['segid'];
      return { ...v, solvable: v['ismine'] === true, labels: v['account'] === '' ? [''] : [] };
    },
  },

  importprivkey: {
    category: 'Wallet',
    help: h(
      'importprivkey "komodoprivkey" ( "label" rescan height secret_key)',
      'Adds a private key (as returned by dumpprivkey) to your wallet.\n(The devnet wallet always sees the whole chain: every import behaves as if rescanned.)',
    ),
    min: 1,
    max: 5,
    run: (p, { chain }) => {
      const wif = str(p, 0);
      if (p[1] !== undefined) str(p, 1);
      const rescan = p[2] === undefined ? true : bool(p, 2);
      if (p.length === 4 && rescan) {
        const height = int(p, 3);
        if (height < 0 || height > chain.height)
          throw fault(RPC.WALLET_ERROR, 'Rescan height is out of range.');
      }
      let key: KeyPair;
      if (p.length === 5) {
        const d = keyFromWif(wif);
        if (!d) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid private key encoding');
        key = d.key;
      } else key = keyFromWifParam(chain, wif);
      return chain.addKey(key, true).address;
    },
  },

  dumpprivkey: {
    category: 'Wallet',
    help: h('dumpprivkey "t-addr"', "Reveals the private key corresponding to 't-addr'."),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      const addr = str(p, 0);
      const d = parseAddress(addr, chain.versions);
      if (!d) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid Komodo address');
      const wk = d.kind === 'pubkeyhash' ? chain.keys.get(toHex(d.hash160)) : undefined;
      if (!wk) throw fault(RPC.WALLET_ERROR, `Private key for address ${addr} is not known`);
      return wifOf(wk.key, chain.versions.wif);
    },
  },

  getnewaddress: {
    category: 'Wallet',
    help: h('getnewaddress ( "account" )', 'Returns a new Komodo address for receiving payments.'),
    min: 0,
    max: 1,
    run: (p, { chain }) => {
      if (p[0] !== undefined) str(p, 0);
      return chain.addKey(randomKey(), true).address;
    },
  },

  sendtoaddress: {
    category: 'Wallet',
    help: h(
      'sendtoaddress "komodoaddress" amount ( "comment" "comment-to" subtractfeefromamount )',
      'Send an amount to a given address. The amount is a real and is rounded to the nearest 0.00000001',
    ),
    min: 2,
    max: 5,
    run: (p, { chain }) => {
      const addr = str(p, 0);
      const d = parseAddress(addr, chain.versions);
      if (!d) throw fault(RPC.INVALID_ADDRESS_OR_KEY, 'Invalid Komodo address');
      const value = amountParam(p[1]);
      if (value <= 0) throw fault(RPC.TYPE_ERROR, 'Invalid amount for send');
      const subtract = p[4] === undefined ? false : bool(p, 4);
      return chain.sendFromWallet([{ script: d.script, value }], subtract ? [0] : []);
    },
  },

  sendmany: {
    category: 'Wallet',
    help: h(
      'sendmany "fromaccount" {"address":amount,...} ( minconf "comment" ["address",...] )',
      'Send multiple times.',
    ),
    min: 2,
    max: 5,
    run: (p, { chain }) => {
      str(p, 0);
      const to = p[1];
      if (typeof to !== 'object' || to === null || Array.isArray(to))
        throw fault(RPC.TYPE_ERROR, `Expected type object, got ${typeName(to)}`);
      const outs: { script: Uint8Array; value: number }[] = [];
      const addrs: string[] = [];
      for (const [addr, v] of Object.entries(to as Record<string, unknown>)) {
        const d = parseAddress(addr, chain.versions);
        if (!d) throw fault(RPC.INVALID_ADDRESS_OR_KEY, `Invalid Komodo address: ${addr}`);
        const value = amountParam(v);
        if (value <= 0) throw fault(RPC.TYPE_ERROR, 'Invalid amount for send');
        outs.push({ script: d.script, value });
        addrs.push(addr);
      }
      const subtract: number[] = [];
      if (Array.isArray(p[4]))
        for (const a of p[4] as unknown[])
          if (typeof a === 'string' && addrs.includes(a)) subtract.push(addrs.indexOf(a));
      return chain.sendFromWallet(outs, subtract);
    },
  },

  createrawtransaction: {
    category: 'Rawtransactions',
    help: h(
      'createrawtransaction [{"txid":"id","vout":n},...] {"address":amount,...} ( locktime ) ( expiryheight )',
      'Create a transaction spending the given inputs and sending to the given addresses.\nOutput keys may also be P2PKH, P2PK or P2SH script hex, or "data" for an OP_RETURN.',
    ),
    min: 2,
    max: 4,
    run: (p, { chain }) => {
      expectType(p, 0, 'array');
      expectType(p, 1, 'object');
      const locktime = optInt(p, 2, 0);
      if (locktime < 0 || locktime > 0xffffffff)
        throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, locktime out of range');
      const nextHeight = chain.height + 1;
      const expiry = optInt(p, 3, nextHeight + 20);
      if (expiry < 0 || expiry >= 500_000_000)
        throw fault(
          RPC.INVALID_PARAMETER,
          'Invalid parameter, expiryheight must be nonnegative and less than 500000000.',
        );
      const tx = newTx({ sapling: true, locktime, expiryHeight: expiry });
      for (const input of p[0] as unknown[]) {
        if (typeof input !== 'object' || input === null)
          throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, expected object');
        const o = input as Record<string, unknown>;
        const txid = txidParam(o['txid']);
        if (typeof o['vout'] !== 'number' || !Number.isInteger(o['vout']))
          throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, missing vout key');
        if (o['vout'] < 0) throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, vout must be positive');
        let sequence = locktime ? 0xfffffffe : 0xffffffff;
        if (typeof o['sequence'] === 'number') sequence = o['sequence'] >>> 0;
        tx.inputs.push({ txid, vout: o['vout'], script: new Uint8Array(0), sequence });
      }
      const seen = new Set<string>();
      for (const [key, v] of Object.entries(p[1] as Record<string, unknown>)) {
        const out = outputScript(chain, key, v);
        const id = toHex(out.script);
        if (seen.has(id)) throw fault(RPC.INVALID_PARAMETER, `Invalid parameter, duplicated address: ${key}`);
        seen.add(id);
        tx.outputs.push(out);
      }
      return toHex(serializeTx(tx));
    },
  },

  signrawtransaction: {
    category: 'Rawtransactions',
    help: h(
      'signrawtransaction "hexstring" ( [{"txid":"id","vout":n,"scriptPubKey":"hex","redeemScript":"hex","amount":value},...] ["privatekey1",...] sighashtype )',
      'Sign inputs for raw transaction (serialized, hex-encoded). Only SIGHASH_ALL is simulated.',
    ),
    min: 1,
    max: 4,
    run: (p, { chain }) => {
      const hex = str(p, 0);
      const prevtxs: { txid: string; vout: number; scriptPubKey: string; amount?: number }[] = [];
      if (Array.isArray(p[1])) {
        for (const pt of p[1] as unknown[]) {
          const o = (pt ?? {}) as Record<string, unknown>;
          const txid = txidParam(o['txid']);
          if (typeof o['vout'] !== 'number') throw fault(RPC.INVALID_PARAMETER, 'vout must be positive');
          if (typeof o['scriptPubKey'] !== 'string' || !isHex(o['scriptPubKey']))
            throw fault(RPC.INVALID_PARAMETER, 'scriptPubKey must be hexadecimal');
          const entry: { txid: string; vout: number; scriptPubKey: string; amount?: number } = {
            txid,
            vout: o['vout'],
            scriptPubKey: o['scriptPubKey'],
          };
          if (o['amount'] !== undefined) entry.amount = amountParam(o['amount']);
          prevtxs.push(entry);
        }
      }
      let keys: KeyPair[] | undefined;
      if (Array.isArray(p[2])) keys = (p[2] as unknown[]).map((w) => keyFromWifParam(chain, String(w)));
      if (p[3] !== undefined && p[3] !== 'ALL')
        throw fault(RPC.INVALID_PARAMETER, 'Invalid sighash param (devnet simulates ALL only)');
      return chain.signRawTransaction(hex, prevtxs, keys);
    },
  },

  sendrawtransaction: {
    category: 'Rawtransactions',
    help: h(
      'sendrawtransaction "hexstring" ( allowhighfees )',
      'Submits raw transaction (serialized, hex-encoded) to local node and network.',
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => chain.acceptRawTransaction(str(p, 0)),
  },

  lockunspent: {
    category: 'Wallet',
    help: h(
      'lockunspent unlock [{"txid":"txid","vout":n},...]',
      'Updates list of temporarily unspendable outputs.',
    ),
    min: 1,
    max: 2,
    run: (p, { chain }) => {
      const unlock = bool(p, 0);
      if (p[1] === undefined || p[1] === null) {
        chain.lockUnspent(unlock, undefined);
        return true;
      }
      expectType(p, 1, 'array');
      const outs = (p[1] as unknown[]).map((o) => {
        const r = (o ?? {}) as Record<string, unknown>;
        const txid = txidParam(r['txid']);
        if (typeof r['vout'] !== 'number' || r['vout'] < 0)
          throw fault(RPC.INVALID_PARAMETER, 'Invalid parameter, vout must be positive');
        return { txid, vout: r['vout'] };
      });
      chain.lockUnspent(unlock, outs);
      return true;
    },
  },

  listlockunspent: {
    category: 'Wallet',
    help: h('listlockunspent', 'Returns list of temporarily unspendable outputs.'),
    min: 0,
    max: 0,
    run: (_p, { chain }) =>
      [...chain.locked].map((k) => {
        const i = k.lastIndexOf(':');
        return { txid: k.slice(0, i), vout: Number(k.slice(i + 1)) };
      }),
  },

  cleanwallettransactions: {
    category: 'Wallet',
    help: h(
      'cleanwallettransactions "txid"',
      'Remove all txs that are spent. The devnet wallet keeps nothing to prune.',
    ),
    min: 0,
    max: 1,
    run: (_p, { chain }) => {
      let n = 0;
      for (const _ of chain.walletHistoryNewestFirst()) n++;
      return { total_transactions: n, remaining_transactions: n, removed_transactions: 0 };
    },
  },

  convertpassphrase: {
    category: 'Wallet',
    help: h(
      'convertpassphrase "agamapassphrase"',
      'Converts Agama passphrase to a private key and WIF (for import with importprivkey).',
    ),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      const pass = str(p, 0);
      const key = keyFromPassphrase(pass);
      return {
        agamapassphrase: pass,
        address: pubkeyAddress(key.pubkey, chain.versions.pubtype),
        pubkey: toHex(key.pubkey),
        privkey: toHex(key.privkey),
        wif: wifOf(key, chain.versions.wif),
      };
    },
  },

  calc_MoM: {
    category: 'Crosschain',
    help: h(
      'calc_MoM height MoMdepth',
      'Calculates the merkle root of the block merkle roots of MoMdepth blocks ending at height.',
    ),
    min: 2,
    max: 2,
    run: (p, { chain }) => {
      const height = typeof p[0] === 'string' ? Number.parseInt(p[0], 10) : int(p, 0);
      const depth = typeof p[1] === 'string' ? Number.parseInt(p[1], 10) : int(p, 1);
      if (!(height > 0) || !(depth > 0) || height > chain.height)
        throw fault(RPC.MISC_ERROR, 'calc_MoM illegal height or MoMdepth');
      return {
        coin: chain.name,
        notarized_height: height,
        MoMdepth: depth,
        MoM: toHex(chain.momOf(height, depth).reverse()),
      };
    },
  },

  MoMoMdata: {
    category: 'Crosschain',
    help: h(
      'MoMoMdata symbol kmdheight ccid',
      "The MoMoM of a CCid's notarizations on KMD below kmdheight − 5 (Iguana adds `data` to a notarization).",
    ),
    min: 3,
    max: 3,
    run: (p, { chain }) => {
      const symbol = String(p[0]);
      const kmdheight = typeof p[1] === 'string' ? Number.parseInt(p[1], 10) : int(p, 1);
      const ccid = typeof p[2] === 'string' ? Number.parseInt(p[2], 10) : int(p, 2);
      return chain.moMoMdata(
        symbol,
        Number.isFinite(kmdheight) ? kmdheight : 0,
        Number.isFinite(ccid) ? ccid : 0,
      );
    },
  },

  getNotarisationsForBlock: {
    category: 'Crosschain',
    help: h(
      'getNotarisationsForBlock blockHash',
      "Takes a block height and returns the notarisation transactions found in it (this chain's own back-notarizations).",
    ),
    min: 1,
    max: 1,
    run: (p, { chain }) => {
      const height = typeof p[0] === 'string' ? Number.parseInt(p[0], 10) : int(p, 0);
      const b = chain.blockAt(height);
      if (!b) throw fault(RPC.INVALID_PARAMETER, 'Block height out of range');
      const ids = new Set(b.txids);
      const list = chain.notarizations
        .filter((n) => ids.has(n.txid))
        .map((n) => ({
          txid: n.txid,
          chain: chain.name,
          height: n.height,
          blockhash: n.blockHash,
          notaries: chain.notaryId !== undefined && n.participated ? [chain.notaryId] : [],
        }));
      return chain.isKmd ? { KMD: list, LABS: [] } : { [chain.name]: list };
    },
  },

  scanNotarisationsDB: {
    category: 'Crosschain',
    help: h(
      'scanNotarisationsDB blockHeight symbol [blocksLimit=1440]',
      'Scans notarisationsdb backwards from height for a notarisation of given symbol.',
    ),
    min: 2,
    max: 3,
    run: (p, { chain }) => {
      const hs = str(p, 0);
      const symbol = str(p, 1);
      const limit = p[2] === undefined ? 1440 : Number.parseInt(str(p, 2), 10);
      let height = Number.parseInt(hs, 10);
      if (!(height >= 0)) throw fault(RPC.MISC_ERROR, 'Invalid height');
      if (height === 0) height = chain.height;
      for (let i = chain.notarizations.length - 1; i >= 0; i--) {
        const n = chain.notarizations[i]!;
        const rec = chain.txs.get(n.txid);
        if (!rec || rec.height > height) continue;
        if (rec.height < height - limit) break;
        if (symbol !== chain.name) continue;
        return { height: rec.height, hash: n.txid, opreturn: n.opreturn };
      }
      return null;
    },
  },

  devnet_mine: {
    category: 'Devnet',
    help: h(
      'devnet_mine ( nblocks )',
      'Devnet only: mines nblocks (default 1) blocks now and returns their hashes.',
    ),
    min: 0,
    max: 1,
    run: (p, { chain }) => {
      const n = optInt(p, 0, 1);
      if (n < 0 || n > 10_000) throw fault(RPC.INVALID_PARAMETER, 'nblocks must be between 0 and 10000');
      return chain.mine(n);
    },
  },

  devnet_notarize: {
    category: 'Devnet',
    help: h(
      'devnet_notarize ( height )',
      'Devnet only: simulates a dPoW notarization of height (default: tip minus the notarization lag) now.',
    ),
    min: 0,
    max: 1,
    run: (p, { chain }) => {
      const n = p[0] === undefined ? chain.notarize() : chain.notarize(int(p, 0));
      return { height: n.height, txid: n.txid, desttxid: n.destTxid, participated: n.participated };
    },
  },

  stop: {
    category: 'Control',
    help: h('stop', `Stop ${'Komodo'} server.`),
    min: 0,
    max: 1,
    run: (_p, ctx) => {
      ctx.requestStop();
      return `${ctx.chain.isKmd ? 'Komodo' : ctx.chain.name} server stopping`;
    },
  },

  help: {
    category: 'Control',
    help: h('help ( "command" )', 'List all commands, or get help for a specified command.'),
    min: 0,
    max: 1,
    run: (p) => {
      if (p[0] !== undefined) {
        const name = str(p, 0);
        const m = METHODS[name];
        return m ? m.help : `help: unknown command: ${name}`;
      }
      return helpIndex();
    },
  },
};

function helpIndex(): string {
  const byCat = new Map<string, string[]>();
  for (const m of Object.values(METHODS)) {
    const list = byCat.get(m.category) ?? [];
    list.push(m.help.split('\n', 1)[0]!);
    byCat.set(m.category, list);
  }
  const parts = ['dokomodo devnet: a simulator of komodod (not a real node). Supported commands:'];
  for (const [cat, list] of [...byCat].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push('', `== ${cat} ==`, ...list.sort());
  }
  return parts.join('\n');
}

/**
 * Runs one method: parameter count check (-1 with help text), then the handler. Unknown methods
 * throw -32601. Non-RpcFault exceptions are internal errors and surface as -1 like komodod's
 * std::exception path.
 */
export function dispatch(method: string, params: readonly unknown[], ctx: MethodContext): unknown {
  const m = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!m) throw fault(RPC.METHOD_NOT_FOUND, 'Method not found');
  if (params.length < m.min || params.length > m.max) throw fault(RPC.MISC_ERROR, m.help);
  try {
    return m.run(params, ctx);
  } catch (e) {
    if (e instanceof RpcFault) throw e;
    throw fault(RPC.MISC_ERROR, e instanceof Error ? e.message : String(e));
  }
}
