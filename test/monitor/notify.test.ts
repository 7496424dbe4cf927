// Alert delivery against local stand-ins of each service, checked against the documented request
// formats: Alertmanager webhook v4, Telegram Bot API sendMessage, Discord webhooks, ntfy publish.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricView } from '../../src/contract/alerts.ts';
import { memoryStateStore } from '../../src/core/state.ts';
import { Alerter, alertStateKey } from '../../src/monitor/alerter.ts';
import { type Channel, type Message, requestFor, resolveChannels } from '../../src/monitor/notify.ts';
import { memoryHost } from '../../src/core/host.ts';
import { dokomodo } from '../cli/helpers.ts';
import { platformText } from '../containers/helpers.ts';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One local HTTP server standing in for every service; answers are scripted per path prefix. */
class StandIn {
  readonly got: Received[] = [];
  /** Status codes to answer next, per path prefix (then 200, or 204 for /discord). */
  script = new Map<string, Array<{ status: number; headers?: Record<string, string>; body?: string }>>();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.got.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const prefix = [...this.script.keys()].find((p) => path.startsWith(p));
        const next = prefix ? this.script.get(prefix)!.shift() : undefined;
        if (next) {
          res.writeHead(next.status, next.headers ?? {}).end(next.body ?? '');
        } else if (path.startsWith('/discord')) {
          res.writeHead(204).end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  at(path: string): Received[] {
    return this.got.filter((g) => g.path.startsWith(path));
  }
}

const TOKEN = '123456:ABC-telegram-test-token';

function dokomodoAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/dokomodo.js', ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
const stand = new StandIn();
beforeAll(() => stand.start());
afterAll(() => stand.stop());

function platformWith(port: number, extra = '') {
  const base = `http://127.0.0.1:${port}`;
  return platformText(`version: 1
chains:
  DOC: { params: { ac_supply: 1000 } }
alerts:
  repeat: 1h
  rate: 3
  channels:
    hook: { type: webhook, url: "${base}/hook" }
    chat: { type: telegram, token: { env: TG_TOKEN }, chat: "-100200300", api: "${base}/tg" }
    disc: { type: discord, url: { env: DISCORD_URL }, severity: critical }
    push: { type: ntfy, url: "${base}/ntfy/notary", token: { env: NTFY_TOKEN } }
${extra}`);
}

const ENV = { TG_TOKEN: TOKEN, DISCORD_URL: '', NTFY_TOKEN: 'tk_ntfy_secret_token' };

function channelsFor(port: number) {
  const p = platformWith(port);
  const env = { ...ENV, DISCORD_URL: `http://127.0.0.1:${port}/discord/webhooks/1/secret-discord-token` };
  return { platform: p, channels: resolveChannels(p, memoryHost({}, env)) };
}

const downView = (up: number): MetricView => ({
  series: (n) => (n === 'dokomodo_chain_up' ? [{ labels: { chain: 'DOC', host: 'local' }, value: up }] : []),
});

describe('request formats', () => {
  const message: Message = {
    id: 'x',
    channel: 'c',
    kind: 'firing',
    at: 1_700_000_600,
    attempts: 0,
    alert: {
      alert: 'DokomodoChainDown',
      severity: 'critical',
      labels: { chain: 'DOC', host: 'nn' },
      summary: 'DOC on nn is down',
      description: 'DOC on nn has not answered RPC for 5 minutes.',
      activeSince: 1_700_000_000,
      value: 0,
    },
  };
  const ch = (c: Partial<Channel> & Pick<Channel, 'type'>) =>
    ({ name: 'c', severity: 'warning', ...c }) as Channel;

  it('webhook: Alertmanager webhook payload version 4', () => {
    const r = requestFor(ch({ type: 'webhook', url: 'http://h/x' }), message);
    const b = JSON.parse(r.body);
    expect(b).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'c',
      groupLabels: { alertname: 'DokomodoChainDown' },
      commonLabels: { alertname: 'DokomodoChainDown', severity: 'critical', chain: 'DOC', host: 'nn' },
      truncatedAlerts: 0,
    });
    expect(b.alerts).toHaveLength(1);
    expect(b.alerts[0]).toMatchObject({
      status: 'firing',
      startsAt: '2023-11-14T22:13:20.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      annotations: { summary: 'DOC on nn is down' },
    });
    expect(b.alerts[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const resolved = JSON.parse(
      requestFor(ch({ type: 'webhook', url: 'http://h/x' }), { ...message, kind: 'resolved' }).body,
    );
    expect(resolved.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2023-11-14T22:23:20.000Z' });
    expect(resolved.alerts[0].fingerprint).toBe(b.alerts[0].fingerprint);
  });

  it('telegram: POST /bot<token>/sendMessage with chat_id and plain text', () => {
    const r = requestFor(
      ch({ type: 'telegram', token: 'T0K', chat: '-1001', api: 'https://api.telegram.org/' }),
      message,
    );
    expect(r.url).toBe('https://api.telegram.org/botT0K/sendMessage');
    const b = JSON.parse(r.body);
    expect(Object.keys(b).sort()).toEqual(['chat_id', 'disable_web_page_preview', 'text']);
    expect(b.chat_id).toBe('-1001');
    expect(b.text).toMatch(/^FIRING \[critical\] DOC on nn is down\n/);
  });

  it('discord: content within 2000 characters, no mentions', () => {
    const long = { ...message, alert: { ...message.alert, description: '@everyone '.repeat(500) } };
    const b = JSON.parse(requestFor(ch({ type: 'discord', url: 'http://h/d' }), long).body);
    expect(b.content.length).toBeLessThanOrEqual(2000);
    expect(b.allowed_mentions).toEqual({ parse: [] });
  });

  it('ntfy: body text, Title, Priority and Tags headers, bearer token', () => {
    const r = requestFor(ch({ type: 'ntfy', url: 'https://ntfy.sh/t', token: 'tk' }), message);
    expect(r.headers).toMatchObject({
      title: 'FIRING [critical] DOC on nn is down',
      priority: '5',
      tags: 'rotating_light',
      authorization: 'Bearer tk',
    });
    expect(r.body).toContain('has not answered RPC');
    const resolved = requestFor(ch({ type: 'ntfy', url: 'https://ntfy.sh/t' }), {
      ...message,
      kind: 'resolved',
    });
    expect(resolved.headers).toMatchObject({ priority: '2', tags: 'white_check_mark' });
    expect(resolved.headers['authorization']).toBeUndefined();
  });
});

describe('Alerter against local stand-ins', () => {
  it('one message per transition and channel, severity routing, and nothing secret in the saved state', async () => {
    stand.got.length = 0;
    const { platform, channels } = channelsFor(stand.port);
    const store = memoryStateStore();
    let now = 1_000_000;
    const a = new Alerter({ platform, channels, store, now: () => now });
    for (let m = 0; m <= 12; m++) {
      await a.afterPoll(downView(0));
      now += 60;
    }
    await a.afterPoll(downView(1));
    // firing + resolved to each of the 4 channels (critical reaches the critical-only Discord too)
    expect(stand.at('/hook')).toHaveLength(2);
    expect(stand.at(`/tg/bot${TOKEN}/sendMessage`)).toHaveLength(2);
    expect(stand.at('/discord/webhooks/1/secret-discord-token')).toHaveLength(2);
    expect(stand.at('/ntfy/notary')).toHaveLength(2);
    expect(stand.at('/ntfy/notary')[0]!.headers['authorization']).toBe('Bearer tk_ntfy_secret_token');
    expect(JSON.parse(stand.at('/hook')[1]!.body).status).toBe('resolved');
    expect(JSON.parse(stand.at('/tg')[0]!.body).chat_id).toBe('-100200300');
    const saved = store.docs.get(alertStateKey(platform))!;
    for (const s of [TOKEN, 'secret-discord-token', 'tk_ntfy_secret_token']) expect(saved).not.toContain(s);
  });

  it('a warning goes only to channels that take warnings', async () => {
    stand.got.length = 0;
    const { platform, channels } = channelsFor(stand.port);
    let now = 2_000_000;
    const a = new Alerter({ platform, channels, store: memoryStateStore(), now: () => now });
    const peers: MetricView = {
      series: (n) =>
        n === 'dokomodo_chain_connections' ? [{ labels: { chain: 'DOC', host: 'local' }, value: 0 }] : [],
    };
    for (let m = 0; m <= 11; m++) {
      await a.afterPoll(peers);
      now += 60;
    }
    expect(stand.at('/hook')).toHaveLength(1);
    expect(stand.at('/discord')).toHaveLength(0);
  });

  it('429 with Retry-After and 500 are retried; 401 is dropped and reported', async () => {
    stand.got.length = 0;
    const p = platformText(`version: 1
chains: { DOC: { params: { ac_supply: 1000 } } }
alerts:
  channels:
    flaky: { type: webhook, url: "http://127.0.0.1:${stand.port}/flaky" }
    bad: { type: webhook, url: "http://127.0.0.1:${stand.port}/bad" }
`);
    stand.script.set('/flaky', [{ status: 429, headers: { 'retry-after': '30' } }, { status: 503 }]);
    stand.script.set('/bad', [{ status: 401 }]);
    let now = 3_000_000;
    const events: string[] = [];
    const a = new Alerter({
      platform: p,
      channels: resolveChannels(p, memoryHost({})),
      store: memoryStateStore(),
      now: () => now,
      backoffSeconds: 10,
      onEvent: (e) =>
        events.push(
          e.kind === 'transition'
            ? `transition:${e.transition.kind}`
            : `${e.kind}:${'message' in e ? e.message.channel : ''}`,
        ),
    });
    for (let m = 0; m <= 8; m++) {
      await a.afterPoll(downView(0));
      now += 60; // ≥ every hold, so each poll retries once
    }
    expect(events).toEqual(['transition:firing', 'retry:flaky', 'failed:bad', 'retry:flaky', 'sent:flaky']);
    expect(a.pending).toBe(0);
  });

  it('rate limit per channel: the rest waits for the next minute, nothing lost', async () => {
    stand.got.length = 0;
    const p = platformText(`version: 1
chains: { DOC: { params: { ac_supply: 1000 } } }
alerts:
  rate: 2
  channels: { hook: { type: webhook, url: "http://127.0.0.1:${stand.port}/rate" } }
`);
    let now = 4_000_000;
    const a = new Alerter({
      platform: p,
      channels: resolveChannels(p, memoryHost({})),
      store: memoryStateStore(),
      now: () => now,
    });
    const many = (up: number): MetricView => ({
      series: (n) =>
        n === 'dokomodo_chain_up'
          ? ['A', 'B', 'C', 'D', 'E'].map((c) => ({ labels: { chain: c, host: 'local' }, value: up }))
          : [],
    });
    const base = now;
    for (let m = 0; m <= 5; m++) {
      now = base + m * 60;
      await a.afterPoll(many(0));
    }
    // all five fire in the same evaluation (minute 5): two go out, three wait
    expect(stand.at('/rate')).toHaveLength(2);
    expect(a.pending).toBe(3);
    now += 30;
    await a.afterPoll(many(0)); // same minute: still held by the limit
    expect(stand.at('/rate')).toHaveLength(2);
    now += 31;
    await a.afterPoll(many(0));
    expect(stand.at('/rate')).toHaveLength(4);
    now += 60;
    await a.afterPoll(many(0));
    expect(stand.at('/rate')).toHaveLength(5);
    const chains = stand.at('/rate').map((g) => JSON.parse(g.body).commonLabels.chain);
    expect(new Set(chains)).toEqual(new Set(['A', 'B', 'C', 'D', 'E']));
  });

  it('a restart neither repeats a notification nor loses the resolution', async () => {
    stand.got.length = 0;
    const p = platformText(`version: 1
chains: { DOC: { params: { ac_supply: 1000 } } }
alerts: { channels: { hook: { type: webhook, url: "http://127.0.0.1:${stand.port}/restart" } } }
`);
    const store = memoryStateStore();
    let now = 5_000_000;
    const mk = () =>
      new Alerter({ platform: p, channels: resolveChannels(p, memoryHost({})), store, now: () => now });
    const first = mk();
    for (let m = 0; m <= 6; m++) {
      await first.afterPoll(downView(0));
      now += 60;
    }
    expect(stand.at('/restart')).toHaveLength(1);
    const second = mk(); // the monitor restarted; the chain is still down
    await second.afterPoll(downView(0));
    now += 600; // down for a while, then back while the monitor was away
    const third = mk();
    await third.afterPoll(downView(1));
    await third.afterPoll(downView(1));
    expect(stand.at('/restart').map((g) => JSON.parse(g.body).status)).toEqual(['firing', 'resolved']);
  });

  it('heartbeat after every poll; a failing one is reported, never fatal', async () => {
    stand.got.length = 0;
    const p = platformText(`version: 1
chains: { DOC: { params: { ac_supply: 1000 } } }
alerts: { heartbeat: { url: "http://127.0.0.1:${stand.port}/ping/abc" } }
`);
    stand.script.set('/ping', [{ status: 200 }, { status: 500 }]);
    const events: string[] = [];
    const a = new Alerter({
      platform: p,
      channels: [],
      store: memoryStateStore(),
      heartbeatUrl: `http://127.0.0.1:${stand.port}/ping/abc`,
      onEvent: (e) => events.push(e.kind),
    });
    await a.afterPoll(downView(1));
    await a.afterPoll(downView(1));
    expect(stand.at('/ping/abc')).toHaveLength(2);
    expect(events).toEqual(['heartbeat-failed']);
  });
});

describe('dokomodo monitor test-alert', () => {
  it('sends through every channel and says which failed (exit 1), tokens never printed', async () => {
    stand.got.length = 0;
    stand.script.set('/tg', [{ status: 401, body: '{"ok":false,"description":"Unauthorized"}' }]);
    const dir = mkdtempSync(join(tmpdir(), 'dk-test-alert-'));
    const file = join(dir, 'dokomodo.yaml');
    const base = `http://127.0.0.1:${stand.port}`;
    writeFileSync(
      file,
      `version: 1
chains: { DOC: { params: { ac_supply: 1000 } } }
alerts:
  channels:
    hook: { type: webhook, url: "${base}/cli-hook" }
    chat: { type: telegram, token: { env: TG_TOKEN }, chat: 42, api: "${base}/tg" }
    pager: { type: ntfy, url: "${base}/ntfy/pager", severity: critical }
`,
    );
    // async: the stand-in server runs in this process and must keep answering
    const r = await dokomodoAsync(['monitor', 'test-alert', '-f', file], { TG_TOKEN: TOKEN });
    expect(r.stdout).toMatch(/sent\s+hook \(webhook\)/);
    expect(r.stdout).toMatch(/failed\s+chat \(telegram\): HTTP 401/);
    expect(r.stdout).toMatch(/sent\s+pager \(ntfy\)/);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(JSON.parse(stand.at('/cli-hook')[0]!.body).commonLabels.alertname).toBe('DokomodoTestAlert');
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
  });

  it('a platform without channels is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dk-test-alert-'));
    const file = join(dir, 'dokomodo.yaml');
    writeFileSync(file, 'version: 1\nchains: { DOC: { params: { ac_supply: 1000 } } }\n');
    const r = dokomodo(['monitor', 'test-alert', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-alert-channels');
  });
});
