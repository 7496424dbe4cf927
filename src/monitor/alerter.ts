/**
 * The monitor's alerting step after each poll: evaluate the contract's rules over the exported
 * values, queue one message per transition and channel, save, send what the rate limits allow,
 * save again, and ping the dead-man's switch. The saved document holds the alert states and the
 * outbox; it never holds a token or URL (those are read from the platform's sources at start).
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { alertRules, type MetricView } from '../contract/alerts.ts';
import type { StateStore } from '../core/state.ts';
import type { Platform } from '../platform/model.ts';
import {
  type ActiveAlert,
  type AlertState,
  evaluateAlerts,
  parseAlertState,
  type Transition,
} from './alerts.ts';
import {
  type Channel,
  type DeliveryEvent,
  emptyOutbox,
  enqueue,
  flush,
  httpSender,
  type OutboxState,
  type Sender,
} from './notify.ts';

export interface AlerterOptions {
  platform: Platform;
  channels: readonly Channel[];
  store: StateStore;
  heartbeatUrl?: string;
  /** Unix seconds; default the system clock. */
  now?: () => number;
  send?: Sender;
  backoffSeconds?: number;
  onEvent?: (e: AlertEvent) => void;
}

export type AlertEvent =
  | { kind: 'transition'; transition: Transition }
  | DeliveryEvent
  | { kind: 'heartbeat-failed'; error: string };

interface Saved {
  version: 1;
  alerts: AlertState['alerts'];
  outbox: OutboxState;
}

/** The state key of a platform: one per platform file, so two platforms on a machine never mix. */
export function monitorStateKey(platform: Platform, doc: 'alerts' | 'logs'): string {
  const id = createHash('sha256').update(resolve(platform.file)).digest('hex').slice(0, 12);
  return `monitor/${id}/${doc}.json`;
}

export function alertStateKey(platform: Platform): string {
  return monitorStateKey(platform, 'alerts');
}

export class Alerter {
  private state: AlertState;
  private outbox: OutboxState;
  private readonly key: string;
  private readonly now: () => number;

  constructor(private readonly opts: AlerterOptions) {
    this.key = alertStateKey(opts.platform);
    this.now = opts.now ?? (() => Date.now() / 1000);
    const text = opts.store.read(this.key);
    this.state = parseAlertState(text);
    let outbox = emptyOutbox();
    try {
      const saved = text === undefined ? undefined : (JSON.parse(text) as Partial<Saved>);
      if (saved?.outbox && Array.isArray(saved.outbox.queue)) outbox = { ...emptyOutbox(), ...saved.outbox };
    } catch {
      // a torn file: parseAlertState already started empty
    }
    this.outbox = outbox;
  }

  get alerts(): readonly ActiveAlert[] {
    return this.state.alerts;
  }

  get pending(): number {
    return this.outbox.queue.length;
  }

  private save(): void {
    const doc: Saved = { version: 1, alerts: this.state.alerts, outbox: this.outbox };
    this.opts.store.write(this.key, `${JSON.stringify(doc)}\n`);
  }

  private flushOptions() {
    return {
      ratePerMinute: this.opts.platform.alerts.ratePerMinute,
      send: this.opts.send ?? httpSender,
      ...(this.opts.backoffSeconds !== undefined ? { backoffSeconds: this.opts.backoffSeconds } : {}),
      ...(this.opts.onEvent ? { onEvent: this.opts.onEvent } : {}),
    };
  }

  /** One evaluation over a poll's values, then delivery and the heartbeat. */
  async afterPoll(view: MetricView): Promise<Transition[]> {
    const now = this.now();
    const r = evaluateAlerts(alertRules(), view, now, this.state, {
      repeatSeconds: this.opts.platform.alerts.repeatSeconds,
    });
    this.state = r.state;
    for (const t of r.transitions) {
      this.opts.onEvent?.({ kind: 'transition', transition: t });
      enqueue(this.outbox, this.opts.channels, t.kind, t.alert, t.at);
    }
    this.save();
    await flush(this.outbox, this.opts.channels, this.now, this.flushOptions(), () => this.save());
    await this.heartbeat();
    return r.transitions;
  }

  /** A test message through every channel, whatever its severity filter; resolves when tried. */
  async testAlert(): Promise<DeliveryEvent[]> {
    const now = this.now();
    const events: DeliveryEvent[] = [];
    const box = emptyOutbox();
    enqueue(
      box,
      this.opts.channels,
      'test',
      {
        alert: 'DokomodoTestAlert',
        severity: 'critical',
        labels: { host: 'monitor' },
        summary: 'dokomodo test alert: this channel works',
        description: `Sent by \`dokomodo monitor test-alert\` for ${this.opts.platform.file}; nothing is wrong.`,
        activeSince: now,
        value: 1,
      },
      now,
    );
    await flush(
      box,
      this.opts.channels,
      this.now,
      { ...this.flushOptions(), maxAttempts: 2, onEvent: (e) => events.push(e) },
      () => {},
    );
    return events;
  }

  private async heartbeat(): Promise<void> {
    if (!this.opts.heartbeatUrl) return;
    const r = await (this.opts.send ?? httpSender)(
      {
        url: this.opts.heartbeatUrl,
        headers: { 'content-type': 'text/plain' },
        body: `ok ${Math.floor(this.now())}\n`,
      },
      10_000,
    );
    if (!r.ok) this.opts.onEvent?.({ kind: 'heartbeat-failed', error: r.error ?? `HTTP ${r.status}` });
  }
}
