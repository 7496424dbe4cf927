// The monitor writes its /metrics text itself, straight from a poll's values: it must be byte
// for byte what prom-client writes for the same gauges (the reference implementation of the
// format), with odd label values and +Inf, before the first poll and after; gzip is the same
// bytes compressed, served only to clients that ask for it.
import { gunzipSync } from 'node:zlib';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/contract/metrics.ts';
import { Exporter } from '../../src/monitor/exporter.ts';
import type { Snapshot } from '../../src/monitor/poller.ts';
import { MonitorService } from '../../src/monitor/service.ts';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { platformText } from '../containers/helpers.ts';

/** prom-client's exposition of the exporter's values. */
async function reference(e: Exporter): Promise<string> {
  const registry = new Registry();
  const view = e.view();
  for (const m of METRICS) {
    const g = new Gauge({ name: m.name, help: m.help, labelNames: [...m.labels], registers: [registry] });
    for (const s of view.series(m.name)) g.set(s.labels, s.value);
  }
  return registry.metrics();
}

const platform = platformText(`version: 1
hosts:
  h1: { address: 127.0.0.1 }
chains:
  DOC: { host: h1, params: { ac_supply: 1000 } }
  MARTY: { params: { ac_supply: 2000 } }
  KMD: {}
iguana:
  main: { coins: [KMD, MARTY], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list:
      - { name: devnode_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }
`);

function snapshot(): Snapshot {
  const [doc0, marty] = platform.chains as [(typeof platform.chains)[0], (typeof platform.chains)[0]];
  // Names the platform file refuses, to check the escaping of label values anyway.
  const doc = { ...doc0, name: 'D"O\\C\nX', host: 'h\\1' };
  return {
    at: 1_800_000_000.25,
    durationSeconds: 0.5,
    chains: [
      {
        chain: doc,
        up: true,
        blocks: 12,
        longestChain: 12,
        connections: 3,
        tipTime: 1_799_999_990,
        notarized: 10,
        lastNotarization: 1_799_999_000,
        utxos: 0,
        balance: 0.0001,
        fundsLeftSeconds: Number.POSITIVE_INFINITY,
        timeOffset: -2,
        diskFree: 0.123456789,
        rpcSeconds: 0.004,
      },
      { chain: marty, up: false, rpcSeconds: 10 },
    ],
    iguana: [{ instance: platform.iguana[0]!, up: true, peers: 7 }],
    logs: [{ chain: doc, pattern: 'need-funds', level: 'warning', lastSeen: 1_799_999_999 }],
  };
}

describe('the /metrics exposition', () => {
  it('is prom-client’s, byte for byte, before the first poll and after', async () => {
    const e = new Exporter(platform);
    expect(e.metricsText()).toBe(await reference(e));
    e.update(snapshot());
    const text = e.metricsText();
    expect(text).toBe(await reference(e));
    expect(text).toContain('dokomodo_chain_funds_left_seconds{chain="D\\"O\\\\C\\nX",host="h\\\\1"} +Inf');
    expect(text).toContain('dokomodo_chain_up{chain="MARTY",host="h1"} 0');
    expect(text).not.toContain('dokomodo_chain_blocks{chain="MARTY"');
  });

  it('is made once per poll; gzip only for clients that accept it, the same bytes', async () => {
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      poll: async () => snapshot(),
    });
    await service.pollNow();
    expect(service.exporter.metricsBytes()).toBe(service.exporter.metricsBytes());
    const plain = await service.app.request('/metrics');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await plain.text();
    const gz = await service.app.request('/metrics', { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('accept-encoding');
    const raw = new Uint8Array(await gz.arrayBuffer());
    expect(raw.length).toBeLessThan(text.length / 3);
    expect(gunzipSync(raw).toString('utf8')).toBe(text);
  });
});
