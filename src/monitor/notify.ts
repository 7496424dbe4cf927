/**
 * Alert delivery: each transition becomes one message per channel that takes its severity, in
 * the request format of the channel's public API (Alertmanager's webhook v4, Telegram Bot API
 * `sendMessage`, Discord webhooks, ntfy publishing). Messages wait in an outbox that is saved
 * with the alert state, so a restart neither loses nor repeats one; each channel has a rate limit
 * per minute and a bounded retry for what is transient (network errors, 5xx, 429 with its
 * Retry-After). Secrets (tokens, webhook URLs) are read once, registered for redaction and
 * never written into the state.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { SystemHost } from '../core/host.ts';
import { redact } from '../core/redact.ts';
import { readSecretSource } from '../platform/secret.ts';
import type { AlertChannelModel, Platform, SecretOrText, SecretSource } from '../platform/model.ts';
import type { ActiveAlert, TransitionKind } from './alerts.ts';

export type MessageKind = TransitionKind | 'test';

/** One notification to one channel; `id` is stable, so a message is never queued twice. */
export interface Message {
  id: string;
  channel: string;
  kind: MessageKind;
  at: number;
  alert: Pick<
    ActiveAlert,
    'alert' | 'severity' | 'labels' | 'summary' | 'description' | 'activeSince' | 'value'
  >;
  attempts: number;
}

export type Channel = { name: string; severity: 'warning' | 'critical' } & (
  | { type: 'webhook'; url: string }
  | { type: 'telegram'; token: string; chat: string; api: string }
  | { type: 'discord'; url: string }
  | { type: 'ntfy'; url: string; token?: string }
);

function readSource(platform: Platform, host: SystemHost, what: string, src: SecretOrText): string {
  if (typeof src === 'string') return src;
  return readSecretSource(platform, host, src, {
    what,
    missingCode: 'alert-secret-missing',
    envHint: (v) => `export ${v}=… in the monitor's environment (its unit's EnvironmentFile, or .env)`,
    fileHint: (p) => `write it to ${p} with mode 0600`,
  });
}

/** The channels of the platform with their secrets read (and registered for redaction). */
export function resolveChannels(platform: Platform, host: SystemHost): Channel[] {
  const secret = (c: AlertChannelModel, field: string, src: SecretOrText | SecretSource) =>
    readSource(platform, host, `the ${field} of alert channel ${c.name}`, src);
  return platform.alerts.channels.map((c): Channel => {
    switch (c.type) {
      case 'telegram':
        return { ...c, token: secret(c, 'token', c.token) };
      case 'ntfy': {
        const { token, ...rest } = c;
        return {
          ...rest,
          url: secret(c, 'url', c.url),
          ...(token ? { token: secret(c, 'token', token) } : {}),
        };
      }
      default:
        return { ...c, url: secret(c, 'url', c.url) };
    }
  });
}

export function resolveHeartbeat(platform: Platform, host: SystemHost): string | undefined {
  const hb = platform.alerts.heartbeat;
  return hb ? readSource(platform, host, 'the heartbeat url', hb.url) : undefined;
}

export function takes(channel: Pick<Channel, 'severity'>, severity: 'warning' | 'critical'): boolean {
  return channel.severity === 'warning' || severity === 'critical';
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const iso = (unix: number) => new Date(unix * 1000).toISOString();

/** A short human text, the same on every chat channel. */
export function messageText(m: Message): string {
  const a = m.alert;
  const head =
    m.kind === 'resolved'
      ? `RESOLVED ${a.summary}`
      : m.kind === 'test'
        ? `TEST ${a.summary}`
        : `${m.kind === 'repeat' ? 'STILL FIRING' : 'FIRING'} [${a.severity}] ${a.summary}`;
  const since =
    m.kind === 'resolved' ? `from ${iso(a.activeSince)} to ${iso(m.at)}` : `since ${iso(a.activeSince)}`;
  return `${head}\n${a.description}\n${a.alert} ${since}`;
}

function fingerprint(m: Message): string {
  const labels = Object.keys(m.alert.labels)
    .sort()
    .map((k) => `${k}=${m.alert.labels[k]}`)
    .join(',');
  return createHash('sha256')
    .update(`${m.alert.alert}/${m.alert.severity}{${labels}}`)
    .digest('hex')
    .slice(0, 16);
}

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The request a channel's API expects for one message. Pure; tests compare it field by field. */
export function requestFor(channel: Channel, m: Message): HttpRequest {
  const text = messageText(m);
  const json = { 'content-type': 'application/json' };
  switch (channel.type) {
    case 'webhook': {
      const status = m.kind === 'resolved' ? 'resolved' : 'firing';
      const labels = { ...m.alert.labels, alertname: m.alert.alert, severity: m.alert.severity };
      const annotations = { summary: m.alert.summary, description: m.alert.description };
      return {
        url: channel.url,
        headers: json,
        body: JSON.stringify({
          version: '4',
          groupKey: `dokomodo/${fingerprint(m)}`,
          truncatedAlerts: 0,
          status,
          receiver: channel.name,
          groupLabels: { alertname: m.alert.alert },
          commonLabels: labels,
          commonAnnotations: annotations,
          externalURL: '',
          alerts: [
            {
              status,
              labels,
              annotations,
              startsAt: iso(m.alert.activeSince),
              endsAt: status === 'resolved' ? iso(m.at) : ZERO_TIME,
              generatorURL: '',
              fingerprint: fingerprint(m),
            },
          ],
        }),
      };
    }
    case 'telegram':
      return {
        url: `${channel.api.replace(/\/$/, '')}/bot${channel.token}/sendMessage`,
        headers: json,
        // Plain text: no parse_mode, so chain names and descriptions need no escaping.
        body: JSON.stringify({
          chat_id: channel.chat,
          text: text.slice(0, 4096),
          disable_web_page_preview: true,
        }),
      };
    case 'discord':
      return {
        url: channel.url,
        headers: json,
        // allowed_mentions empty: nothing in an alert can ping @everyone.
        body: JSON.stringify({
          username: 'dokomodo',
          content: text.slice(0, 2000),
          allowed_mentions: { parse: [] },
        }),
      };
    case 'ntfy': {
      const priority = m.kind === 'resolved' ? '2' : m.alert.severity === 'critical' ? '5' : '3';
      const tags =
        m.kind === 'resolved'
          ? 'white_check_mark'
          : m.alert.severity === 'critical'
            ? 'rotating_light'
            : 'warning';
      const [title, ...rest] = text.split('\n');
      return {
        url: channel.url,
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          // Header values must be Latin-1; titles are ASCII apart from chain names, which are.
          title: title!.replace(/[^\x20-\x7e]/g, '?'),
          priority,
          tags,
          ...(channel.token ? { authorization: `Bearer ${channel.token}` } : {}),
        },
        body: rest.join('\n'),
      };
    }
  }
}

export interface DeliveryResult {
  ok: boolean;
  status?: number;
  /** Seconds the service asked us to wait (429), if it said. */
  retryAfter?: number;
  error?: string;
}

export type Sender = (req: HttpRequest, timeoutMs: number) => Promise<DeliveryResult>;

/** POSTs with undici; the answer's status decides, the body only for Discord's retry_after. */
export const httpSender: Sender = async (req, timeoutMs) => {
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    let retryAfter: number | undefined;
    const header = res.headers['retry-after'];
    if (typeof header === 'string' && Number.isFinite(Number(header))) retryAfter = Number(header);
    if (res.statusCode === 429 && retryAfter === undefined) {
      try {
        const j = JSON.parse(text) as { retry_after?: number; parameters?: { retry_after?: number } };
        retryAfter = j.retry_after ?? j.parameters?.retry_after;
      } catch {
        // no hint: the default backoff applies
      }
    }
    return {
      ok,
      status: res.statusCode,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(ok ? {} : { error: `HTTP ${res.statusCode}` }),
    };
  } catch (e) {
    return { ok: false, error: redact((e as Error).message) };
  }
};

const transient = (r: DeliveryResult) => r.status === undefined || r.status === 429 || r.status >= 500;

export interface OutboxOptions {
  /** Messages per channel per minute. */
  ratePerMinute: number;
  /** Attempts per message before it is given up. */
  maxAttempts?: number;
  /** Seconds between attempts when the service gives no Retry-After (doubled each time). */
  backoffSeconds?: number;
  timeoutMs?: number;
  send?: Sender;
  onEvent?: (e: DeliveryEvent) => void;
}

export type DeliveryEvent =
  | { kind: 'sent'; message: Message; status: number | undefined }
  | { kind: 'retry'; message: Message; error: string; waitSeconds: number }
  | { kind: 'failed'; message: Message; error: string };

export interface OutboxState {
  queue: Message[];
  /** Unix seconds of the sends of the last minute, per channel, for the rate limit. */
  sent: Record<string, number[]>;
  /** Per channel: not before this time (a 429's Retry-After or a backoff). */
  holdUntil: Record<string, number>;
}

export const emptyOutbox = (): OutboxState => ({ queue: [], sent: {}, holdUntil: {} });

/** Adds one message per channel that takes the alert's severity; ids make a re-add a no-op. */
export function enqueue(
  box: OutboxState,
  channels: readonly Channel[],
  kind: MessageKind,
  alert: Message['alert'] & { key?: string },
  at: number,
): void {
  const seen = new Set(box.queue.map((m) => m.id));
  const { key, ...content } = alert;
  for (const c of channels) {
    if (kind !== 'test' && !takes(c, alert.severity)) continue;
    const id = `${c.name}|${kind}|${key ?? alert.alert}|${at}`;
    if (seen.has(id)) continue;
    box.queue.push({ id, channel: c.name, kind, at, alert: content, attempts: 0 });
  }
}

/**
 * Sends what the rate limits and holds allow, in order per channel; `save` runs after every
 * change so a kill between two sends repeats at most the one in flight.
 */
export async function flush(
  box: OutboxState,
  channels: readonly Channel[],
  now: () => number,
  opts: OutboxOptions,
  save: () => void,
): Promise<void> {
  const send = opts.send ?? httpSender;
  const maxAttempts = opts.maxAttempts ?? 5;
  const backoff = opts.backoffSeconds ?? 5;
  const byName = new Map(channels.map((c) => [c.name, c]));
  for (const channel of channels) {
    for (;;) {
      const t = now();
      const m = box.queue.find((x) => x.channel === channel.name);
      if (!m) break;
      if ((box.holdUntil[channel.name] ?? 0) > t) break;
      const recent = (box.sent[channel.name] ?? []).filter((s) => s > t - 60);
      box.sent[channel.name] = recent;
      if (recent.length >= opts.ratePerMinute) break;
      const r = await send(requestFor(channel, m), opts.timeoutMs ?? 10_000);
      m.attempts++;
      if (r.ok) {
        box.queue.splice(box.queue.indexOf(m), 1);
        recent.push(now());
        delete box.holdUntil[channel.name];
        opts.onEvent?.({ kind: 'sent', message: m, status: r.status });
      } else if (transient(r) && m.attempts < maxAttempts) {
        const wait = Math.min(r.retryAfter ?? backoff * 2 ** (m.attempts - 1), 300);
        box.holdUntil[channel.name] = now() + wait;
        opts.onEvent?.({
          kind: 'retry',
          message: m,
          error: r.error ?? `HTTP ${r.status}`,
          waitSeconds: wait,
        });
        save();
        break;
      } else {
        box.queue.splice(box.queue.indexOf(m), 1);
        opts.onEvent?.({ kind: 'failed', message: m, error: r.error ?? `HTTP ${r.status}` });
      }
      save();
    }
  }
  // A channel removed from the platform file leaves nothing behind.
  box.queue = box.queue.filter((m) => byName.has(m.channel));
}
