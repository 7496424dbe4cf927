/**
 * The -ac_* parameters of an assetchain: the table of everything komodod reads, komodod's exact
 * parsing and normalisation (reference §1.2/§1.3), and the strict checks dokomodo makes before it
 * launches a chain (§1.10). Pure: no I/O.
 */

/**
 * Which daemon computes the chain identity:
 * - `komodo`: upstream komodod (2022 and later) — the default.
 * - `legacy`: komodod before 2022, which also hashed `ac_algo`, `ac_veruspos` and `ac_cbopret`
 *   (needed for e.g. LUMBER).
 * - `marmara`: the Marmara fork (MCL), which is legacy komodod plus the `ac_marmara` byte.
 */
export type Rules = 'komodo' | 'legacy' | 'marmara';

/**
 * How a value is written after `=`:
 * `int` one decimal integer; `list` comma-separated decimal integers; `string` free text;
 * `hex` an even number of hex digits; `pubkey` a 33-byte compressed public key as 66 hex digits.
 */
export type ParamKind = 'int' | 'list' | 'string' | 'hex' | 'pubkey';

export interface ParamSpec {
  kind: ParamKind;
  /** True when the value can change the network magic and the default ports. */
  affectsMagic: boolean;
  doc: string;
  /** The daemons that read this parameter; absent means all of them. */
  rules?: Rules[];
}

const LEGACY: Rules[] = ['legacy', 'marmara'];

/**
 * Every -ac_* option komodod reads, keyed without the dash (`ac_supply`). `ac_name` is not in the
 * table: the chain name is passed separately everywhere.
 */
export const AC_PARAMS: Readonly<Record<string, ParamSpec>> = Object.freeze({
  ac_supply: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Coins created in block 1 (default 10; at most 90 billion).',
  },
  ac_reward: { kind: 'list', affectsMagic: true, doc: 'Block reward in satoshis, one value per era.' },
  ac_end: { kind: 'list', affectsMagic: true, doc: 'Block height at which each era ends (0 = never).' },
  ac_halving: { kind: 'list', affectsMagic: true, doc: 'Blocks between reward reductions, per era.' },
  ac_decay: { kind: 'list', affectsMagic: true, doc: 'Reward reduction per halving in 1e-8 units, per era.' },
  ac_notarypay: {
    kind: 'list',
    affectsMagic: true,
    doc: 'Satoshis paid to the notaries per notarization, per era.',
  },
  ac_eras: { kind: 'int', affectsMagic: true, doc: 'Number of reward eras, 1 to 7 (default 1).' },
  ac_perc: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Commission to ac_pubkey/ac_script in 1e-8 units; needs ac_pubkey or ac_script.',
  },
  ac_founders: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Founders reward interval in blocks; needs ac_pubkey or ac_script.',
  },
  ac_founders_reward: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Fixed founders reward in satoshis; excludes ac_perc.',
  },
  ac_pubkey: {
    kind: 'pubkey',
    affectsMagic: true,
    doc: 'Compressed public key receiving commission/founders rewards.',
  },
  ac_script: { kind: 'hex', affectsMagic: true, doc: 'Output script (hex) receiving founders rewards.' },
  ac_staked: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Percentage of blocks that are proof of stake (0–100).',
  },
  ac_cc: { kind: 'int', affectsMagic: true, doc: 'Crypto-conditions cluster id (0 = off).' },
  ac_ccenable: {
    kind: 'list',
    affectsMagic: true,
    doc: 'Eval codes of the enabled contracts; only read with ac_cc.',
  },
  ac_cclib: {
    kind: 'string',
    affectsMagic: true,
    doc: 'Name of the cclib contract library; only read with ac_cc.',
  },
  ac_public: { kind: 'int', affectsMagic: true, doc: '1 = transparent-only chain.' },
  ac_private: { kind: 'int', affectsMagic: true, doc: '1 = shielded-only chain (PIRATE only).' },
  ac_txpow: { kind: 'int', affectsMagic: true, doc: 'Transaction proof of work level (0–3).' },
  ac_blocktime: { kind: 'int', affectsMagic: true, doc: 'Target block time in seconds (default 60).' },
  ac_timelockgte: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Coinbase outputs at or above this value are time-locked.',
  },
  ac_timeunlockfrom: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Start of the coinbase unlock window (blocks).',
  },
  ac_timeunlockto: { kind: 'int', affectsMagic: true, doc: 'End of the coinbase unlock window (blocks).' },
  ac_nk: {
    kind: 'list',
    affectsMagic: true,
    doc: 'Equihash N,K (supported: 200,9 210,9 150,5 144,5 96,5 48,5).',
  },
  ac_snapshot: { kind: 'int', affectsMagic: true, doc: 'Blocks between address snapshots (0 = off).' },
  ac_earlytxidcontract: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Eval code of the contract bound to -earlytxid.',
  },
  ac_cbmaturity: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Coinbase maturity in blocks (must be at least 1 when set).',
  },
  ac_adaptivepow: { kind: 'int', affectsMagic: true, doc: 'Adaptive proof of work difficulty (0 = off).' },
  ac_mineropret: { kind: 'hex', affectsMagic: true, doc: 'Miner OP_RETURN template bytes (hex).' },
  ac_import: {
    kind: 'string',
    affectsMagic: true,
    doc: 'Self-import mode: PUBKEY, BEAM, CODA or a gateway coin.',
  },
  ac_beam: {
    kind: 'int',
    affectsMagic: true,
    doc: 'BEAM rpc port for ac_import=BEAM (current komodod refuses it).',
  },
  ac_coda: { kind: 'int', affectsMagic: true, doc: 'CODA rpc port for ac_import=CODA.' },
  ac_algo: {
    kind: 'string',
    affectsMagic: true,
    doc: 'Mining algorithm; current komodod knows only equihash, legacy daemons also verushash and verushash11.',
  },
  ac_veruspos: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Verus proof of stake (legacy daemons).',
    rules: LEGACY,
  },
  ac_cbopret: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Coinbase OP_RETURN price feed flags (legacy daemons).',
    rules: LEGACY,
  },
  ac_prices: {
    kind: 'string',
    affectsMagic: true,
    doc: 'Price feed symbols for ac_cbopret (legacy daemons).',
    rules: LEGACY,
  },
  ac_stocks: {
    kind: 'string',
    affectsMagic: true,
    doc: 'Stock symbols for ac_cbopret (legacy daemons).',
    rules: LEGACY,
  },
  ac_marmara: {
    kind: 'int',
    affectsMagic: true,
    doc: 'Marmara credit loops (Marmara daemon only).',
    rules: ['marmara'],
  },
  ac_sapling: { kind: 'int', affectsMagic: false, doc: 'Sapling activation height.' },
  ac_overwinter: { kind: 'int', affectsMagic: false, doc: 'Overwinter activation height.' },
  ac_ccactivate: {
    kind: 'int',
    affectsMagic: false,
    doc: 'Height at which CC contracts activate (sets ac_cc=2).',
  },
  ac_ccactivateht: {
    kind: 'list',
    affectsMagic: false,
    doc: 'Pairs eval code,height: activation height per contract.',
  },
} satisfies Record<string, ParamSpec>);

/** A problem with a parameter set. `param` is the `ac_*` key (or `ac_name`) it concerns. */
export interface ParamProblem {
  param: string;
  code: string;
  message: string;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// komodod's parsers

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
const UINT64_MAX = 0xffffffffffffffffn;

/** C isspace() in the "C" locale. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `strtoll(s, NULL, 10)`: leading space and one sign, digits up to the first non-digit, clamped. */
export function strtoll(s: string): bigint {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  const start = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i === start) return 0n;
  let v = BigInt(s.slice(start, i));
  if (neg) v = -v;
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return v;
}

/**
 * komodod's `Split`: reads unsigned 64-bit integers the way `std::stringstream >> uint64_t` does
 * (whitespace, optional sign with strtoull wrap-around, overflow stops the read), each followed by
 * optional spaces, one optional comma and spaces. Unfilled slots repeat the last value read.
 * komodod writes past its array when given more values than slots; we keep the first `slots`.
 */
export class SplitList {
  readonly values: readonly bigint[];
  readonly last: bigint;
  constructor(values: bigint[], last: bigint) {
    this.values = values;
    this.last = last;
  }
  /** The value komodod has in slot `i` of its array. */
  at(i: number): bigint {
    return i < this.values.length ? this.values[i]! : this.last;
  }
}

const EMPTY_SPLIT = new SplitList([], 0n);

/** komodod's Split of a list option into `slots` slots (absent or empty: all zero). */
export function splitList(s: string | undefined, slots: number): SplitList {
  if (s === undefined || s === '') return EMPTY_SPLIT;
  const out: bigint[] = [];
  let i = 0;
  const n = s.length;
  while (i < n && s.charCodeAt(i) === 32) i++;
  while (out.length < slots) {
    // operator>> skips any whitespace before the number
    while (i < n && isCSpace(s.charCodeAt(i))) i++;
    let neg = false;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) {
      neg = sign === 45;
      i++;
    }
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === start) break;
    let v = BigInt(s.slice(start, i));
    if (v > UINT64_MAX) break;
    if (neg) v = BigInt.asUintN(64, -v);
    out.push(v);
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i < n && s.charCodeAt(i) === 44) i++;
    while (i < n && s.charCodeAt(i) === 32) i++;
  }
  return new SplitList(out, out.length > 0 ? out[out.length - 1]! : 0n);
}

function unhex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * komodod's `decode_hex(bytes, n, hex)` for the `n` bytes it counts: all zero unless the first `n`
 * characters are hex digits; an odd-length string contributes its first digit as a byte of its own;
 * a non-hex digit inside the pair decodes as -1 (so bits get set).
 */
export function komodoDecodeHex(hex: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= 0) return out;
  for (let i = 0; i < n; i++) if (i >= hex.length || unhex(hex[i]!) < 0) return out;
  let off = 0;
  let o = 0;
  if (hex.length === 2 * n + 1) {
    out[o++] = unhex(hex[0]!) & 0xff;
    off = 1;
  }
  for (let i = 0; o < n; i++, o++) {
    const hi = unhex(hex[off + 2 * i] ?? 0);
    const lo = unhex(hex[off + 2 * i + 1] ?? 0);
    out[o] = ((hi << 4) | lo) & 0xff;
  }
  return out;
}

/** komodod's (legacy) `SplitStr`: tokens separated by whitespace or commas. [source only] */
function splitStr(s: string): string[] {
  return s.split(/[\s,]+/).filter((t) => t !== '');
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Normalisation (reference §1.3)

/** komodod's ac_supply default (its -help text says 0; the code and published chains say 10). */
export const DEFAULT_SUPPLY = 10n;
export const ERA_SLOTS = 8;
export const MAX_ERAS = 7;
export const TIMELOCK_OFF = UINT64_MAX;
/** Commission komodod assumes for founders rewards without ac_perc (35%). */
export const DEFAULT_FOUNDERS_COMMISSION = 53846154n;
const LEGACY_ALGOS = ['equihash', 'verushash', 'verushash11'];

/** The chain variables komodod derives from the -ac_* options, with its C types respected. */
export interface NormalizedParams {
  supply: bigint;
  /** ac_eras - 1, 0..6. */
  lastEra: number;
  end: SplitList;
  reward: SplitList;
  halving: SplitList;
  /** Decay per era after the resets of §1.3; index 0..lastEra. */
  decay: bigint[];
  notaryPay: SplitList;
  timelockGte: bigint;
  timeUnlockFrom: bigint;
  timeUnlockTo: bigint;
  algo: number;
  verusPos: number;
  txpow: number;
  founders: number;
  foundersReward: bigint;
  /** Commission after the pubkey/script rules (0 without them; 53846154 for founders without ac_perc). */
  commission: bigint;
  /** ac_perc as given, before the pubkey/script rules (komodod checks some refusals on it). */
  rawCommission: bigint;
  /** True when ac_pubkey is exactly 66 characters. */
  hasPubkey: boolean;
  pubkey33: Uint8Array;
  /** True when ac_script is longer than one character. */
  hasScript: boolean;
  script: Uint8Array;
  importName: Uint8Array;
  importString: string;
  beam: number;
  coda: number;
  marmara: number;
  cc: number;
  staked: number;
  isPublic: number;
  isPrivate: number;
  /** Number of enabled CC codes komodod counts, and the 32-byte disable bitmap when > 0. */
  ccCount: number;
  disableBits: Uint8Array | undefined;
  cclib: Uint8Array;
  blocktime: number;
  nk: [bigint, bigint];
  snapshot: number;
  earlyTxidContract: number;
  cbMaturity: number;
  adaptivePow: number;
  mineropret: Uint8Array;
  cbopret: bigint;
  prices: string[];
  stocks: string[];
}

/** strtoll as a JS number when it is exactly representable (at most 15 digits), else undefined. */
function strtollSmall(s: string): number | undefined {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  const start = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  if (i - start > 15) return undefined;
  const v = i === start ? 0 : Number(s.slice(start, i));
  return neg ? -v : v;
}

/** strtoll then the conversion to a C integer of `bits` bits, as the assignment in komodod does. */
function cInt(s: string, bits: 8 | 16 | 32, signed: boolean): number {
  const v = strtollSmall(s);
  if (v === undefined) {
    const b = strtoll(s);
    return Number(signed ? BigInt.asIntN(bits, b) : BigInt.asUintN(bits, b));
  }
  if (bits === 32) return signed ? v | 0 : v >>> 0;
  const m = (v >>> 0) & (bits === 16 ? 0xffff : 0xff);
  return signed && m >= 1 << (bits - 1) ? m - (1 << bits) : m;
}

/** strtoll then the conversion to uint64_t, as komodod reads ac_supply and the other 64-bit options. */
export function parseU64(s: string): bigint {
  const v = strtollSmall(s);
  return v === undefined
    ? BigInt.asUintN(64, strtoll(s))
    : v >= 0
      ? BigInt(v)
      : BigInt.asUintN(64, BigInt(v));
}

function ccDisableBits(list: SplitList): { count: number; bits: Uint8Array | undefined } {
  let count = 0;
  let prev = 0n;
  for (let i = 0; i < 256; i++) {
    const v = list.at(i);
    // komodod keeps the previous code in a uint8_t but compares the full 64-bit value with it
    if (v !== prev && v !== 0n) {
      count++;
      prev = v & 0xffn;
    }
  }
  if (count === 0) return { count, bits: undefined };
  const bits = new Uint8Array(32).fill(0xff);
  for (let i = 0; i < count; i++) {
    const b = Number(list.at(i) & 0xffn);
    bits[b >> 3]! &= ~(1 << (b & 7));
  }
  bits[0]! &= ~1;
  return { count, bits };
}

// Shared read-only empties keep the common case free of allocations.
const NO_BYTES = new Uint8Array(0);
const ZERO_PUBKEY = new Uint8Array(33);

/**
 * komodod's chain variables for a parameter set (params as the strings after `=`; unknown keys are
 * ignored, as komodod ignores them). Never throws: garbage parses the way komodod parses it.
 * The returned byte arrays may be shared: do not modify them.
 */
export function normalizeParams(
  params: Readonly<Record<string, string>>,
  rules: Rules = 'komodo',
): NormalizedParams {
  const legacy = rules !== 'komodo';
  let supply = DEFAULT_SUPPLY;
  let eras = 1n;
  let timelockGte = TIMELOCK_OFF;
  let timeUnlockFrom = 0n;
  let timeUnlockTo = 0n;
  let end = EMPTY_SPLIT;
  let reward = EMPTY_SPLIT;
  let halving = EMPTY_SPLIT;
  let decayList = EMPTY_SPLIT;
  let notaryPay = EMPTY_SPLIT;
  let algo = 0;
  let verusPos = 0;
  let txpow = 0;
  let founders = 0;
  let foundersReward = 0n;
  let rawCommission = 0n;
  let pubkeyBytes: Uint8Array = NO_BYTES;
  let scriptBytes: Uint8Array = NO_BYTES;
  let importString = '';
  let beam = 0;
  let coda = 0;
  let marmara = 0;
  let cc = 0;
  let staked = 0;
  let isPublic = 0;
  let isPrivate = 0;
  let ccenable: string | undefined;
  let cclibString: string | undefined;
  let blocktime = 60;
  let nk: [bigint, bigint] = [0n, 0n];
  let snapshot = 0;
  let earlyTxidContract = 0;
  let cbMaturity = 0;
  let adaptivePow = 0;
  let mineropret: Uint8Array = NO_BYTES;
  let cbopret = 0n;
  let pricesString = '';
  let stocksString = '';

  for (const key of Object.keys(params)) {
    const v = params[key]!;
    switch (key) {
      case 'ac_supply':
        supply = parseU64(v);
        break;
      case 'ac_eras':
        eras = parseU64(v);
        break;
      case 'ac_timelockgte':
        timelockGte = parseU64(v);
        break;
      case 'ac_timeunlockfrom':
        timeUnlockFrom = parseU64(v);
        break;
      case 'ac_timeunlockto':
        timeUnlockTo = parseU64(v);
        break;
      case 'ac_end':
        end = splitList(v, ERA_SLOTS);
        break;
      case 'ac_reward':
        reward = splitList(v, ERA_SLOTS);
        break;
      case 'ac_halving':
        halving = splitList(v, ERA_SLOTS);
        break;
      case 'ac_decay':
        decayList = splitList(v, ERA_SLOTS);
        break;
      case 'ac_notarypay':
        notaryPay = splitList(v, ERA_SLOTS);
        break;
      case 'ac_algo':
        if (legacy) algo = Math.max(0, LEGACY_ALGOS.indexOf(v));
        break;
      case 'ac_veruspos':
        if (legacy && cInt(v, 32, true) !== 0) verusPos = 50;
        break;
      case 'ac_cbopret':
        if (legacy) cbopret = parseU64(v);
        break;
      case 'ac_prices':
        pricesString = v;
        break;
      case 'ac_stocks':
        stocksString = v;
        break;
      case 'ac_txpow':
        txpow = cInt(v, 8, false) & 3;
        break;
      case 'ac_founders':
        founders = cInt(v, 32, true);
        break;
      case 'ac_founders_reward':
        foundersReward = parseU64(v);
        break;
      case 'ac_perc':
        rawCommission = parseU64(v);
        break;
      case 'ac_pubkey':
        pubkeyBytes = utf8.encode(v);
        break;
      case 'ac_script':
        scriptBytes = utf8.encode(v);
        break;
      case 'ac_import':
        importString = v;
        break;
      case 'ac_beam':
        beam = cInt(v, 16, false);
        break;
      case 'ac_coda':
        coda = cInt(v, 16, false);
        break;
      case 'ac_marmara':
        if (rules === 'marmara') marmara = cInt(v, 32, true);
        break;
      case 'ac_cc':
        cc = cInt(v, 32, false);
        break;
      case 'ac_ccenable':
        ccenable = v;
        break;
      case 'ac_cclib':
        cclibString = v;
        break;
      case 'ac_staked':
        staked = cInt(v, 32, true);
        break;
      case 'ac_public':
        isPublic = cInt(v, 8, false);
        break;
      case 'ac_private':
        isPrivate = cInt(v, 8, false);
        break;
      case 'ac_blocktime':
        blocktime = cInt(v, 32, true);
        break;
      case 'ac_nk': {
        const l = splitList(v, 2);
        nk = [l.at(0), l.at(1)];
        break;
      }
      case 'ac_snapshot':
        snapshot = cInt(v, 32, true);
        break;
      case 'ac_earlytxidcontract':
        earlyTxidContract = cInt(v, 32, true);
        break;
      case 'ac_cbmaturity':
        cbMaturity = cInt(v, 32, true);
        break;
      case 'ac_adaptivepow':
        adaptivePow = cInt(v, 8, true);
        break;
      case 'ac_mineropret': {
        const b = utf8.encode(v);
        mineropret = komodoDecodeHex(b, b.length >> 1);
        break;
      }
    }
  }

  const lastEra = eras < 1n || eras > BigInt(MAX_ERAS) ? 0 : Number(eras) - 1;
  if (timeUnlockFrom > timeUnlockTo) {
    timelockGte = TIMELOCK_OFF;
    timeUnlockFrom = 0n;
    timeUnlockTo = 0n;
  }
  const decay: bigint[] = [];
  for (let i = 0; i <= lastEra; i++) {
    let d = decayList.at(i);
    // Before 2022 komodod compared the end array itself with 0 (always false), so only the
    // "above 100%" reset applied there.
    if (d === 100000000n && !legacy && end.at(i) === 0n) d = 0n;
    else if (d > 100000000n) d = 0n;
    decay.push(d);
  }
  let prices: string[] = [];
  let stocks: string[] = [];
  if (cbopret !== 0n) {
    prices = splitStr(pricesString);
    if (prices.length > 0) cbopret |= 4n;
    stocks = splitStr(stocksString);
    if (stocks.length > 0) cbopret |= 8n;
  }
  let ccCount = 0;
  let disableBits: Uint8Array | undefined;
  let cclib: Uint8Array = NO_BYTES;
  if (cc !== 0) {
    if (cclibString) cclib = utf8.encode(cclibString);
    if (ccenable) {
      const r = ccDisableBits(splitList(ccenable, 256));
      ccCount = r.count;
      disableBits = r.bits;
    }
  }
  if (staked > 100) staked = 100;

  const hasPubkey = pubkeyBytes.length === 66;
  const hasScript = scriptBytes.length > 1;
  let commission = rawCommission;
  let pubkey33: Uint8Array = ZERO_PUBKEY;
  if (hasPubkey || hasScript) {
    if (hasPubkey) pubkey33 = komodoDecodeHex(pubkeyBytes, 33);
    if (commission === 0n && founders !== 0 && foundersReward === 0n)
      commission = DEFAULT_FOUNDERS_COMMISSION;
  } else {
    commission = 0n;
    founders = 0;
  }

  return {
    supply,
    lastEra,
    end,
    reward,
    halving,
    decay,
    notaryPay,
    timelockGte,
    timeUnlockFrom,
    timeUnlockTo,
    algo,
    verusPos,
    txpow,
    founders,
    foundersReward,
    commission,
    rawCommission,
    hasPubkey,
    pubkey33,
    hasScript,
    script: hasScript ? komodoDecodeHex(scriptBytes, scriptBytes.length >> 1) : NO_BYTES,
    importName: importString === '' ? NO_BYTES : utf8.encode(importString),
    importString,
    beam,
    coda,
    marmara,
    cc,
    staked,
    isPublic,
    isPrivate,
    ccCount,
    disableBits,
    cclib,
    blocktime,
    nk,
    snapshot,
    earlyTxidContract,
    cbMaturity,
    adaptivePow,
    mineropret,
    cbopret,
    prices,
    stocks,
  };
}

// ---------------------------------------------------------------------------------------------
// Strict checks

/** C type of each integer option, which bounds the values komodod keeps without truncation. */
const INT_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = (() => {
  const u64: [bigint, bigint] = [0n, INT64_MAX]; // strtoll cannot express more
  const i32: [bigint, bigint] = [0n, 0x7fffffffn];
  const u32: [bigint, bigint] = [0n, 0xffffffffn];
  const u16: [bigint, bigint] = [0n, 0xffffn];
  const u8: [bigint, bigint] = [0n, 0xffn];
  return {
    ac_supply: [0n, 90_000_000_000n],
    ac_eras: [1n, BigInt(MAX_ERAS)],
    ac_perc: u64,
    ac_founders: i32,
    ac_founders_reward: u64,
    ac_staked: i32,
    ac_cc: u32,
    ac_public: u8,
    ac_private: u8,
    ac_txpow: [0n, 3n],
    ac_blocktime: i32,
    ac_timelockgte: u64,
    ac_timeunlockfrom: u64,
    ac_timeunlockto: u64,
    ac_snapshot: i32,
    ac_earlytxidcontract: i32,
    ac_cbmaturity: i32,
    ac_adaptivepow: [0n, 127n],
    ac_beam: u16,
    ac_coda: u16,
    ac_veruspos: i32,
    ac_cbopret: u64,
    ac_marmara: u8,
    ac_sapling: i32,
    ac_overwinter: i32,
    ac_ccactivate: i32,
  };
})();

const LIST_SLOTS: Readonly<Record<string, number>> = {
  ac_reward: ERA_SLOTS,
  ac_end: ERA_SLOTS,
  ac_halving: ERA_SLOTS,
  ac_decay: ERA_SLOTS,
  ac_notarypay: ERA_SLOTS,
  ac_ccenable: 256,
  ac_nk: 2,
  ac_ccactivateht: 512,
};

const INT_RE = /^[0-9]+$/;
const LIST_RE = /^[0-9]+( *, *[0-9]+)*$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Equihash (N, K) pairs komodod can mine with. */
export const SUPPORTED_NK: readonly (readonly [number, number])[] = [
  [200, 9],
  [210, 9],
  [150, 5],
  [144, 5],
  [96, 5],
  [48, 5],
];

/** Chains komodod lets run with ac_private (reference §1.10). */
export const PRIVATE_CHAINS: readonly string[] = ['PIRATE', 'ZOMBIE'];

export const MAX_NAME_BYTES = 64;

function isKmdName(name: string): boolean {
  return name === '' || name === 'KMD';
}

function checkValue(
  key: string,
  spec: ParamSpec,
  value: string,
  rules: Rules,
  ccOn: boolean,
): ParamProblem | undefined {
  const bad = (message: string, hint?: string): ParamProblem =>
    hint === undefined
      ? { param: key, code: 'bad-param-value', message }
      : { param: key, code: 'bad-param-value', message, hint };
  if (value === '') {
    return bad(
      `${key} has an empty value`,
      'komodod reads an empty value as 0 / unset; give a value or remove the parameter',
    );
  }
  if (CONTROL_RE.test(value)) return bad(`${key} contains control characters`);
  switch (spec.kind) {
    case 'int': {
      if (!INT_RE.test(value)) {
        return bad(
          `${key}=${value} is not a non-negative decimal integer`,
          'komodod would silently read it as a different number (garbage reads as 0); write digits only',
        );
      }
      const range = INT_RANGE[key];
      const v = BigInt(value);
      if (range && (v < range[0] || v > range[1])) {
        if (key === 'ac_supply') return undefined; // refused by komodod itself, reported below
        return bad(`${key}=${value} is outside ${range[0]}..${range[1]}`, outOfRangeHint(key));
      }
      return undefined;
    }
    case 'list': {
      if (!LIST_RE.test(value)) {
        return bad(
          `${key}=${value} is not a comma-separated list of non-negative integers`,
          'komodod stops reading at the first bad token and repeats the last value read',
        );
      }
      const items = value.split(',').map((s) => BigInt(s.trim()));
      const slots = LIST_SLOTS[key] ?? ERA_SLOTS;
      if (items.length > slots) {
        return bad(
          `${key} has ${items.length} values; komodod has room for ${slots}`,
          'komodod would overrun its array',
        );
      }
      // Without ac_cc komodod never reads ac_ccenable (paramWarnings says so): its values cannot hurt.
      const max = key === 'ac_ccenable' && ccOn ? 255n : UINT64_MAX;
      const over = items.find((v) => v > max);
      if (over !== undefined) return bad(`${key} value ${over} is above ${max}`);
      if (key === 'ac_ccenable' && ccOn && items.includes(0n)) {
        return bad(`${key} contains eval code 0`, 'eval codes are 1..255');
      }
      return undefined;
    }
    case 'hex':
      if (!HEX_RE.test(value)) {
        return bad(
          `${key} must be an even number of hex digits`,
          'komodod decodes odd or non-hex input into garbage bytes',
        );
      }
      return undefined;
    case 'pubkey':
      if (!/^0[23][0-9a-fA-F]{64}$/.test(value)) {
        return bad(
          `${key} must be a compressed public key (66 hex digits starting with 02 or 03)`,
          'komodod ignores any ac_pubkey that is not exactly 66 characters',
        );
      }
      return undefined;
    case 'string':
      if (/\s/.test(value)) return bad(`${key} must not contain whitespace`);
      if (key === 'ac_algo') {
        const known = rules === 'komodo' ? ['equihash'] : LEGACY_ALGOS;
        if (!known.includes(value)) {
          return bad(
            `ac_algo=${value} is not known to ${rules} komodod, which would silently mine equihash`,
            rules === 'komodo'
              ? 'current komodod knows only equihash; legacy chains need `rules: legacy`'
              : `use one of ${known.join(', ')}`,
          );
        }
      }
      return undefined;
  }
}

function outOfRangeHint(key: string): string | undefined {
  switch (key) {
    case 'ac_eras':
      return 'komodod silently falls back to 1 era outside 1..7';
    case 'ac_txpow':
      return 'komodod keeps only the two low bits';
    case 'ac_adaptivepow':
      return 'komodod stores it in a signed byte';
    default:
      return 'komodod would truncate it to the width of its variable';
  }
}

/**
 * Strict checks to make before launching: every value parses cleanly for its kind and fits the
 * variable komodod stores it in (code `bad-param-value`: komodod would silently turn it into
 * something else), list lengths fit komodod's arrays, and komodod's own runtime refusals of
 * reference §1.10 (code `param-refused`). Parameters of another daemon (`rules`) give
 * `param-needs-rules`. Unknown keys are not reported (the loader suggests names); KMD itself
 * (`name` 'KMD' or '') takes no parameters at all. Values are the strings after `=`.
 * Returns an empty array when the set is launchable. Every problem here is an error; see
 * {@link paramWarnings} for settings komodod accepts but silently changes.
 */
export function checkParams(
  name: string,
  params: Readonly<Record<string, string>>,
  rules: Rules = 'komodo',
): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const keys = Object.keys(params).filter((k) => AC_PARAMS[k] !== undefined);

  if (isKmdName(name)) {
    for (const k of keys) {
      problems.push({
        param: k,
        code: 'param-refused',
        message: `KMD takes no -ac_* parameters (${k} given)`,
        hint: 'KMD is started without -ac_name; -ac_* parameters belong to assetchains',
      });
    }
    return problems;
  }
  const nameBytes = utf8.encode(name).length;
  if (nameBytes > MAX_NAME_BYTES) {
    problems.push({
      param: 'ac_name',
      code: 'bad-param-value',
      message: `chain name is ${nameBytes} bytes long; komodod truncates it to ${MAX_NAME_BYTES}`,
    });
  }
  if (/[\s/\\=]/.test(name) || CONTROL_RE.test(name)) {
    problems.push({
      param: 'ac_name',
      code: 'bad-param-value',
      message: 'chain name must not contain whitespace, `/`, `\\`, `=` or control characters',
      hint: 'komodod uses the name as a directory and file name',
    });
  }

  let valuesOk = true;
  const ccOn = params['ac_cc'] !== undefined && strtoll(params['ac_cc']) !== 0n;
  for (const k of keys) {
    const spec = AC_PARAMS[k]!;
    if (spec.rules && !spec.rules.includes(rules)) {
      problems.push({
        param: k,
        code: 'param-needs-rules',
        message: `${k} is read only by ${spec.rules.join('/')} daemons; ${rules} komodod ignores it`,
        hint: `set rules: ${spec.rules[0]} if the chain really runs such a daemon`,
      });
      continue;
    }
    const p = checkValue(k, spec, params[k]!, rules, ccOn);
    if (p) {
      problems.push(p);
      valuesOk = false;
    }
  }
  if (!valuesOk) return problems;

  const n = normalizeParams(params, rules);
  const refused = (param: string, message: string, hint?: string): void => {
    problems.push(
      hint === undefined
        ? { param, code: 'param-refused', message }
        : { param, code: 'param-refused', message, hint },
    );
  };
  if (n.supply > 90_000_000_000n) refused('ac_supply', 'komodod refuses ac_supply above 90 billion');
  if (n.rawCommission !== 0n && n.foundersReward !== 0n) {
    refused(
      'ac_founders_reward',
      'komodod refuses ac_founders_reward together with ac_perc',
      'use one of them',
    );
  }
  if (n.hasPubkey || n.hasScript) {
    const which = n.hasPubkey ? 'ac_pubkey' : 'ac_script';
    if (n.supply > 10_000_000_000n)
      refused('ac_supply', `komodod refuses ${which} with ac_supply above 10 billion`);
    if (n.notaryPay.at(0) !== 0n)
      refused('ac_notarypay', `komodod refuses ac_notarypay together with ${which}`);
  }
  if (n.beam !== 0) refused('ac_beam', 'current komodod shuts down whenever ac_beam is set');
  if (n.importString !== '') {
    if (n.importString === 'PUBKEY') {
      if (!n.hasPubkey) refused('ac_import', 'ac_import=PUBKEY needs a 66-character ac_pubkey');
    } else if (n.importString === 'BEAM') {
      if (n.beam === 0) refused('ac_import', 'ac_import=BEAM needs ac_beam');
    } else if (n.importString === 'CODA') {
      if (n.coda === 0) refused('ac_import', 'ac_import=CODA needs ac_coda');
    } else if (n.end.at(0) !== 1n || n.supply !== 0n || n.rawCommission !== 0n) {
      refused(
        'ac_import',
        `ac_import=${n.importString} (gateway import) needs ac_end=1, ac_supply=0 and no ac_perc`,
      );
    }
  }
  if (n.isPrivate !== 0 && !PRIVATE_CHAINS.includes(name)) {
    refused(
      'ac_private',
      `komodod refuses ac_private on ${name}`,
      `only ${PRIVATE_CHAINS.join(' and ')} may be private chains`,
    );
  }
  if (n.cbMaturity < 0) refused('ac_cbmaturity', 'komodod refuses a coinbase maturity below 1');
  if (n.algo === 0 && n.nk[0] !== 0n && n.nk[1] !== 0n) {
    const ok = SUPPORTED_NK.some(([N, K]) => BigInt(N) === n.nk[0] && BigInt(K) === n.nk[1]);
    if (!ok) {
      refused(
        'ac_nk',
        `komodod exits: equihash N=${n.nk[0]}, K=${n.nk[1]} is not supported`,
        `supported N,K: ${SUPPORTED_NK.map(([a, b]) => `${a},${b}`).join('  ')}`,
      );
    }
  }
  if (rules === 'marmara' && n.hasScript && n.marmara !== 0) {
    refused('ac_marmara', 'the Marmara daemon refuses ac_script together with ac_marmara');
  }
  return problems;
}

/**
 * Settings komodod accepts but silently changes or ignores (codes `param-normalised` and
 * `param-ignored`). They launch fine and the computed identity already accounts for them; a tool
 * may show them as warnings. Assumes {@link checkParams} found no errors.
 */
export function paramWarnings(
  name: string,
  params: Readonly<Record<string, string>>,
  rules: Rules = 'komodo',
): ParamProblem[] {
  if (isKmdName(name)) return [];
  const out: ParamProblem[] = [];
  const has = (k: string): boolean => params[k] !== undefined;
  const warn = (param: string, code: 'param-normalised' | 'param-ignored', message: string): void => {
    out.push({ param, code, message });
  };
  const n = normalizeParams(params, rules);
  if (has('ac_staked') && strtoll(params['ac_staked']!) > 100n) {
    warn('ac_staked', 'param-normalised', 'komodod caps ac_staked at 100');
  }
  const decay = splitList(params['ac_decay'], ERA_SLOTS);
  for (let i = 0; i <= n.lastEra; i++) {
    if (decay.at(i) !== n.decay[i]) {
      warn('ac_decay', 'param-normalised', `komodod resets the decay of era ${i + 1} to 0`);
      break;
    }
  }
  if (has('ac_timeunlockfrom') || has('ac_timeunlockto')) {
    if (strtoll(params['ac_timeunlockfrom'] ?? '0') > strtoll(params['ac_timeunlockto'] ?? '0')) {
      warn(
        'ac_timeunlockfrom',
        'param-normalised',
        'ac_timeunlockfrom > ac_timeunlockto: komodod turns the time lock off',
      );
    }
  }
  if (!n.hasPubkey && !n.hasScript) {
    if (n.rawCommission !== 0n)
      warn('ac_perc', 'param-ignored', 'komodod ignores ac_perc without ac_pubkey or ac_script');
    if (has('ac_founders') && strtoll(params['ac_founders']!) !== 0n) {
      warn('ac_founders', 'param-ignored', 'komodod ignores ac_founders without ac_pubkey or ac_script');
    }
  }
  if (n.foundersReward !== 0n && n.founders === 0) {
    warn(
      'ac_founders_reward',
      'param-ignored',
      'ac_founders_reward only pays with ac_founders (it still changes the magic)',
    );
  }
  if (n.cc === 0) {
    for (const k of ['ac_ccenable', 'ac_cclib'])
      if (has(k)) warn(k, 'param-ignored', `komodod reads ${k} only with ac_cc`);
  } else if (n.cclib.length === 1) {
    warn('ac_cclib', 'param-normalised', 'a one-character ac_cclib changes the magic but is not loaded');
  }
  for (const k of ['ac_end', 'ac_reward', 'ac_halving', 'ac_decay', 'ac_notarypay']) {
    const l = splitList(params[k], ERA_SLOTS);
    if (l.values.length > n.lastEra + 1) {
      warn(
        k,
        'param-ignored',
        `${k} has ${l.values.length} values but the chain has ${n.lastEra + 1} era(s); the rest are unused`,
      );
    }
  }
  if (has('ac_nk') && splitList(params['ac_nk'], 2).values.length === 1) {
    warn('ac_nk', 'param-normalised', 'a single ac_nk value is used for both N and K');
  }
  return out;
}
