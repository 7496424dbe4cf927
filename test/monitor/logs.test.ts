// Log tails on real files: appends, partial lines, rotation, truncation, the per-poll bound, the
// known patterns as events, metrics and alerts, and the API that serves the tail.
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_PATTERNS, LogTailer } from '../../src/monitor/logs.ts';
import type { Snapshot } from '../../src/monitor/poller.ts';
import { type MonitorEvent, MonitorService } from '../../src/monitor/service.ts';
import { Alerter } from '../../src/monitor/alerter.ts';
import { memoryStateStore } from '../../src/core/state.ts';
import { platformText } from '../containers/helpers.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'dk-logs-'));

describe('LogTailer', () => {
  it('starts at the end of an existing file and reads only what is appended, whole lines only', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, 'old line 1\nold line 2\n');
    const t = new LogTailer([{ source: 'DOC', path: f }]);
    expect(t.poll(1)).toEqual([]);
    expect(t.lines('DOC')).toEqual([]);
    appendFileSync(f, '2026-12-02 UpdateTip: new best\nhalf a li');
    t.poll(2);
    expect(t.lines('DOC')).toEqual(['2026-12-02 UpdateTip: new best']);
    appendFileSync(f, 'ne\r\n');
    t.poll(3);
    expect(t.lines('DOC')).toEqual(['2026-12-02 UpdateTip: new best', 'half a line']);
  });

  it('a missing file is no log yet; once created it is read from its start', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    const t = new LogTailer([{ source: 'DOC', path: f }]);
    expect(t.poll(1)).toEqual([]);
    writeFileSync(f, 'first\n');
    t.poll(2);
    expect(t.lines('DOC')).toEqual(['first']);
  });

  it('follows a rotation (new inode) and a truncation from the new start', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const t = new LogTailer([{ source: 'DOC', path: f }]);
    appendFileSync(f, 'a\nb\n');
    t.poll(1);
    renameSync(f, `${f}.1`);
    writeFileSync(f, 'c\nc2\n');
    t.poll(2);
    writeFileSync(f, 'd\n'); // truncated and rewritten, shorter than before
    t.poll(3);
    expect(t.lines('DOC')).toEqual(['a', 'b', 'c', 'c2', 'd']);
  });

  it('keeps the last lines only and reads at most the bound per poll, saying it skipped', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const t = new LogTailer([{ source: 'DOC', path: f }], { keep: 5, maxBytesPerPoll: 1000 });
    appendFileSync(f, Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n') + '\n');
    t.poll(1);
    const lines = t.lines('DOC')!;
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('line 499');
    const t2 = new LogTailer([{ source: 'DOC', path: f }], {
      keep: 1000,
      maxBytesPerPoll: 1000,
      fromStart: true,
    });
    t2.poll(1);
    expect(t2.lines('DOC')![0]).toMatch(/earlier lines skipped/);
    expect(t2.lines('DOC')!.length).toBeLessThan(120);
  });

  it('turns known lines into events with their pattern, one per line', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const t = new LogTailer([{ source: 'DOC', path: f }]);
    appendFileSync(
      f,
      [
        '2026-12-02 08:00:01 Error: Disk space is low!',
        '2026-12-02 08:00:02 REORGANIZE: Disconnect 2 blocks; 00a1..00b2',
        '2026-12-02 08:00:03 UpdateTip: new best=0ab1 height=101',
        'DOC need to fund address RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA',
        'cant dPoW an inactive coin DOC',
        '2026-12-02 08:00:05 Corrupted block database detected',
      ].join('\n') + '\n',
    );
    const events = t.poll(100);
    expect(events.map((e) => e.pattern.name)).toEqual([
      'disk-full',
      'reorg',
      'need-funds',
      'cant-dpow',
      'corrupt-database',
    ]);
    expect(events.every((e) => e.at === 100 && e.source === 'DOC')).toBe(true);
    expect(Object.fromEntries(t.lastSeen.get('DOC')!)).toEqual({
      'disk-full': 100,
      reorg: 100,
      'need-funds': 100,
      'cant-dpow': 100,
      'corrupt-database': 100,
    });
    expect(LOG_PATTERNS.every((p) => p.hint.length > 10)).toBe(true);
  });
});

describe('LogTailer across a restart', () => {
  it('gives its last matches back as state, and takes them (for its own sources only)', () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const a = new LogTailer([{ source: 'DOC', path: f }]);
    appendFileSync(f, 'REORGANIZE: Disconnect 1 blocks\n');
    a.poll(500);
    const saved = JSON.parse(JSON.stringify(a.seenState()));
    expect(saved).toEqual({ DOC: { reorg: 500 } });
    const b = new LogTailer([{ source: 'DOC', path: f }], { seen: { ...saved, GONE: { reorg: 1 } } });
    expect(b.poll(600)).toEqual([]); // the old line is not read again
    expect(b.seenState()).toEqual({ DOC: { reorg: 500 } });
  });
});

describe('logs in the monitor', () => {
  it('a disk-full line becomes a metric, a critical alert that resolves after 30 quiet minutes, and the tail is served', async () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const platform = platformText(`version: 1
chains:
  DOC: { params: { ac_supply: 1000 } }
alerts: { channels: { hook: { type: webhook, url: "http://127.0.0.1:9/unused" } } }
`);
    let now = 1_800_000_000;
    const sent: string[] = [];
    const alerter = new Alerter({
      platform,
      channels: [],
      store: memoryStateStore(),
      now: () => now,
      onEvent: (e) => {
        if (e.kind === 'transition')
          sent.push(`${e.transition.kind}:${e.transition.alert.alert}:${e.transition.alert.severity}`);
      },
    });
    const events: MonitorEvent[] = [];
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      logs: new LogTailer([{ source: 'DOC', path: f }]),
      alerter,
      onEvent: (e) => events.push(e),
      poll: async (): Promise<Snapshot> => ({
        at: now,
        durationSeconds: 0,
        chains: [{ chain: platform.chains[0]!, up: true, blocks: 1, rpcSeconds: 0 }],
        iguana: [],
      }),
    });
    await service.pollNow();
    appendFileSync(f, '2026-12-02 08:00:01 Error: Disk space is low!\n');
    now += 60;
    await service.pollNow();
    const metrics = await (await service.app.request('/metrics')).text();
    expect(metrics).toContain(
      `dokomodo_chain_log_pattern_last_seen_timestamp_seconds{chain="DOC",host="local",pattern="disk-full",level="critical"} ${now}`,
    );
    expect(events.filter((e) => e.kind === 'log')).toHaveLength(1);
    expect(sent).toEqual(['firing:DokomodoLogTrouble:critical']);
    const tail = (await (await service.app.request('/api/logs/DOC')).json()) as { lines: string[] };
    expect(tail.lines).toEqual(['2026-12-02 08:00:01 Error: Disk space is low!']);
    expect((await service.app.request('/api/logs/NOPE')).status).toBe(404);
    expect(await (await service.app.request('/api/logs')).json()).toEqual({ sources: ['DOC'] });
    now += 29 * 60;
    await service.pollNow();
    expect(sent).toHaveLength(1);
    now += 2 * 60;
    await service.pollNow();
    expect(sent).toEqual(['firing:DokomodoLogTrouble:critical', 'resolved:DokomodoLogTrouble:critical']);
  });
});
