/**
 * What the monitor shows: the status model of the last poll (the JSON of `/api/status` and of
 * each dashboard update), a short history per chain for sparklines, and the hub that pushes each
 * new model to the dashboard's event streams.
 */
import type { ActiveAlert } from './alerts.ts';
import type { Snapshot } from './poller.ts';

export interface ChainRow {
  chain: string;
  host: string | null;
  up: boolean;
  blocks: number | null;
  longestChain: number | null;
  connections: number | null;
  notarized: number | null;
  /** Seconds since this notary's last notarization of the chain; null when unknown. */
  notarizedAge: number | null;
  utxos: number | null;
  balance: number | null;
  /** Days the balance lasts; null unknown; Infinity becomes null in JSON, so it is sent as -1. */
  fundsDaysLeft: number | null;
  diskFree: number | null;
  splitThreshold: number;
  rpcSeconds: number;
  /** Oldest first: [unix seconds, blocks, notarization age] of the recent polls. */
  history: Array<[number, number | null, number | null]>;
}

export interface StatusModel {
  at: number;
  durationSeconds: number;
  chains: ChainRow[];
  iguana: Array<{ iguana: string; host: string | null; up: boolean; peers: number | null }>;
  alerts: Array<Omit<ActiveAlert, 'key' | 'notifiedAt'>>;
}

/** The last `size` polls per chain. */
export class History {
  private readonly points = new Map<string, Array<[number, number | null, number | null]>>();
  constructor(private readonly size = 60) {}

  add(s: Snapshot): void {
    for (const c of s.chains) {
      const list = this.points.get(c.chain.name) ?? [];
      const age = c.lastNotarization ? Math.max(0, s.at - c.lastNotarization) : null;
      list.push([s.at, c.up ? (c.blocks ?? null) : null, c.up ? age : null]);
      if (list.length > this.size) list.splice(0, list.length - this.size);
      this.points.set(c.chain.name, list);
    }
  }

  of(chain: string): Array<[number, number | null, number | null]> {
    return this.points.get(chain) ?? [];
  }
}

export function statusModel(s: Snapshot, history: History, alerts: readonly ActiveAlert[]): StatusModel {
  return {
    at: s.at,
    durationSeconds: s.durationSeconds,
    chains: s.chains.map((c) => ({
      chain: c.chain.name,
      host: c.chain.host ?? null,
      up: c.up,
      blocks: c.blocks ?? null,
      longestChain: c.longestChain ?? null,
      connections: c.connections ?? null,
      notarized: c.notarized ?? null,
      notarizedAge: c.lastNotarization ? Math.max(0, Math.round(s.at - c.lastNotarization)) : null,
      utxos: c.utxos ?? null,
      balance: c.balance ?? null,
      fundsDaysLeft:
        c.fundsLeftSeconds === undefined
          ? null
          : Number.isFinite(c.fundsLeftSeconds)
            ? c.fundsLeftSeconds / 86_400
            : -1,
      diskFree: c.diskFree ?? null,
      splitThreshold: c.chain.notarization.splitThreshold,
      rpcSeconds: c.rpcSeconds,
      history: history.of(c.chain.name),
    })),
    iguana: s.iguana.map((g) => ({
      iguana: g.instance.name,
      host: g.instance.host ?? null,
      up: g.up,
      peers: g.peers ?? null,
    })),
    alerts: alerts.map(({ key: _k, notifiedAt: _n, ...a }) => a),
  };
}

/** Subscribers of the dashboard's event stream; each gets every new model as one JSON text. */
export class Hub {
  private readonly subs = new Set<(json: string) => void>();
  private closers = new Set<() => void>();

  subscribe(send: (json: string) => void, close: () => void): () => void {
    this.subs.add(send);
    this.closers.add(close);
    return () => {
      this.subs.delete(send);
      this.closers.delete(close);
    };
  }

  publish(json: string): void {
    for (const s of this.subs) s(json);
  }

  get size(): number {
    return this.subs.size;
  }

  /** Ends every stream (the monitor is stopping). */
  closeAll(): void {
    for (const c of [...this.closers]) c();
    this.subs.clear();
    this.closers.clear();
  }
}
