// The monitor's live page: served by the monitor itself (nothing from elsewhere), pushed updates
// over server-sent events, a token when asked for, and in a real headless Chromium a chain that
// stops turns its row red without a reload.
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/monitor/poller.ts';
import { MonitorService } from '../../src/monitor/service.ts';
import type { Platform } from '../../src/platform/model.ts';
import { platformText } from '../containers/helpers.ts';

const platform: Platform = platformText(`version: 1
chains:
  KMD: {}
  DOC: { params: { ac_supply: 1000 } }
  XYZ: { params: { ac_supply: 1001 } }
`);

/** A poll stand-in whose answers the test changes: DOC up or down, and a clock. */
function world() {
  const state = { docUp: true, n: 0 };
  const poll = async (): Promise<Snapshot> => {
    state.n++;
    const at = 1_700_000_000 + state.n * 10;
    const [kmd, doc, x] = platform.chains;
    return {
      at,
      durationSeconds: 0.05,
      chains: [
        {
          chain: kmd!,
          up: true,
          blocks: 100 + state.n,
          longestChain: 100 + state.n,
          connections: 8,
          notarized: 90,
          lastNotarization: at - 600,
          utxos: 40,
          balance: 1.5,
          rpcSeconds: 0.01,
        },
        state.docUp
          ? {
              chain: doc!,
              up: true,
              blocks: 50 + state.n,
              longestChain: 80,
              connections: 3,
              notarized: 40,
              lastNotarization: at - 30_000,
              utxos: 3,
              balance: 0.2,
              rpcSeconds: 0.01,
            }
          : { chain: doc!, up: false, rpcSeconds: 0.02 },
        { chain: x!, up: true, blocks: 7, rpcSeconds: 0.01 },
      ],
      iguana: [],
    };
  };
  return { state, poll };
}

describe('monitor page', () => {
  it('is one self-contained document: nothing loaded from another origin', async () => {
    const { poll } = world();
    const s = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      poll,
    });
    const res = await s.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('Content-Security-Policy');
    expect(html).toContain('name="viewport"');
    // the inline script parses (a syntax error would leave the page blank in every browser)
    const script = html.split('<script>')[1]!.split('</script>')[0]!;
    expect(() => new Function(script)).not.toThrow();
  });

  it('/api/status carries rows, history for sparklines and the alerts', async () => {
    const { poll } = world();
    const s = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      poll,
    });
    expect((await s.app.request('/api/status')).status).toBe(503);
    await s.pollNow();
    await s.pollNow();
    const m = (await (await s.app.request('/api/status')).json()) as {
      chains: Array<{ chain: string; history: number[][] }>;
      alerts: unknown[];
    };
    const doc = m.chains.find((c) => c.chain === 'DOC')!;
    expect(doc).toMatchObject({ up: true, blocks: 52, longestChain: 80, notarizedAge: 30_000, utxos: 3 });
    expect(doc.history.map((h) => h[1])).toEqual([51, 52]);
    expect(m.alerts).toEqual([]);
  });

  it('with a token: 401 without it, the cookie after ?token= once; /metrics and /healthz stay open', async () => {
    const { poll } = world();
    const s = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      poll,
      token: 'tok-123456',
    });
    await s.pollNow();
    expect((await s.app.request('/')).status).toBe(401);
    expect((await s.app.request('/api/status')).status).toBe(401);
    expect((await s.app.request('/api/status', { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect(
      (await s.app.request('/api/status', { headers: { authorization: 'Bearer tok-123456' } })).status,
    ).toBe(200);
    const login = await s.app.request('/?token=tok-123456');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/dokomodo_token=tok-123456; .*HttpOnly/);
    expect((await s.app.request('/', { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    expect((await s.app.request('/metrics')).status).toBe(200);
    expect((await s.app.request('/healthz')).status).toBe(200);
  });

  it('pushes every poll to the event stream, and the stream ends when the monitor stops', async () => {
    const { poll } = world();
    let url = '';
    const s = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 50,
      poll,
      onEvent: (e) => {
        if (e.kind === 'listening') url = e.url;
      },
    });
    const stop = new AbortController();
    const running = s.run('127.0.0.1', 0, stop.signal);
    for (let i = 0; i < 100 && !url; i++) await new Promise((r) => setTimeout(r, 10));
    const res = await fetch(`${url}/api/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while ((text.match(/event: status/g) ?? []).length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const events = text.split('\n\n').filter((e) => e.includes('event: status'));
    expect(events.length).toBeGreaterThanOrEqual(3);
    const models = events.map((e) =>
      JSON.parse(
        e
          .split('\n')
          .find((l) => l.startsWith('data: '))!
          .slice(6),
      ),
    );
    expect(models[1].at).toBeGreaterThan(models[0].at);
    stop.abort();
    await running; // resolves: the open stream did not hold the server
    const rest = await reader.read().catch(() => ({ done: true }));
    expect(rest.done).toBe(true);
  });
});

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium)('monitor page in headless Chromium', () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await s();
  });

  it('shows every chain, colours by the bands, and turns a stopped chain red without reload', async () => {
    const { chromium } = await import('playwright-core');
    const { state, poll } = world();
    let url = '';
    const s = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 200,
      poll,
      onEvent: (e) => {
        if (e.kind === 'listening') url = e.url;
      },
    });
    const stop = new AbortController();
    const running = s.run('127.0.0.1', 0, stop.signal);
    stops.push(async () => {
      stop.abort();
      await running;
    });
    for (let i = 0; i < 100 && !url; i++) await new Promise((r) => setTimeout(r, 10));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      ],
    });
    stops.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 520 } });
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) external.push(r.url());
    });
    await page.goto(`${url}/`);
    await page.waitForSelector('tr[data-chain="DOC"].up', { timeout: 10_000 });
    expect(await page.locator('#chains tr').count()).toBe(3);
    expect(await page.locator('tr[data-chain="XYZ"] td').first().textContent()).toBe('XYZ');
    // bands: DOC's 3 UTXOs red, 30,000 s since its notarization yellow, KMD's 10 minutes green
    const doc = page.locator('tr[data-chain="DOC"]');
    expect(await doc.locator('td').nth(7).getAttribute('class')).toContain('red');
    expect(await doc.locator('td').nth(6).getAttribute('class')).toContain('yellow');
    expect(await page.locator('tr[data-chain="KMD"] td').nth(6).getAttribute('class')).toContain('green');
    await page.waitForSelector('tr[data-chain="KMD"] polyline', { timeout: 5000 });
    await page.waitForSelector('#conn.live');
    // DOKOMODO_UPDATE_DOCS=1 refreshes the committed image of docs/monitoring.md
    const shots = process.env['DOKOMODO_UPDATE_DOCS'] === '1' ? 'docs/images' : '.tmp';
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'dashboard.png') });
    expect(existsSync(join(shots, 'dashboard.png'))).toBe(true);

    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    state.docUp = false;
    await page.waitForSelector('tr[data-chain="DOC"].down', { timeout: 5000 });
    expect(await doc.locator('td').nth(2).textContent()).toBe('down');
    expect(navigations).toEqual([]); // no reload: the stream updated the row
    state.docUp = true;
    await page.waitForSelector('tr[data-chain="DOC"].up', { timeout: 5000 });
    await page.setViewportSize({ width: 390, height: 760 }); // a phone
    expect(await page.locator('th.wide').first().isVisible()).toBe(false);
    expect(await page.locator('tr[data-chain="DOC"] td').nth(6).isVisible()).toBe(true);
    expect(external).toEqual([]);
  }, 60_000);
});
