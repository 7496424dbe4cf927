/**
 * The Iguana simulator: a raw `node:net` server on 127.0.0.1 that speaks Iguana's HTTP dialect
 * byte for byte (reference iguana-dpow-rpc.md §2, §14b) — HTTP 200 always, the malformed
 * `Cache-Control :` / `Content-Length : %8d` header block that Node's own HTTP parser rejects, a
 * trailing `\n` after the body, the connection closed after each reply, one request at a time —
 * and the notary calls of §3–§8 with their documented replies and errors.
 *
 * It talks to the coin daemons (usually devnet chains) like Iguana does: a new HTTP connection
 * per call, Basic auth from the conf at the addcoin payload's `/<path>/<conf>` (or
 * `rpchost`/`userpass`), body `{"id":"jl777","agent":SYMBOL,…}`, transport failures retried after
 * 2, 4 and 8 s, HTTP status ignored.
 *
 * Passphrases are never logged or stored: only the derived key lives in memory.
 *
 * It refuses what the real Iguana cannot survive instead of imitating a crash: an elected file
 * with fewer than 8 seeds (the real one dies, segfaults or spins without opening its port) and
 * `dpow active` once a round has completed (a use-after-free kills the real one).
 *
 * Not simulated: the dPoW p2p network (rounds, other notaries' signatures — `dpow active` masks
 * are synthetic), Iguana's own chain view, the GET `/api` form beyond simple query strings, the
 * encrypted wallet record, relay-id resets on repeated `myipaddr`, and the NXT `RS` address (a
 * placeholder in the NXT alphabet; `NXT` and `pubkey` are computed for real).
 */
import http from 'node:http';
import net from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { komodoUserPass } from '../komodo/conf.ts';
import { sha256, toHex } from './bytes.ts';
import { CRYPTO777_PUBKEY, type KeyPair, hash160, keyFromPassphrase, pubkeyAddress, wifOf } from './keys.ts';
import { newTx, p2pkScript, p2pkhScript, serializeTx, signInput, txidOf } from './tx.ts';

/** The bytes of Iguana's reply header block up to the length field. */
export const IGUANA_HEADER_PREFIX =
  'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\n' +
  'Access-Control-Allow-Methods: GET, POST\r\nCache-Control :  no-cache, no-store, must-revalidate\r\n';

/** Iguana's full raw reply for a body text. */
export function iguanaReplyBytes(body: string): Buffer {
  const len = Buffer.byteLength(body);
  return Buffer.from(`${IGUANA_HEADER_PREFIX}Content-Length : ${String(len).padStart(8)}\r\n\r\n${body}\n`);
}

const ORIGINS_OK = [
  'http://127.0.0.',
  'http://localhost:',
  'file://127.0.0.',
  'chrome-extension://',
  'agama://',
  'null',
];

/** The static list compiled into Iguana (a representative subset). */
export const NOTARY_CHAINS = [
  'KMD',
  'BTC',
  'LTC',
  'CCL',
  'CLC',
  'DOC',
  'GLEEC',
  'ILN',
  'KOIN',
  'MARTY',
  'MCL',
  'NINJA',
  'PIRATE',
  'SUPERNET',
  'THC',
  'TOKEL',
  'VRSC',
];

/** The real Iguana needs this many seeds in its elected file to start (shared/tools/iguana README). */
export const MIN_SEEDS = 8;

export function tooFewSeeds(n: number): string {
  return `the elected file has ${n} seed${n === 1 ? '' : 's'}: the real Iguana does not start with fewer than ${MIN_SEEDS} (0: it dies at start, 1: it segfaults, 2–7: it spins at 100 % CPU and never opens its port); list ${MIN_SEEDS} or more (a devnet may repeat one address, e.g. 127.0.0.2)`;
}

/** What the simulator answers to `dpow active` instead of crashing as the real Iguana does. */
export const ACTIVE_AFTER_ROUND =
  'refused: after a completed notarization round `dpow active` crashes the real Iguana (use-after-free in dpow_recvmasks, iguana_notary.c:904); use SuperNET activehandle and dpow ipaddrs';

const GETADDRESSINFO_COINS = new Set(['CHIPS', 'AYA', 'LTC']);
const NXT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export interface IguanaOptions {
  /** Listen port; 0 = any free port. Default 0 (real Iguana: 7776 main, 7779 third party). */
  port?: number;
  mode?: 'main' | '3p';
  /** Elected notaries. Without a list any unlocked pubkey counts as elected (devnet convenience). */
  notaries?: readonly { name: string; pubkey: string }[];
  /** The elected file's seeds; when given, fewer than 8 refuse the start as the real Iguana fails. */
  seeds?: readonly string[];
  /** Delays before retrying a daemon call that failed at transport level. Default [2000, 4000, 8000]. */
  daemonRetryDelaysMs?: readonly number[];
  /** Upper bound on one daemon HTTP call (real Iguana has none). Default 60 s. */
  daemonTimeoutMs?: number;
  /** How long walletpassphrase unlocks, whatever the caller asks. Default: the timeout passed, as the real one. */
  unlockMs?: number;
  /** Delay between `SuperNET stop` and the exit. Default 2000 ms (the real one took ~19 s). */
  stopDelayMs?: number;
  /** How long a connection may take to deliver its request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Called when the simulator exits after `SuperNET stop`. */
  onExit?: () => void;
  /** Log lines (never contain passphrases or keys). */
  log?: (line: string) => void;
}

interface IguanaCoin {
  symbol: string;
  name: string;
  pubtype: number;
  p2shtype: number;
  wiftype: number;
  sapling: boolean;
  txfee: number;
  host: string;
  port: number;
  /** `user:password` or undefined (then calls go out unauthenticated, like Iguana). */
  userpass: string | undefined;
}

interface DpowState {
  symbol: string;
  dest: string;
  pubkey: string;
  freq: number;
  minsigs: number;
  /** The source chain's notarized height when the dpow started: a higher one means a round completed. */
  notarizedAtStart: number;
}

type Reply = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'crash' };

type Obj = Record<string, unknown>;

const json = (value: unknown): Reply => ({ kind: 'json', value });

function tag(): string {
  return randomBytes(8).readBigUInt64LE().toString();
}

function withTag(o: Obj): Reply {
  return json({ ...o, tag: tag() });
}

function isIpv4(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

function notarizedOf(info: unknown): number {
  const n = typeof info === 'object' && info !== null ? (info as Obj)['notarized'] : undefined;
  return typeof n === 'number' ? n : 0;
}

function numArg(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

export class IguanaSim {
  readonly opts: IguanaOptions;
  private server: net.Server | undefined;
  private readonly queue: net.Socket[] = [];
  private busy = false;
  private closed = false;
  private readonly sockets = new Set<net.Socket>();

  // state, public for tests and the devnet host
  myip = '';
  readonly peers: string[] = [];
  readonly coins = new Map<string, IguanaCoin>();
  defaultCoin: string | undefined;
  readonly dpow = new Map<string, DpowState>();
  private key: KeyPair | undefined;
  private unlockedUntil = 0;
  /** Every call handled, in order: `agent.method` (for tests; no arguments recorded). */
  readonly calls: string[] = [];

  constructor(opts: IguanaOptions = {}) {
    this.opts = opts;
  }

  get port(): number {
    return (this.server?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  /** The unlocked notary pubkey (hex), if any. */
  get pubkey(): string | undefined {
    return this.key ? toHex(this.key.pubkey) : undefined;
  }

  start(): Promise<number> {
    const port = this.opts.port ?? 0;
    const seeds = this.opts.seeds;
    if (seeds !== undefined && seeds.length < MIN_SEEDS)
      return Promise.reject(new Error(tooFewSeeds(seeds.length)));
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true }, (sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
        sock.on('error', () => {});
        this.queue.push(sock);
        this.pump();
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        this.log(`dokomodo devnet Iguana (${this.opts.mode ?? 'main'}) listening on 127.0.0.1:${this.port}`);
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.queue.length = 0;
    const srv = this.server;
    this.server = undefined;
    return new Promise((resolve) => (srv ? srv.close(() => resolve()) : resolve()));
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Serves queued connections strictly one at a time, as Iguana's single accept loop does. */
  private pump(): void {
    if (this.busy || this.closed) return;
    const sock = this.queue.shift();
    if (!sock) return;
    this.busy = true;
    this.serve(sock)
      .catch(() => sock.destroy())
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private async serve(sock: net.Socket): Promise<void> {
    if (sock.destroyed) return;
    const req = await readRequest(sock, this.opts.requestTimeoutMs ?? 10_000);
    if (!req) {
      sock.destroy();
      return;
    }
    const remote = !(sock.remoteAddress ?? '').replace(/^::ffff:/, '').startsWith('127.');
    let reply: Reply;
    const origin = req.headers.find(([k]) => k === 'origin' || k === 'referer');
    if (origin && !ORIGINS_OK.some((p) => origin[1].startsWith(p))) {
      reply = json({ error: 'remote origin not enabled' });
    } else if (req.payload === undefined) {
      reply = json({ error: 'no method' });
    } else {
      reply = await this.request(req.payload, remote);
    }
    if (reply.kind === 'crash') {
      sock.destroy();
      return;
    }
    const body = reply.kind === 'raw' ? reply.text : JSON.stringify(reply.value);
    await new Promise<void>((resolve) => sock.end(iguanaReplyBytes(body), () => resolve()));
  }

  /** One parsed body: an object, or an array (batch, no tag on the array). */
  async request(payload: unknown, remote = false): Promise<Reply> {
    if (Array.isArray(payload)) {
      const out: unknown[] = [];
      for (const item of payload) {
        const r = await this.call(item, remote);
        if (r.kind === 'crash') return r;
        out.push(r.kind === 'raw' ? r.text : r.value);
      }
      return json(out);
    }
    return this.call(payload, remote);
  }

  private async call(req: unknown, remote: boolean): Promise<Reply> {
    if (typeof req !== 'object' || req === null) return json({ error: 'no method' });
    const r = req as Obj;
    const method = r['method'];
    if (typeof method !== 'string' || method === '') return json({ error: 'no method' });
    const agent = r['agent'];
    this.calls.push(`${typeof agent === 'string' ? agent : ''}.${method}`);
    if (typeof agent !== 'string' || agent === '') return this.bitcoinStyle(method, r, remote);
    switch (`${agent}.${method}`) {
      case 'SuperNET.myipaddr':
        return this.myipaddr(r);
      case 'SuperNET.activehandle':
        return remote ? withTag({ error: 'no remote' }) : this.activehandle();
      case 'SuperNET.help':
        return withTag({ result: helpDescription() });
      case 'SuperNET.stop':
        return this.stop(remote);
      case 'iguana.addnotary':
        return this.addnotary(r);
      case 'iguana.addcoin':
        return this.addcoin(r);
      case 'iguana.dpow':
        return this.startDpow(r);
      case 'iguana.splitfunds':
        return this.splitfunds(r, remote);
      case 'dpow.active':
        return (await this.roundCompleted()) ? withTag({ error: ACTIVE_AFTER_ROUND }) : this.active(r);
      case 'dpow.ipaddrs':
        return json([...this.peers]);
      case 'dpow.notarychains':
        return json([...NOTARY_CHAINS]);
      case 'dpow.notarizations':
        return this.notarizations(r);
      case 'bitcoinrpc.getinfo':
        return this.coinInfo(r);
      default:
        return withTag({ error: 'unsupported call', agent, method });
    }
  }

  // ---- bitcoin-RPC style --------------------------------------------------------------------

  private async bitcoinStyle(method: string, r: Obj, remote: boolean): Promise<Reply> {
    if (method !== 'walletpassphrase' && method !== 'getinfo')
      return json({ error: 'need both agent and method' });
    if (this.defaultCoin === undefined) return json({ error: 'null return from iguana_bitcoinRPC' });
    if (Date.now() > this.unlockedUntil) this.key = undefined;
    let out: Obj;
    if (method === 'getinfo') {
      const c = this.coins.get(this.defaultCoin)!;
      out = {
        result: 'success',
        coin: c.symbol,
        protocolversion: 170002,
        kbfee: 0.001,
        txfee: c.txfee / 1e8,
        blocks: 0,
        longestchain: 0,
        connections: 0,
        status: 'dokomodo devnet Iguana',
      };
    } else {
      if (remote) return json({ error: 'no remote' });
      out = await this.walletpassphrase(r);
    }
    // sglue: a reply that is only {"result":"<string>"} is sent as the bare string
    const keys = Object.keys(out);
    if (keys.length === 1 && keys[0] === 'result' && typeof out['result'] === 'string') {
      return { kind: 'raw', text: out['result'] };
    }
    return withTag(out);
  }

  private async walletpassphrase(r: Obj): Promise<Obj> {
    const params = Array.isArray(r['params']) ? (r['params'] as unknown[]) : [];
    const pass = params[0];
    if (typeof pass !== 'string' || pass === '') return { error: 'must have password field' };
    const timeout = numArg(params[1]);
    if (timeout === undefined || timeout <= 0) return { error: 'timeout must be positive' };
    let key: KeyPair;
    try {
      key = keyFromPassphrase(pass);
    } catch {
      return { error: 'illegal passphrase' };
    }
    this.key = key;
    // The unlock lasts the timeout passed, although the reply always says 3600 (activehandle tells).
    const unlockMs = this.opts.unlockMs ?? timeout * 1000;
    this.unlockedUntil = Date.now() + unlockMs;
    const out = { ...this.identity(key), duration: 3600 };
    const coin = this.coins.get(this.defaultCoin!)!;
    const addr = pubkeyAddress(key.pubkey, coin.pubtype);
    this.log(`walletpassphrase: unlocked ${addr}`);
    // Iguana's "already mine" check reads the wrong object and never succeeds, so the import is
    // issued every time (iguana_wallet.c walletpassphrase).
    await this.daemon(coin, 'validateaddress', [addr]);
    await this.daemon(coin, 'importprivkey', [wifOf(key, coin.wiftype), '', false]);
    // Then jumblr_setpassphrase("jumblr <passphrase>") imports its deposit key into KMD.
    const kmd = this.coins.get('KMD');
    if (kmd) {
      const deposit = keyFromPassphrase(`deposit jumblr ${pass}`);
      await this.daemon(kmd, 'importprivkey', [wifOf(deposit, kmd.wiftype), '', false]);
    }
    return out;
  }

  /** SuperNET_rosettajson and the handle fields, as walletpassphrase and activehandle give them. */
  private identity(key: KeyPair): Obj {
    const curve = x25519.getPublicKey(key.privkey);
    const nxt = Buffer.from(sha256(curve)).readBigUInt64LE(0).toString();
    const out: Obj = {
      pubkey: toHex(curve),
      RS: nxtRsPlaceholder(nxt),
      NXT: nxt,
      btcpubkey: toHex(key.pubkey),
      rmd160: toHex(hash160(key.pubkey)),
    };
    for (const c of this.coins.values()) out[c.symbol] = pubkeyAddress(key.pubkey, c.pubtype);
    Object.assign(out, { result: 'success', handle: '', myip: this.myip, persistent: toHex(curve) });
    const reg = this.registered();
    if (reg) out['notary'] = reg.relayid;
    out['status'] = 'unlocked';
    return out;
  }

  /** Side-effect free: identity, one address per coin added, and the real time left on the unlock. */
  private activehandle(): Reply {
    if (Date.now() > this.unlockedUntil) this.key = undefined;
    if (!this.key) {
      const out: Obj = { result: 'success', handle: '' };
      if (this.myip) out['myip'] = this.myip;
      out['status'] = 'locked';
      return withTag(out);
    }
    return withTag({
      ...this.identity(this.key),
      duration: Math.max(0, Math.round((this.unlockedUntil - Date.now()) / 1000)),
    });
  }

  /** True once the source chain of a running dpow has been notarized since the dpow started. */
  private async roundCompleted(): Promise<boolean> {
    for (const d of this.dpow.values()) {
      const coin = this.coins.get(d.symbol);
      if (coin && notarizedOf(await this.daemon(coin, 'getinfo', [])) > d.notarizedAtStart) return true;
    }
    return false;
  }

  // ---- agent calls --------------------------------------------------------------------------

  private registered(): { relayid: number; numrelays: number } | undefined {
    if (!this.myip || !this.key) return undefined;
    const pk = toHex(this.key.pubkey);
    const list = this.opts.notaries;
    if (!list) return { relayid: 0, numrelays: 1 };
    const i = list.findIndex((n) => n.pubkey.toLowerCase() === pk);
    return i < 0 ? undefined : { relayid: i, numrelays: list.length };
  }

  private myipaddr(r: Obj): Reply {
    if (this.myip === '' && isIpv4(r['ipaddr'])) this.myip = r['ipaddr'];
    const out: Obj = { result: this.myip };
    const reg = this.registered();
    if (reg) Object.assign(out, reg);
    return withTag(out);
  }

  private addnotary(r: Obj): Reply {
    const ip = r['ipaddr'];
    // Real Iguana dereferences the missing field and dies; the simulator drops the connection.
    if (typeof ip !== 'string' || ip === '') return { kind: 'crash' };
    if (!this.peers.includes(ip)) this.peers.push(ip);
    return withTag({ result: 'notary node added' });
  }

  private addcoin(r: Obj): Reply {
    const symbol = r['newcoin'];
    if (typeof symbol !== 'string' || symbol === '') return withTag({ error: 'addcoin needs newcoin' });
    if (symbol.length > 64) return withTag({ error: 'error adding coin' });
    if (this.coins.has(symbol)) return withTag({ result: 'coin already there' });
    let host = '127.0.0.1';
    let port = numArg(r['rpc']) ?? 0;
    let userpass: string | undefined;
    if (typeof r['path'] === 'string' && typeof r['conf'] === 'string') {
      const file = path.join('/', r['path'], r['conf']);
      try {
        const up = komodoUserPass(readFileSync(file, 'utf8'));
        if (up.user !== undefined) userpass = `${up.user}:${up.password}`;
        if (up.rpcport) port = up.rpcport;
      } catch {
        this.log(`addcoin ${symbol}: cannot read ${file}, continuing`);
      }
    }
    if (typeof r['rpchost'] === 'string' && r['rpchost'].length <= 127) {
      const m = /^(?:https?:\/\/)?([^:/]+)(?::(\d+))?/.exec(r['rpchost']);
      if (m) {
        host = m[1]!;
        if (m[2]) port = Number(m[2]);
      }
    }
    if (typeof r['userpass'] === 'string') userpass = r['userpass'];
    this.coins.set(symbol, {
      symbol,
      name: typeof r['name'] === 'string' ? r['name'] : symbol,
      pubtype: numArg(r['pubval']) ?? 60,
      p2shtype: numArg(r['p2shval']) ?? 85,
      wiftype: numArg(r['wifval']) ?? 188,
      sapling: numArg(r['sapling']) === 1,
      txfee: numArg(r['txfee_satoshis']) ?? 10_000,
      host,
      port,
      userpass,
    });
    this.defaultCoin ??= symbol;
    this.log(`addcoin ${symbol} → ${host}:${port}`);
    return withTag({ result: 'coin added' });
  }

  private async startDpow(r: Obj): Promise<Reply> {
    if (!this.registered()) return withTag({ error: 'must be running as notary node' });
    const pubkey = r['pubkey'];
    if (typeof pubkey !== 'string' || !/^[0-9a-fA-F]{66}$/.test(pubkey))
      return withTag({ error: 'need 33 byte pubkey' });
    const symbol = typeof r['symbol'] === 'string' && r['symbol'] !== '' ? r['symbol'] : 'KMD';
    const src = this.coins.get(symbol);
    if (!src) return withTag({ error: 'cant dPoW an inactive coin' });
    if (symbol === 'KMD' && !this.coins.has('LTC')) return withTag({ error: 'cant dPoW KMD without LTC' });
    const dest =
      symbol === 'KMD' ? 'LTC' : typeof r['dest'] === 'string' && r['dest'] !== '' ? r['dest'] : 'KMD';
    const dst = this.coins.get(dest);
    if (!dst) return withTag({ error: 'cant dPoW without KMD (dest)' });
    if (this.dpow.has(symbol)) return withTag({ error: 'cant dPoW same coin again' });
    const pk = Buffer.from(pubkey, 'hex');
    const mine = async (c: IguanaCoin) => {
      const reply = await this.daemon(
        c,
        GETADDRESSINFO_COINS.has(c.symbol) ? 'getaddressinfo' : 'validateaddress',
        [pubkeyAddress(pk, c.pubtype)],
      );
      return typeof reply === 'object' && reply !== null && (reply as Obj)['ismine'] === true;
    };
    if (!(await mine(src)) || !(await mine(dst))) {
      return withTag({ error: 'source address or dest address has no privkey, importprivkey' });
    }
    try {
      secp256k1.Point.fromHex(pubkey);
    } catch {
      return withTag({ error: 'illegal pubkey' });
    }
    const freqArg = numArg(r['freq']) ?? 0;
    const freq =
      symbol === 'KMD'
        ? 5
        : freqArg > 2
          ? freqArg
          : freqArg === 0 && (symbol === 'CHIPS' || symbol.startsWith('TEST'))
            ? 100
            : 2;
    const notarizedAtStart = notarizedOf(await this.daemon(src, 'getinfo', []));
    this.dpow.set(symbol, {
      symbol,
      dest,
      pubkey: pubkey.toLowerCase(),
      freq,
      minsigs: 13,
      notarizedAtStart,
    });
    this.log(`dpow ${symbol} → ${dest} started`);
    return withTag({ result: 'success' });
  }

  private async splitfunds(r: Obj, remote: boolean): Promise<Reply> {
    if (remote) return withTag({ error: 'no remote' });
    const symbol = typeof r['coin'] === 'string' ? r['coin'] : '';
    const coin = this.coins.get(symbol);
    if (!coin) return withTag({ error: 'need active coin' });
    if (Date.now() > this.unlockedUntil) this.key = undefined;
    const key = this.key;
    if (!key) return withTag({ error: 'need to unlock wallet' });
    const sats = numArg(r['satoshis']);
    const dups = numArg(r['duplicates']);
    if (!sats || !dups || sats <= 0 || dups <= 0 || !Number.isInteger(sats) || !Number.isInteger(dups)) {
      return withTag({ error: 'couldnt create duplicates tx' });
    }
    const address = pubkeyAddress(key.pubkey, coin.pubtype);
    const p2pkh = toHex(p2pkhScript(hash160(key.pubkey)));
    const list = await this.daemon(coin, 'listunspent', [1, 99999999, [address]]);
    const utxos = (Array.isArray(list) ? (list as Obj[]) : [])
      .filter((u) => u['scriptPubKey'] === p2pkh && u['spendable'] !== false && typeof u['txid'] === 'string')
      .map((u) => ({
        txid: u['txid'] as string,
        vout: Number(u['vout']),
        value: Math.round(Number(u['amount']) * 1e8),
      }));
    const fee = coin.txfee + dups * Math.floor(coin.txfee / 10);
    const need = dups * sats + fee;
    let chosen = utxos
      .filter((u) => u.value >= need)
      .sort((a, b) => a.value - b.value)
      .slice(0, 1);
    if (chosen.length === 0) {
      chosen = [];
      let sum = 0;
      for (const u of [...utxos].sort((a, b) => b.value - a.value)) {
        if (sum >= need) break;
        chosen.push(u);
        sum += u.value;
      }
      if (sum < need) return withTag({ error: 'couldnt create duplicates tx' });
    }
    const tx = newTx({ sapling: coin.sapling });
    for (const u of chosen)
      tx.inputs.push({ txid: u.txid, vout: u.vout, script: new Uint8Array(0), sequence: 0xffffffff });
    const p2pk = p2pkScript(key.pubkey);
    for (let i = 0; i < dups; i++) tx.outputs.push({ value: sats, script: p2pk });
    const total = chosen.reduce((s, u) => s + u.value, 0);
    const change = total - need;
    if (change > 10_000) tx.outputs.push({ value: change, script: p2pkhScript(hash160(key.pubkey)) });
    const script = p2pkhScript(hash160(key.pubkey));
    chosen.forEach((u, k) => {
      signInput(tx, k, { script, value: u.value }, key.privkey, key.pubkey);
    });
    const raw = serializeTx(tx);
    const hex = toHex(raw);
    const txid = txidOf(raw);
    // Iguana broadcasts and does not report the outcome.
    if ((numArg(r['sendflag']) ?? 0) !== 0) await this.daemon(coin, 'sendrawtransaction', [hex]);
    this.log(`splitfunds ${symbol}: ${dups} × ${sats} sats, txid ${txid}`);
    return withTag({ result: hex, txid, completed: true });
  }

  private active(r: Obj): Reply {
    const names = this.opts.notaries?.map((n) => n.name) ?? ['devnet_self'];
    if (typeof r['maskhex'] === 'string') {
      const mask = BigInt(`0x${r['maskhex'] || '0'}`);
      const set: string[] = [];
      const not: string[] = [];
      names.forEach((n, i) => {
        ((mask >> BigInt(i)) & 1n ? set : not).push(n);
      });
      return withTag({ maskhex: r['maskhex'], set, not });
    }
    if (this.dpow.size === 0) return withTag({ error: 'there is no dpow round yet started to check.' });
    const reg = this.registered();
    const self = reg?.relayid ?? 0;
    return json(
      names.map((notary, i) => {
        let recv = 0n;
        for (let b = 0; b < names.length; b++) if (b === self || randomInt(0, 4) > 0) recv |= 1n << BigInt(b);
        const best = i === self || randomInt(0, 2) ? recv & ~(1n << BigInt(randomInt(0, names.length))) : 0n;
        return {
          notary,
          bestk: randomInt(0, Math.max(1, names.length)),
          recvmask: recv.toString(16).padStart(16, ' '),
          bestmask: best.toString(16).padStart(16, ' '),
        };
      }),
    );
  }

  private async notarizations(r: Obj): Promise<Reply> {
    const symbol = typeof r['symbol'] === 'string' ? r['symbol'] : '';
    const coin = this.coins.get(symbol);
    if (!coin) return withTag({ error: 'cant find coin' });
    const tip = Number(await this.daemon(coin, 'getblockcount', []));
    const start = Math.max(0, numArg(r['height']) ?? 0);
    const want = Math.max(0, Math.min(2000, numArg(r['numblocks']) ?? 1000));
    const maxheight = Number.isFinite(tip) ? Math.min(start + want - 1, tip) : start - 1;
    const counts = new Map<string, number>();
    const p2pkNtz = `21${CRYPTO777_PUBKEY}ac`;
    for (let h = start; h <= maxheight; h++) {
      const hash = await this.daemon(coin, 'getblockhash', [h]);
      if (typeof hash !== 'string') continue;
      const block = (await this.daemon(coin, 'getblock', [hash, 2])) as Obj | null;
      for (const tx of (block?.['tx'] as Obj[] | undefined) ?? []) {
        const vout0 = (tx['vout'] as Obj[] | undefined)?.[0];
        if ((vout0?.['scriptPubKey'] as Obj | undefined)?.['hex'] !== p2pkNtz) continue;
        for (const vin of (tx['vin'] as Obj[] | undefined) ?? []) {
          const prev = (await this.daemon(coin, 'getrawtransaction', [vin['txid'], 1])) as Obj | null;
          const spk = (
            (prev?.['vout'] as Obj[] | undefined)?.[Number(vin['vout'])]?.['scriptPubKey'] as Obj | undefined
          )?.['hex'];
          if (typeof spk === 'string' && spk.length === 70 && spk.startsWith('21') && spk.endsWith('ac')) {
            const pk = spk.slice(2, 68);
            counts.set(pk, (counts.get(pk) ?? 0) + 1);
          }
        }
      }
    }
    const list =
      this.opts.notaries ?? (this.key ? [{ name: 'devnet_self', pubkey: toHex(this.key.pubkey) }] : []);
    const notarizations = list
      .map((n, id) => ({ notary: n.name, id, notarizations: counts.get(n.pubkey.toLowerCase()) ?? 0 }))
      .filter((n) => n.notarizations > 0);
    return withTag({
      coin: symbol,
      start,
      numblocks: Math.max(0, maxheight - start + 1),
      maxheight,
      notarizations,
    });
  }

  private coinInfo(r: Obj): Reply {
    const symbol = typeof r['coin'] === 'string' ? r['coin'] : this.defaultCoin;
    const c = symbol === undefined ? undefined : this.coins.get(symbol);
    if (!c) return json({ error: 'bitcoinrpc needs coin that is active' });
    return withTag({
      result: 'success',
      coin: c.symbol,
      protocolversion: 170002,
      kbfee: 0.001,
      txfee: c.txfee / 1e8,
      blocks: 0,
      longestchain: 0,
      connections: 0,
    });
  }

  private stop(remote: boolean): Reply {
    if (remote) return withTag({ error: 'cant do a remote stop of this node' });
    this.log('SuperNET stop: exiting');
    setTimeout(() => {
      void this.close().then(() => this.opts.onExit?.());
    }, this.opts.stopDelayMs ?? 2000).unref();
    // The real Iguana exits without answering.
    return { kind: 'crash' };
  }

  // ---- daemon calls -------------------------------------------------------------------------

  /**
   * Calls a coin daemon like Iguana's bitcoind_RPC: new connection, Basic auth, the `jl777`
   * body; transport failures retried after each configured delay; status ignored; `result`
   * returned, the whole reply when `error` is set, null for no answer.
   */
  async daemon(coin: IguanaCoin, method: string, params: unknown[]): Promise<unknown> {
    const delays = this.opts.daemonRetryDelaysMs ?? [2000, 4000, 8000];
    const body = JSON.stringify({ id: 'jl777', agent: coin.symbol, method, params });
    for (let attempt = 0; ; attempt++) {
      const r = await this.postOnce(coin, body);
      if (r.ok) {
        let parsed: Obj;
        try {
          parsed = JSON.parse(r.text) as Obj;
        } catch {
          return null;
        }
        if (parsed['error'] !== null && parsed['error'] !== undefined) return parsed;
        return parsed['result'] ?? null;
      }
      const delay = delays[attempt];
      if (delay === undefined || this.closed) return null;
      await new Promise((res) => setTimeout(res, delay));
    }
  }

  private postOnce(coin: IguanaCoin, body: string): Promise<{ ok: true; text: string } | { ok: false }> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = {
        'User-Agent': 'mozilla/4.0',
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
      };
      if (coin.userpass !== undefined)
        headers['Authorization'] = `Basic ${Buffer.from(coin.userpass).toString('base64')}`;
      const req = http.request(
        {
          host: coin.host,
          port: coin.port,
          method: 'POST',
          path: '/',
          headers,
          agent: false,
          timeout: this.opts.daemonTimeoutMs ?? 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', () => resolve({ ok: false }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ ok: false }));
      req.end(body);
    });
  }
}

/** Starts an Iguana simulator; resolves once it listens. */
export async function startIguana(opts: IguanaOptions = {}): Promise<IguanaSim> {
  const sim = new IguanaSim(opts);
  await sim.start();
  return sim;
}

interface RawRequest {
  headers: [string, string][];
  /** Parsed body (or GET /api query object); undefined when Iguana would not see a body. */
  payload: unknown;
}

/**
 * Reads one request like Iguana: the body is located only through a header spelled exactly
 * `Content-Length: <n>`; without it the body is not seen. Resolves undefined when the peer gives
 * up or the request does not arrive in time.
 */
function readRequest(sock: net.Socket, timeoutMs: number): Promise<RawRequest | undefined> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (v: RawRequest | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.pause();
      resolve(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const onEnd = () => finish(undefined);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const lines = head.split('\r\n');
      const [verb = '', target = ''] = (lines[0] ?? '').split(' ');
      const headers: [string, string][] = lines.slice(1).map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
      });
      if (verb === 'GET') {
        finish({ headers, payload: apiQuery(target) });
        return;
      }
      const m = /\r\nContent-Length: (\d+)/.exec(`\r\n${head}`);
      if (!m) {
        finish({ headers, payload: undefined });
        return;
      }
      const n = Number(m[1]);
      if (buf.length - end - 4 < n) return;
      const text = buf.subarray(end + 4, end + 4 + n).toString('utf8');
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        payload = undefined;
      }
      finish({ headers, payload });
    };
    sock.on('data', onData);
    sock.on('end', onEnd);
    sock.resume();
  });
}

/** `GET /api/<agent>/<method>?k=v` → the equivalent JSON request. */
function apiQuery(target: string): unknown {
  const u = new URL(target, 'http://127.0.0.1');
  const parts = u.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'api' || parts.length < 3) return undefined;
  const o: Obj = { agent: parts[1], method: parts[2] };
  for (const [k, v] of u.searchParams) o[k] = v;
  return o;
}

/** A stand-in for the NXT Reed-Solomon address: the right shape, not the real checksum code. */
function nxtRsPlaceholder(account: string): string {
  let n = BigInt(account);
  let s = '';
  for (let i = 0; i < 17; i++) {
    s += NXT_ALPHABET[Number(n % 32n)];
    n /= 32n;
  }
  return `NXT-${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12, 17)}`;
}

function helpDescription(): Obj {
  return {
    note: 'dokomodo devnet: a simulator of Iguana, not the real one',
    agents: {
      SuperNET: ['myipaddr', 'activehandle', 'help', 'stop'],
      iguana: ['addnotary', 'addcoin', 'dpow', 'splitfunds'],
      dpow: ['active', 'ipaddrs', 'notarychains', 'notarizations'],
      bitcoinrpc: ['getinfo', 'walletpassphrase'],
    },
  };
}
