// One source, two evaluators, real processes: devnet chains, `dokomodo monitor` with a webhook
// channel, and a real Prometheus evaluating the rendered rules file against the same monitor. A
// trouble line in a chain's log fires the same alert in both; a monitor killed with SIGKILL and
// started again sends nothing twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.ts';
import { RULES_FILE } from '../../src/compiler/renderers/monitoring/index.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { dokomodo } from '../cli/helpers.ts';
import { haveTool } from '../compiler/helpers.ts';

const SECRET = 'parity-test-secret-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-parity-'));
const data = join(dir, 'data');
const state = join(dir, 'state');
const file = join(dir, 'dokomodo.yaml');
const env = { DOKOMODO_SECRET: SECRET };

interface Hook {
  status: string;
  commonLabels: Record<string, string>;
}
const received: Hook[] = [];
let hook: Server | undefined;
let hookPort = 0;
let mon: ChildProcess | undefined;
let prom: ChildProcess | undefined;

function startMonitor(): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      'bin/dokomodo.js',
      'monitor',
      '--listen',
      '127.0.0.1:0',
      '--interval',
      '1',
      '--datadir',
      data,
      '--state-dir',
      state,
      '-f',
      file,
    ],
    { env: { ...process.env, ...env, NO_COLOR: '1' } },
  );
  mon = child;
  let err = '';
  return new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`monitor did not start: ${err}`)), 15_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b;
      const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!haveTool('/usr/bin/prometheus'))(
  'in-process alerts and Prometheus on the same events',
  () => {
    beforeAll(async () => {
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(JSON.parse(body) as Hook);
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
      hookPort = (hook!.address() as { port: number }).port;
      writeFileSync(
        file,
        `version: 1
chains:
  PARX00: { params: { ac_supply: 7311 } }
  PARX01: { params: { ac_supply: 7312 } }
alerts:
  channels:
    hook: { type: webhook, url: "http://127.0.0.1:${hookPort}/alerts" }
`,
      );
      expect(dokomodo(['start', '--devnet', '--datadir', data, '-f', file], { env }).code).toBe(0);
    }, 60_000);

    afterAll(async () => {
      mon?.kill('SIGKILL');
      prom?.kill('SIGTERM');
      dokomodo(['stop', '--datadir', data, '-f', file], { env });
      await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
    });

    it('a disk-full line fires DokomodoLogTrouble in both, with the same labels; a SIGKILLed monitor does not repeat it', async () => {
      const monPort = await startMonitor();
      const p = loadPlatformFile(file).platform!;
      const rendered = compile(p, selectEnvironment(p, undefined), {
        secret: SECRET,
        targets: ['monitoring'],
      });
      const promDir = join(dir, 'prometheus');
      mkdirSync(join(promDir, 'rules'), { recursive: true });
      const rules = rendered.find((a) => a.path.endsWith(RULES_FILE))!;
      writeFileSync(join(promDir, RULES_FILE), String(rules.content));
      writeFileSync(
        join(promDir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${RULES_FILE}]
scrape_configs:
  - job_name: dokomodo
    honor_labels: true
    static_configs: [{ targets: ['127.0.0.1:${monPort}'] }]
`,
      );
      const promPort = 19000 + Math.floor(Math.random() * 900);
      prom = spawn('prometheus', [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
      ]);
      // Prometheus scrapes the monitor before anything is wrong
      await until('the first scrape', async () => {
        try {
          const q = await request(`http://127.0.0.1:${promPort}/api/v1/query?query=dokomodo_chain_up`);
          const r = ((await q.body.json()) as { data?: { result?: unknown[] } }).data?.result ?? [];
          return r.length === 2 ? true : undefined;
        } catch {
          return undefined;
        }
      });
      expect(received).toEqual([]);

      const t0 = Date.now();
      appendFileSync(join(data, 'PARX01', 'debug.log'), '2026-12-02 08:00:01 Error: Disk space is low!\n');
      const mine = await until('the monitor’s webhook', () => received.find((h) => h.status === 'firing'));
      const tMine = Date.now() - t0;
      const theirs = await until('the alert in Prometheus', async () => {
        const q = await request(`http://127.0.0.1:${promPort}/api/v1/alerts`);
        const alerts =
          (
            (await q.body.json()) as {
              data?: { alerts?: Array<{ labels: Record<string, string>; state: string }> };
            }
          ).data?.alerts ?? [];
        return alerts.find((a) => a.state === 'firing');
      });
      const tTheirs = Date.now() - t0;
      const pick = (l: Record<string, string>) => ({
        alertname: l['alertname'],
        severity: l['severity'],
        chain: l['chain'],
        host: l['host'],
        pattern: l['pattern'],
        level: l['level'],
      });
      expect(pick(mine.commonLabels)).toEqual({
        alertname: 'DokomodoLogTrouble',
        severity: 'critical',
        chain: 'PARX01',
        host: 'local',
        pattern: 'disk-full',
        level: 'critical',
      });
      expect(pick(theirs.labels)).toEqual(pick(mine.commonLabels));
      // both within a few intervals of the line (1 s polls, 1 s scrapes and evaluations)
      expect(Math.max(tMine, tTheirs)).toBeLessThan(20_000);
      console.log(`parity: monitor ${tMine} ms, Prometheus ${tTheirs} ms after the log line`);

      mon!.kill('SIGKILL');
      await new Promise((r) => mon!.once('exit', r));
      await startMonitor();
      const before = received.length;
      // three polls of the restarted monitor: still firing, nothing new to say
      await new Promise((r) => setTimeout(r, 3500));
      expect(received.slice(before).map((h) => `${h.status} ${h.commonLabels['alertname']}`)).toEqual([]);
      expect(received.filter((h) => h.status === 'firing')).toHaveLength(1);
    }, 90_000);
  },
);
