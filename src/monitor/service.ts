/**
 * The monitor as a use case: poll on a schedule, keep the latest snapshot in the exporter, tell
 * the caller what happened through typed events. The CLI only parses options, subscribes a
 * printer and stops the service on a signal; the dashboard and alerting build on the same loop.
 */
import type { ChainModel } from '../platform/model.ts';
import type { Runtime } from '../operator/runtime.ts';
import type { Alerter } from './alerter.ts';
import { monitorApp, type Served, serve } from './app.ts';
import { Exporter } from './exporter.ts';
import { LOG_PATTERNS, type LogEvent, type LogTailer } from './logs.ts';
import { History, Hub, statusModel } from './model.ts';
import { pollOnce, type Snapshot } from './poller.ts';
import { pollRemote } from './remote-logs.ts';

export type MonitorEvent =
  | { kind: 'listening'; url: string; chains: number; intervalMs: number }
  | { kind: 'log'; event: LogEvent }
  | { kind: 'polled'; snapshot: Snapshot; down: string[] };

export interface MonitorServiceOptions {
  /** The platform, its secret, the clients and the clock. */
  runtime: Runtime;
  chains: readonly ChainModel[];
  intervalMs: number;
  /** Data directories of chains on this host, for their disk space (default poll only). */
  datadirOf?: (chain: ChainModel) => string | undefined;
  /** False: the Iguana instances are not polled (a container's monitor cannot reach their API). */
  iguana?: boolean;
  /** Stand-in for tests; the default polls every chain and Iguana over the network. */
  poll?: (runtime: Runtime, chains: readonly ChainModel[]) => Promise<Snapshot>;
  onEvent?: (e: MonitorEvent) => void;
  /** Evaluates and delivers alerts after every poll when given. */
  alerter?: Alerter;
  /** Tails of the chains' logs, read after every poll. */
  logs?: LogTailer;
  /** Saves the tails' last matches after a poll that found some (they outlive a restart). */
  saveLogs?: () => void;
  /** Asked by the page and the API when set (see MonitorAppDeps.token). */
  token?: string;
}

export class MonitorService {
  readonly exporter: Exporter;
  readonly history = new History();
  readonly hub = new Hub();
  readonly app;
  private readonly poll: NonNullable<MonitorServiceOptions['poll']>;

  constructor(private readonly opts: MonitorServiceOptions) {
    this.exporter = new Exporter(opts.runtime.platform);
    this.app = monitorApp({
      exporter: this.exporter,
      modelJson: () => this.modelJson(),
      modelBytes: () => this.modelBytes(),
      hub: this.hub,
      title: opts.runtime.platform.file,
      ...(opts.logs ? { logs: opts.logs } : {}),
      ...(opts.alerter ? { alerter: opts.alerter } : {}),
      ...(opts.token ? { token: opts.token } : {}),
    });
    this.poll =
      opts.poll ??
      ((rt, c) =>
        pollOnce(rt, c, {
          ...(opts.datadirOf ? { datadirOf: opts.datadirOf } : {}),
          ...(opts.iguana === false ? { iguana: false } : {}),
        }));
  }

  /** One poll; the exporter holds its values afterwards. */
  async pollNow(): Promise<Snapshot> {
    const s = await this.poll(this.opts.runtime, this.opts.chains);
    if (this.opts.logs) {
      const found = this.opts.logs.poll(s.at);
      const rt = this.opts.runtime;
      // Files of other hosts: one exec per host, hosts in parallel; a host that fails is skipped.
      const remote = await pollRemote(this.opts.logs, s.at, { shellOf: (h) => rt.shell(h) });
      found.push(...remote.events);
      if (remote.diskFree.size) {
        s.chains = s.chains.map((c) => {
          const free = remote.diskFree.get(c.chain.name);
          return free === undefined || c.diskFree !== undefined ? c : { ...c, diskFree: free };
        });
      }
      for (const event of found) this.opts.onEvent?.({ kind: 'log', event });
      if (found.length) this.opts.saveLogs?.();
      s.logs = this.logSamples();
    }
    this.exporter.update(s);
    this.history.add(s);
    await this.opts.alerter?.afterPoll(this.exporter.view());
    this.json = undefined;
    this.bytes = undefined;
    if (this.hub.size) this.hub.publish(this.modelJson()!);
    this.opts.onEvent?.({
      kind: 'polled',
      snapshot: s,
      down: s.chains.filter((c) => !c.up).map((c) => c.chain.name),
    });
    return s;
  }

  private json: string | undefined;
  private bytes: Uint8Array<ArrayBuffer> | undefined;

  modelBytes(): Uint8Array<ArrayBuffer> | undefined {
    const json = this.modelJson();
    if (json === undefined) return undefined;
    this.bytes ??= new TextEncoder().encode(json);
    return this.bytes;
  }

  /** The status model of the last poll as JSON, made once however many clients ask. */
  modelJson(): string | undefined {
    const s = this.exporter.snapshot;
    if (!s) return undefined;
    this.json ??= JSON.stringify(statusModel(s, this.history, this.opts.alerter?.alerts ?? []));
    return this.json;
  }

  private logSamples(): NonNullable<Snapshot['logs']> {
    const out: NonNullable<Snapshot['logs']> = [];
    const byName = new Map(this.opts.chains.map((c) => [c.name, c]));
    for (const [source, seen] of this.opts.logs?.lastSeen ?? []) {
      const chain = byName.get(source);
      if (!chain) continue;
      for (const [pattern, lastSeen] of seen) {
        const level = LOG_PATTERNS.find((p) => p.name === pattern)?.severity ?? 'warning';
        out.push({ chain, pattern, level, lastSeen });
      }
    }
    return out;
  }

  /**
   * Serves the app on host:port and polls every interval until `signal` aborts; the poll in
   * flight finishes first, then the server closes. Rejects only when it cannot listen.
   */
  async run(host: string, port: number, signal: AbortSignal): Promise<void> {
    const served: Served = await serve(this.app, host, port);
    this.opts.onEvent?.({
      kind: 'listening',
      url: `http://${host}:${served.port}`,
      chains: this.opts.chains.length,
      intervalMs: this.opts.intervalMs,
    });
    try {
      while (!signal.aborted) {
        await this.pollNow();
        await sleepUnless(signal, this.opts.intervalMs);
      }
    } finally {
      this.hub.closeAll();
      await served.close();
    }
  }
}

function sleepUnless(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
