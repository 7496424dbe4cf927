// The monitor tails a chain's debug.log on another host over real SSH (a throw-away sshd on
// 127.0.0.2 with its own Unix user): a "need to fund address" line appended there becomes a
// log event and a DokomodoLogTrouble alert for that chain, its disk is read in the same exec, and
// a host that cannot be reached costs nothing but its own tails.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStateStore } from '../../src/core/state.ts';
import { Alerter } from '../../src/monitor/alerter.ts';
import { logSources } from '../../src/monitor/log-sources.ts';
import { LogTailer } from '../../src/monitor/logs.ts';
import type { Snapshot } from '../../src/monitor/poller.ts';
import { type MonitorEvent, MonitorService } from '../../src/monitor/service.ts';
import { fleetReach } from '../../src/operator/remote/reach.ts';
import { type HostShell, sshShell } from '../../src/operator/remote/shell.ts';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { sshYaml, type TestHosts, testHostsUnavailable, upTestHosts } from '../harness/testhosts.ts';

const why = testHostsUnavailable();

describe.skipIf(why !== undefined)(
  why ? `remote log tails over SSH (skipped: ${why})` : 'remote log tails over SSH',
  () => {
    let th: TestHosts;
    let platform: Platform;
    let controlDir: string;
    let writer: HostShell;

    beforeAll(async () => {
      th = await upTestHosts(1);
      controlDir = mkdtempSync(join(tmpdir(), 'dkl-'));
      const h1 = th.hosts[0]!;
      const ssh = sshYaml(th, h1);
      const yaml = `version: 1
hosts:
  th1: { address: ${h1.address}, ssh: ${ssh}, home: ${h1.home} }
  gone: { address: 127.0.0.250, ssh: ${ssh} }
chains:
  RLOGA: { host: th1, params: { ac_supply: 7801 } }
  RLOGB: { host: th1, params: { ac_supply: 7802 } }
  RLOGC: { host: gone, params: { ac_supply: 7803 } }
`;
      const loaded = loadPlatformText(join(controlDir, 'dokomodo.yaml'), yaml);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      platform = loaded.platform!;
      writer = sshShell(platform.hosts[0]!, { controlDir });
      const w = await writer.run([
        'sh',
        '-c',
        'for c in RLOGA RLOGB; do mkdir -p "$HOME/.komodo/$c" && printf "old line\\n" > "$HOME/.komodo/$c/debug.log"; done',
      ]);
      expect(w.code, w.stderr).toBe(0);
    }, 60_000);

    afterAll(async () => {
      await writer?.close();
      th?.down();
    });

    it('a "need to fund address" line in debug.log on th1 fires DokomodoLogTrouble for that chain; one exec per host and poll', async () => {
      const reach = fleetReach(platform, { controlDir, connectTimeoutSeconds: 3 });
      let execs = 0;
      const rt = memoryRuntime(platform, { secret: 'remote-logs-ssh-secret', reach });
      const shell = rt.shell.bind(rt);
      const counted = {
        ...rt,
        shell: (h: Parameters<typeof rt.shell>[0]) => {
          const sh = shell(h);
          return {
            ...sh,
            run: (argv: readonly string[], o?: Parameters<HostShell['run']>[1]) => {
              execs++;
              return sh.run(argv, o);
            },
          };
        },
      };
      let now = 1_800_000_000;
      const fired: string[] = [];
      const alerter = new Alerter({
        platform,
        channels: [],
        store: memoryStateStore(),
        now: () => now,
        onEvent: (e) => {
          if (e.kind === 'transition')
            fired.push(
              `${e.transition.kind}:${e.transition.alert.alert}:${e.transition.alert.labels['chain']}`,
            );
        },
      });
      const events: MonitorEvent[] = [];
      const logs = new LogTailer(logSources(rt, platform.chains));
      expect(logs.sources).toEqual(['RLOGA', 'RLOGB', 'RLOGC']);
      const service = new MonitorService({
        runtime: counted,
        chains: platform.chains,
        intervalMs: 1000,
        logs,
        alerter,
        onEvent: (e) => events.push(e),
        // The chains' RPC is not what this test is about: their samples are given; only the
        // files are read over SSH.
        poll: async (r): Promise<Snapshot> => {
          await r.prepare({ chains: platform.chains });
          return {
            at: now,
            durationSeconds: 0,
            chains: platform.chains.map((chain) => ({ chain, up: true, blocks: 1, rpcSeconds: 0 })),
            iguana: [],
          };
        },
      });
      try {
        await service.pollNow();
        const first = execs;
        expect(first).toBe(1); // th1 only: `gone` is unreachable, its tail is skipped
        const append = await writer.run([
          'sh',
          '-c',
          'printf "%s\\n" "2026-12-03 10:00:00 UpdateTip: height=7" "RLOGB need to fund address RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA or wait for splitfund to confirm" >> "$HOME/.komodo/RLOGB/debug.log"',
        ]);
        expect(append.code, append.stderr).toBe(0);
        now += 10;
        await service.pollNow();
        expect(execs - first).toBe(1);
        const logEvents = events.flatMap((e) => (e.kind === 'log' ? [e.event] : []));
        expect(logEvents.map((e) => [e.source, e.pattern.name])).toEqual([['RLOGB', 'need-funds']]);
        expect(fired).toEqual(['firing:DokomodoLogTrouble:RLOGB']);
        const metrics = await (await service.app.request('/metrics')).text();
        expect(metrics).toContain(
          `dokomodo_chain_log_pattern_last_seen_timestamp_seconds{chain="RLOGB",host="th1",pattern="need-funds",level="warning"} ${now}`,
        );
        // th1's disk, read by `df -Pk` there in the same exec
        expect(metrics).toMatch(/dokomodo_chain_disk_free_ratio\{chain="RLOGA",host="th1"\} (0\.\d+|1)\n/);
        expect(metrics).not.toMatch(/dokomodo_chain_disk_free_ratio\{chain="RLOGC"/);
        const tail = (await (await service.app.request('/api/logs/RLOGB')).json()) as { lines: string[] };
        expect(tail.lines).toEqual([
          '2026-12-03 10:00:00 UpdateTip: height=7',
          'RLOGB need to fund address RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA or wait for splitfund to confirm',
        ]);
      } finally {
        await rt.close();
      }
    }, 60_000);
  },
);
