// Log tails and disk of other hosts: the per-host script runs in a real `sh` on real files (a
// HostShell that runs here but says it is remote, and counts its execs), so offsets, rotation,
// truncation, the bounds, base64 and `df -Pk` are the script's own; the SSH path is in
// test/operator/fleet-reach.test.ts.
import { appendFileSync, mkdtempSync, renameSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/core/state.ts';
import { Alerter } from '../../src/monitor/alerter.ts';
import { iguanaCharge, logSources } from '../../src/monitor/log-sources.ts';
import { LogTailer } from '../../src/monitor/logs.ts';
import type { Snapshot } from '../../src/monitor/poller.ts';
import { pollRemote } from '../../src/monitor/remote-logs.ts';
import { MonitorService } from '../../src/monitor/service.ts';
import { type HostShell, type RunOptions, runProgram } from '../../src/operator/remote/shell.ts';
import { memoryRuntime, type Reach } from '../../src/operator/runtime.ts';
import type { HostModel } from '../../src/platform/model.ts';
import { platformText } from '../containers/helpers.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'dk-rlogs-'));

/** A host's shell that runs programs here (a real sh) but is not this machine; counts its execs. */
function fakeShell(
  name: string,
  opts: { down?: boolean } = {},
): HostShell & { runs: string[][]; inputs: string[] } {
  const runs: string[][] = [];
  const inputs: string[] = [];
  return {
    host: name,
    local: false,
    runs,
    inputs,
    async run(argv: readonly string[], o: RunOptions = {}) {
      runs.push([...argv]);
      inputs.push(o.input ?? '');
      if (opts.down) throw new Error(`host ${name} cannot be reached over SSH: Connection refused`);
      return runProgram(argv[0]!, argv.slice(1), o);
    },
    forwardAll: async () => [],
    alive: async () => true,
    close: async () => {},
  };
}

/** A host of another machine, as the loader makes it (reached over SSH). */
const farHost = platformText(`version: 1
hosts:
  far: { address: 192.0.2.7, ssh: { user: notary }, home: /home/notary }
chains:
  KMD: { host: far }
`).hosts[0]!;
const host = (name: string): HostModel => ({ ...farHost, name });

describe('remote log tails (one exec per host and poll)', () => {
  it('starts at the end, reads appended whole lines of every file of the host in one exec, and its disk', async () => {
    const d = dir();
    const a = join(d, 'A.log');
    const b = join(d, 'B.log');
    writeFileSync(a, 'old a\n');
    writeFileSync(b, 'old b\n');
    const h = host('th1');
    const sh = fakeShell('th1');
    const t = new LogTailer([
      { source: 'A', path: a, host: h, datadir: d },
      { source: 'B', path: b, host: h, datadir: d },
    ]);
    const shellOf = () => sh;
    let r = await pollRemote(t, 1, { shellOf });
    expect(sh.runs).toHaveLength(1);
    expect(t.lines('A')).toEqual([]);
    expect(t.lines('B')).toEqual([]);
    // the list of files goes on stdin, not in argv
    expect(sh.runs[0]!.join(' ')).not.toContain(a);
    expect(sh.inputs[0]).toContain(a);
    const fs = statfsSync(d);
    expect(r.diskFree.get('A')).toBeCloseTo(fs.bavail / fs.blocks, 2);
    appendFileSync(a, 'UpdateTip: height=5\nhalf a li');
    appendFileSync(b, 'DOC need to fund address RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA\n');
    r = await pollRemote(t, 2, { shellOf });
    expect(sh.runs).toHaveLength(2);
    expect(t.lines('A')).toEqual(['UpdateTip: height=5']);
    expect(r.events.map((e) => [e.source, e.chain, e.pattern.name, e.at])).toEqual([
      ['B', 'B', 'need-funds', 2],
    ]);
    appendFileSync(a, 'ne\r\n');
    await pollRemote(t, 3, { shellOf });
    expect(t.lines('A')).toEqual(['UpdateTip: height=5', 'half a line']);
    expect(Object.fromEntries(t.lastSeen.get('B')!)).toEqual({ 'need-funds': 2 });
  });

  it('follows a rotation (new inode) and a truncation from the new start; bytes cross unchanged', async () => {
    const d = dir();
    const f = join(d, 'debug.log');
    writeFileSync(f, '');
    const sh = fakeShell('th1');
    const t = new LogTailer([{ source: 'DOC', path: f, host: host('th1') }]);
    const shellOf = () => sh;
    await pollRemote(t, 1, { shellOf });
    appendFileSync(f, 'a\nb ünïcode €\n');
    await pollRemote(t, 2, { shellOf });
    renameSync(f, `${f}.1`);
    writeFileSync(f, 'c\nc2\n');
    await pollRemote(t, 3, { shellOf });
    writeFileSync(f, 'd\n'); // truncated and rewritten, shorter than before
    await pollRemote(t, 4, { shellOf });
    expect(t.lines('DOC')).toEqual(['a', 'b ünïcode €', 'c', 'c2', 'd']);
  });

  it('a missing file is no log yet, read from its start once it appears', async () => {
    const d = dir();
    const f = join(d, 'debug.log');
    const sh = fakeShell('th1');
    const t = new LogTailer([{ source: 'DOC', path: f, host: host('th1'), datadir: join(d, 'nope') }]);
    const r = await pollRemote(t, 1, { shellOf: () => sh });
    expect(r.diskFree.size).toBe(0); // no such directory: no sample, no error
    writeFileSync(f, 'first\n');
    await pollRemote(t, 2, { shellOf: () => sh });
    expect(t.lines('DOC')).toEqual(['first']);
  });

  it('reads at most the bound per file and the budget per host, and says it skipped', async () => {
    const d = dir();
    const f = join(d, 'debug.log');
    const g = join(d, 'other.log');
    writeFileSync(f, '');
    writeFileSync(g, '');
    const sh = fakeShell('th1');
    const t = new LogTailer(
      [
        { source: 'DOC', path: f, host: host('th1') },
        { source: 'MARTY', path: g, host: host('th1') },
      ],
      { keep: 1000, maxBytesPerPoll: 1000 },
    );
    await pollRemote(t, 1, { shellOf: () => sh, hostBudget: 1500 });
    const many = `${Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n')}\n`;
    appendFileSync(f, many);
    appendFileSync(g, many);
    await pollRemote(t, 2, { shellOf: () => sh, hostBudget: 1500 });
    const doc = t.lines('DOC')!;
    expect(doc[0]).toMatch(/earlier lines skipped/);
    expect(doc.at(-1)).toBe('line 499');
    expect(doc.join('\n').length).toBeLessThan(1100);
    const marty = t.lines('MARTY')!;
    expect(marty[0]).toMatch(/earlier lines skipped/);
    expect(marty.at(-1)).toBe('line 499');
    // 1500 − 1000 left for the second file
    expect(marty.slice(1).join('\n').length).toBeLessThan(520);
    appendFileSync(f, 'next\n');
    await pollRemote(t, 3, { shellOf: () => sh, hostBudget: 1500 });
    expect(t.lines('DOC')!.at(-1)).toBe('next');
  });

  it('a host that cannot be reached is skipped with its reason; other hosts carry on, offsets kept', async () => {
    const d = dir();
    const f1 = join(d, 'one.log');
    const f2 = join(d, 'two.log');
    writeFileSync(f1, '');
    writeFileSync(f2, '');
    const up = fakeShell('th1');
    const down = fakeShell('th2', { down: true });
    const t = new LogTailer([
      { source: 'ONE', path: f1, host: host('th1') },
      { source: 'TWO', path: f2, host: host('th2') },
    ]);
    const shellOf = (h: HostModel) => (h.name === 'th1' ? up : down);
    await pollRemote(t, 1, { shellOf });
    appendFileSync(f1, 'REORGANIZE: Disconnect 1 blocks\n');
    appendFileSync(f2, 'x\n');
    const r = await pollRemote(t, 2, { shellOf });
    expect(r.failed.get('th2')).toMatch(/Connection refused/);
    expect(r.events.map((e) => e.source)).toEqual(['ONE']);
    expect(t.lines('TWO')).toEqual([]);
  });
});

describe('Iguana output as a log source', () => {
  const platform = platformText(`version: 1
hosts:
  here: { address: 127.0.0.1 }
  far: { address: 192.0.2.9, ssh: { user: notary } , home: /home/notary }
chains:
  KMD: { host: here }
  DOC: { host: far, params: { ac_supply: 1000 } }
  MARTY: { host: here, params: { ac_supply: 2000 } }
iguana:
  main: { host: here, coins: [KMD, DOC, MARTY], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2]
    list:
      - { name: devnode_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }
`);
  it('a line names the coin it is about: that chain is charged; a line naming none counts for no chain', () => {
    const g = platform.iguana[0]!;
    const charge = iguanaCharge(platform, g);
    const addr = 'RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA';
    // dPoW 2f846c0 (the Iguana CI builds): the coin after the arrow is the one short of UTXOs
    expect(
      charge(`no (DOC -> KMD) utxo: need to fund address.(${addr}) or wait for splitfund to confirm`),
    ).toBe('KMD');
    expect(charge(`no ( -> DOC) utxo: need to fund address.(${addr}) or wait for splitfund to confirm`)).toBe(
      'DOC',
    );
    // older builds
    expect(charge(`no MARTY utxo: need to fund address.(${addr}) or wait for splitfund to confirm`)).toBe(
      'MARTY',
    );
    expect(
      charge(`no utxo: need to fund address.(${addr}) or wait for splitfund to confirm`),
    ).toBeUndefined();
    expect(charge('cant find utxo.MARTY')).toBe('MARTY');
    expect(charge('MARTYX is not a coin of ours; KMDish neither')).toBeUndefined();
  });

  it('each chain debug.log where it runs, and iguana.log in the Iguana working directory', () => {
    const rt = memoryRuntime(platform, { secret: 's' });
    const sources = logSources(rt, platform.chains);
    const by = Object.fromEntries(sources.map((s) => [s.source, s]));
    expect(by['DOC']).toMatchObject({
      path: '/home/notary/.komodo/DOC/debug.log',
      datadir: '/home/notary/.komodo/DOC',
    });
    expect(by['DOC']!.host?.name).toBe('far');
    expect(by['MARTY']!.host).toBeUndefined();
    expect(by['MARTY']!.path).toMatch(/\.komodo\/MARTY\/debug\.log$/);
    expect(by['iguana-main']!.path).toMatch(/dPoW\/iguana\/iguana\.log$/);
    expect(by['iguana-main']!.charge?.('cant dPoW an inactive coin KMD')).toBe('KMD');
  });

  it('an Iguana "need to fund address" line for a chain fires that chain’s DokomodoLogTrouble', async () => {
    const d = dir();
    const f = join(d, 'iguana.log');
    writeFileSync(f, '');
    let now = 1_800_000_000;
    const sent: string[] = [];
    const alerter = new Alerter({
      platform,
      channels: [],
      store: memoryStateStore(),
      now: () => now,
      onEvent: (e) => {
        if (e.kind === 'transition')
          sent.push(`${e.transition.kind}:${e.transition.alert.alert}:${e.transition.alert.labels['chain']}`);
      },
    });
    const service = new MonitorService({
      runtime: memoryRuntime(platform, { secret: 's' }),
      chains: platform.chains,
      intervalMs: 1000,
      logs: new LogTailer([
        { source: 'iguana-main', path: f, charge: iguanaCharge(platform, platform.iguana[0]!) },
      ]),
      alerter,
      poll: async (): Promise<Snapshot> => ({
        at: now,
        durationSeconds: 0,
        chains: platform.chains.map((chain) => ({ chain, up: true, blocks: 1, rpcSeconds: 0 })),
        iguana: [],
      }),
    });
    await service.pollNow();
    appendFileSync(
      f,
      'no (KMD -> MARTY) utxo: need to fund address.(RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA) or wait for splitfund to confirm\n',
    );
    now += 30;
    await service.pollNow();
    const metrics = await (await service.app.request('/metrics')).text();
    expect(metrics).toMatch(
      /dokomodo_chain_log_pattern_last_seen_timestamp_seconds\{chain="MARTY",host="here",pattern="need-funds",level="warning"\} 1800000030/,
    );
    expect(sent).toEqual(['firing:DokomodoLogTrouble:MARTY']);
    const tail = (await (await service.app.request('/api/logs/iguana-main')).json()) as { lines: string[] };
    expect(tail.lines).toHaveLength(1);
  });
});

describe('remote tails in the monitor', () => {
  it('a remote chain’s "need to fund address" line and its disk reach the metrics through one exec per host', async () => {
    const platform = platformText(`version: 1
hosts:
  far: { address: 192.0.2.9, ssh: { user: notary }, home: /home/notary }
chains:
  DOC: { host: far, params: { ac_supply: 1000 } }
  MARTY: { host: far, params: { ac_supply: 2000 } }
`);
    const d = dir();
    const sh = fakeShell('far');
    const reach: Reach = {
      prepare: async () => new Map(),
      chainEndpoint: (c) => ({ host: '127.0.0.1', port: c.rpc }),
      iguanaEndpoint: (g) => ({ host: '127.0.0.1', port: g.port }),
      shell: () => sh,
      close: async () => {},
    };
    const rt = memoryRuntime(platform, { secret: 's', reach });
    const files = Object.fromEntries(platform.chains.map((c) => [c.name, join(d, `${c.name}.log`)]));
    for (const f of Object.values(files)) writeFileSync(f, '');
    const logs = new LogTailer(
      platform.chains.map((c) => ({
        source: c.name,
        path: files[c.name]!,
        host: platform.hosts[0]!,
        datadir: d,
      })),
    );
    let now = 1_800_000_000;
    const service = new MonitorService({
      runtime: rt,
      chains: platform.chains,
      intervalMs: 1000,
      logs,
      poll: async (): Promise<Snapshot> => ({
        at: now,
        durationSeconds: 0,
        chains: platform.chains.map((chain) => ({ chain, up: true, blocks: 1, rpcSeconds: 0 })),
        iguana: [],
      }),
    });
    await service.pollNow();
    appendFileSync(files['DOC']!, 'need to fund address RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA\n');
    now += 10;
    await service.pollNow();
    expect(sh.runs).toHaveLength(2);
    const metrics = await (await service.app.request('/metrics')).text();
    expect(metrics).toContain(
      `dokomodo_chain_log_pattern_last_seen_timestamp_seconds{chain="DOC",host="far",pattern="need-funds",level="warning"} ${now}`,
    );
    expect(metrics).toMatch(/dokomodo_chain_disk_free_ratio\{chain="MARTY",host="far"\} 0\.\d+/);
  });
});
