/**
 * checkfork (reference §14, nntools checkfork): is this node on the same chain as everyone else?
 * Per chain it compares the local tip with
 * - the daemon's own `longestchain` (the best height its peers report; 0 right after a start),
 * - reference sources from a peers file: other nodes' JSON-RPC (`url`) and Insight-style block
 *   explorers (`explorer`: `<base>/status?q=getInfo` for the height, `<base>/block-index/<h>` for
 *   a hash — the API of the Komodo explorers; not exercised by the tests),
 * and reports a chain when a height differs by more than `maxLag` blocks (10, as nntools) or the
 * block hash at the common height differs (a fork).
 *
 * Peers file (JSON or YAML): `{ "<CHAIN>": [{ "url": "http://user:pass@host:port" },
 * { "explorer": "https://host/insight-api-komodo" }] }`. Credentials in URLs are used, never
 * printed: every source is shown as scheme://host:port/path.
 */
import { request } from 'undici';
import { parse as parseYaml } from 'yaml';
import { DokomodoError } from '../core/errors.ts';
import { MAX_NESTING, tooDeepAt } from '../platform/bounds.ts';
import { registerSecret } from '../core/redact.ts';
import type { ChainModel } from '../platform/model.ts';
import { fanout } from './fanout.ts';
import type { Runtime } from './runtime.ts';
import { RpcClient } from './rpc/client.ts';
import type { Rpc } from './utxo.ts';

export interface PeerSpec {
  url?: string;
  explorer?: string;
}

export type PeersFile = Record<string, PeerSpec[]>;

/** Reads a peers file; throws a usage-level DokomodoError naming what is wrong. */
export function parsePeers(text: string, file: string): PeersFile {
  let data: unknown;
  // The YAML parser recurses per level: refuse deep nesting before it overflows the stack.
  if (tooDeepAt(text) !== undefined)
    throw new DokomodoError('bad-peers-file', `${file}: nested more than ${MAX_NESTING} levels deep`, {
      hint: '{ "DOC": [{ "url": "http://user:pass@host:port" }] }',
    });
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new DokomodoError(
      'bad-peers-file',
      `${file}: not JSON or YAML: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new DokomodoError('bad-peers-file', `${file}: expected an object of chain names`, {
      hint: '{ "DOC": [{ "url": "http://user:pass@host:port" }] }',
    });
  const out: PeersFile = {};
  for (const [chain, list] of Object.entries(data as Record<string, unknown>)) {
    if (!Array.isArray(list))
      throw new DokomodoError(
        'bad-peers-file',
        `${file}: ${chain}: expected a list of { url } or { explorer }`,
      );
    out[chain] = list.map((p, i) => {
      const o = (p ?? {}) as Record<string, unknown>;
      const url = o['url'];
      const explorer = o['explorer'];
      if ((typeof url === 'string') === (typeof explorer === 'string'))
        throw new DokomodoError(
          'bad-peers-file',
          `${file}: ${chain}[${i}]: give exactly one of url or explorer`,
        );
      const value = (url ?? explorer) as string;
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        throw new DokomodoError(
          'bad-peers-file',
          `${file}: ${chain}[${i}]: not a URL: ${sourceLabel(value)}`,
        );
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new DokomodoError('bad-peers-file', `${file}: ${chain}[${i}]: only http and https URLs`);
      if (u.password) registerSecret(decodeURIComponent(u.password));
      return typeof url === 'string' ? { url } : { explorer: explorer as string };
    });
  }
  return out;
}

/** A URL without its credentials (and without query or fragment, which can carry API keys). */
export function sourceLabel(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname === '/' ? '' : u.pathname;
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//').replace(/[?#].*$/, '');
  }
}

export interface PeerResult {
  source: string;
  kind: 'rpc' | 'explorer';
  height: number | null;
  /** Peer height − local height. */
  diff: number | null;
  /** The height both were compared at: min(local, peer). */
  commonHeight: number | null;
  /** Whether the block hashes at the common height agree. */
  hashMatch: boolean | null;
  error: string | null;
}

export type ForkState = 'ok' | 'fork' | 'out-of-sync' | 'error';

export interface ForkReport {
  chain: string;
  state: ForkState;
  blocks: number | null;
  longestchain: number | null;
  bestHash: string | null;
  peers: PeerResult[];
  /** One line per finding, e.g. `hash at 1234 differs from http://10.0.0.2:7771`. */
  problems: string[];
}

/** What a reference source can tell: its height and the hash of a block. */
interface Source {
  height(): Promise<number>;
  hashAt(height: number): Promise<string>;
  close(): Promise<void>;
}

function rpcSource(url: string, timeoutMs: number): Source {
  const client = new RpcClient({ url, timeoutMs, retry: false, connections: 1, label: sourceLabel(url) });
  return {
    height: () => client.call<number>('getblockcount'),
    hashAt: (h) => client.call<string>('getblockhash', [h]),
    close: () => client.close(),
  };
}

function explorerSource(base: string, timeoutMs: number): Source {
  const root = base.replace(/\/+$/, '');
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await request(`${root}${path}`, {
      method: 'GET',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    async height() {
      const j = await get('/status?q=getInfo');
      const blocks = (j['info'] as { blocks?: unknown } | undefined)?.blocks;
      if (typeof blocks !== 'number') throw new Error('no info.blocks in the explorer reply');
      return blocks;
    },
    async hashAt(h) {
      const j = await get(`/block-index/${h}`);
      if (typeof j['blockHash'] !== 'string') throw new Error('no blockHash in the explorer reply');
      return j['blockHash'];
    },
    close: async () => {},
  };
}

export interface CheckforkOptions {
  peers: readonly PeerSpec[];
  /** Height difference that counts as out of sync. Default 10. */
  maxLag?: number;
  timeoutMs?: number;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function checkfork(rpc: Rpc, chain: ChainModel, opts: CheckforkOptions): Promise<ForkReport> {
  const maxLag = opts.maxLag ?? 10;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const report: ForkReport = {
    chain: chain.name,
    state: 'ok',
    blocks: null,
    longestchain: null,
    bestHash: null,
    peers: [],
    problems: [],
  };
  let blocks: number;
  try {
    const info = await rpc.call<{ blocks?: number; longestchain?: number }>('getinfo').catch(async (e) => {
      if ((e as { code?: unknown }).code !== -32601) throw e;
      // third-party daemons: headers stand in for longestchain (nntools)
      const bc = await rpc.call<{ blocks?: number; headers?: number }>('getblockchaininfo');
      return { blocks: bc.blocks, longestchain: bc.headers };
    });
    if (typeof info.blocks !== 'number') throw new Error('no block height in getinfo');
    blocks = info.blocks;
    report.blocks = blocks;
    report.longestchain = typeof info.longestchain === 'number' ? info.longestchain : null;
    report.bestHash = await rpc.call<string>('getblockhash', [blocks]);
  } catch (e) {
    report.state = 'error';
    report.problems.push(`local daemon: ${errText(e)}`);
    return report;
  }
  // longestchain is 0 until peers report: unknown, not behind.
  if (report.longestchain && Math.abs(report.longestchain - blocks) > maxLag)
    report.problems.push(`local height ${blocks} vs longestchain ${report.longestchain}`);

  let forked = false;
  let lagging = report.problems.length > 0;
  let failed = 0;
  for (const p of opts.peers) {
    const kind = p.url !== undefined ? 'rpc' : 'explorer';
    const target = (p.url ?? p.explorer)!;
    const source = sourceLabel(target);
    const r: PeerResult = {
      source,
      kind,
      height: null,
      diff: null,
      commonHeight: null,
      hashMatch: null,
      error: null,
    };
    const src = kind === 'rpc' ? rpcSource(target, timeoutMs) : explorerSource(target, timeoutMs);
    try {
      r.height = await src.height();
      r.diff = r.height - blocks;
      r.commonHeight = Math.min(r.height, blocks);
      const [mine, theirs] = await Promise.all([
        r.commonHeight === blocks
          ? Promise.resolve(report.bestHash!)
          : rpc.call<string>('getblockhash', [r.commonHeight]),
        src.hashAt(r.commonHeight),
      ]);
      r.hashMatch = mine === theirs;
      if (!r.hashMatch) {
        forked = true;
        report.problems.push(`block ${r.commonHeight} differs from ${source}`);
      }
      if (Math.abs(r.diff) > maxLag) {
        lagging = true;
        report.problems.push(
          `height ${blocks} vs ${r.height} at ${source} (${r.diff > 0 ? '+' : ''}${r.diff})`,
        );
      }
    } catch (e) {
      failed++;
      r.error = errText(e);
      // RPC errors already start with the source's label
      report.problems.push(r.error.startsWith(source) ? r.error : `${source}: ${r.error}`);
    } finally {
      await src.close();
    }
    report.peers.push(r);
  }
  report.state = forked ? 'fork' : lagging ? 'out-of-sync' : failed > 0 ? 'error' : 'ok';
  return report;
}

/** `checkfork` of every chain against its peers (the peers file) and its public explorers. */
export async function checkforkAll(
  rt: Runtime,
  chains: readonly ChainModel[],
  opts: { peers: PeersFile; maxLag: number; timeoutMs: number },
): Promise<ForkReport[]> {
  const byName = new Map(chains.map((c) => [c.name, c]));
  await rt.prepare({ chains });
  const results = await fanout(
    chains.map((c) => c.name),
    async (name) => {
      const chain = byName.get(name)!;
      const client = rt.clients.chain(chain, { timeoutMs: opts.timeoutMs, retry: false });
      try {
        return await checkfork(client, chain, {
          peers: [...(opts.peers[name] ?? []), ...chain.explorers.map((explorer) => ({ explorer }))],
          maxLag: opts.maxLag,
          timeoutMs: opts.timeoutMs,
        });
      } finally {
        await client.close();
      }
    },
    { concurrency: 32 },
  );
  return results.map(
    (r): ForkReport =>
      r.result ?? {
        chain: r.target,
        state: 'error',
        blocks: null,
        longestchain: null,
        bestHash: null,
        peers: [],
        problems: [r.error!.message],
      },
  );
}
