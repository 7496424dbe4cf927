// The monitor's app and service loop in process: no daemons, a poll stand-in with known values.
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { describe, expect, it } from 'vitest';
import { MonitorService } from '../../src/monitor/service.ts';
import type { MonitorEvent } from '../../src/monitor/service.ts';
import type { Snapshot } from '../../src/monitor/poller.ts';
import type { Platform } from '../../src/platform/model.ts';
import { platformText } from '../containers/helpers.ts';

const platform: Platform = platformText(`version: 1
chains:
  KMD: {}
  APPX: { params: { ac_supply: 1000 } }
`);

function snapshot(upKmd: boolean, blocks: number): Snapshot {
  const [kmd, appx] = platform.chains;
  return {
    at: 1_700_000_000,
    durationSeconds: 0.25,
    chains: [
      upKmd
        ? { chain: kmd!, up: true, blocks, rpcSeconds: 0.01 }
        : { chain: kmd!, up: false, rpcSeconds: 0.02 },
      { chain: appx!, up: true, blocks: blocks * 2, rpcSeconds: 0.01 },
    ],
    iguana: [],
  };
}

describe('monitor app', () => {
  it('answers 503 on /healthz until the first poll, then serves the polled values on /metrics', async () => {
    const polls = [snapshot(true, 10), snapshot(false, 11)];
    const events: MonitorEvent[] = [];
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      poll: async () => polls.shift()!,
      onEvent: (e) => events.push(e),
    });
    const before = await service.app.request('/healthz');
    expect(before.status).toBe(503);
    expect(await before.text()).toBe('no poll yet\n');

    await service.pollNow();
    const health = await service.app.request('/healthz');
    expect(health.status).toBe(200);
    const metrics = await service.app.request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('dokomodo_chain_blocks{chain="KMD",host="local"} 10');
    expect(text).toContain('dokomodo_chain_blocks{chain="APPX",host="local"} 20');

    await service.pollNow();
    const after = await (await service.app.request('/metrics')).text();
    expect(after).toContain('dokomodo_chain_up{chain="KMD",host="local"} 0');
    expect(after).not.toContain('dokomodo_chain_blocks{chain="KMD"');
    expect(events.map((e) => (e.kind === 'polled' ? e.down : e.kind))).toEqual([[], ['KMD']]);
  });

  it('refuses other methods with 405 and unknown paths with 404', async () => {
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: [],
      intervalMs: 1000,
      poll: async () => snapshot(true, 1),
    });
    const post = await service.app.request('/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const missing = await service.app.request('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/metrics');
  });

  it('run() serves over a real socket, polls on its interval and stops when aborted', async () => {
    let n = 0;
    const events: MonitorEvent[] = [];
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 20,
      poll: async () => snapshot(true, ++n),
      onEvent: (e) => events.push(e),
    });
    const stop = new AbortController();
    const running = service.run('127.0.0.1', 0, stop.signal);
    const deadline = Date.now() + 5000;
    while (n < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const listening = events.find((e) => e.kind === 'listening');
    expect(listening?.kind === 'listening' && /^http:\/\/127\.0\.0\.1:\d+$/.test(listening.url)).toBe(true);
    const url = listening?.kind === 'listening' ? listening.url : '';
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    stop.abort();
    await running;
    expect(n).toBeGreaterThanOrEqual(3);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('a taken port is a listen-failed error, reported before any poll', async () => {
    let portA = 0;
    const a = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: [],
      intervalMs: 1000,
      poll: async () => snapshot(true, 1),
      onEvent: (e) => {
        if (e.kind === 'listening') portA = Number(new URL(e.url).port);
      },
    });
    const stopA = new AbortController();
    const runA = a.run('127.0.0.1', 0, stopA.signal);
    const deadline = Date.now() + 5000;
    while (portA === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    let polledB = 0;
    const b = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: [],
      intervalMs: 1000,
      poll: async () => {
        polledB++;
        return snapshot(true, 1);
      },
    });
    await expect(b.run('127.0.0.1', portA, new AbortController().signal)).rejects.toMatchObject({
      code: 'listen-failed',
      message: expect.stringContaining('the port is in use'),
    });
    expect(polledB).toBe(0);
    stopA.abort();
    await runA;
  });
});
