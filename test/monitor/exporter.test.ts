/**
 * `dokomodo monitor` against devnet chains: the metrics of the contract, checked by promtool and
 * scraped by a real Prometheus.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { compile } from '../../src/compiler/compile.ts';
import { METRICS } from '../../src/contract/metrics.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { dokomodo } from '../cli/helpers.ts';
import { haveTool } from '../compiler/helpers.ts';

const SECRET = 'monitor-test-secret-0123456789';
const env = { DOKOMODO_SECRET: SECRET };
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-monitor-'));
const data = join(dir, 'data');
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
defaults: { pubkey: ${PUBKEY}, stop: { timeout: 10s } }
chains:
  MONKMD: { coin: KMD, ports: { p2p: 17970, rpc: 17971, override: true } }
  MONX00: { params: { ac_supply: 4100 } }
  MONX01: { params: { ac_supply: 4101, ac_blocktime: 30 } }
iguana:
  main: { port: 17976, coins: [MONKMD, MONX00], notaries: dev }
notaries:
  dev: { seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1], list: [{ name: dev_EU, pubkey: ${PUBKEY} }] }
`,
);
const run = (args: string[]) => dokomodo([...args, '-f', file], { env });

/** Value of one series in the text exposition, or undefined when the series is absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let mon: ChildProcess | undefined;
let prom: ChildProcess | undefined;

describe('dokomodo monitor', () => {
  beforeAll(() => {
    expect(run(['start', '--devnet', '--datadir', data]).code).toBe(0);
  });
  afterAll(() => {
    mon?.kill('SIGTERM');
    prom?.kill('SIGTERM');
    run(['stop', '--datadir', data]);
  });

  it('--once prints every chain metric of the contract, valid for promtool', () => {
    const r = run(['monitor', '--once']);
    expect(r.code).toBe(0);
    const text = r.stdout;
    for (const m of METRICS.filter((x) => x.subject === 'chain')) {
      expect(
        value(
          text,
          `${m.name}{chain="MONX00",host="local"${m.name === 'dokomodo_chain_info' ? ',kind="assetchain",symbol="MONX00"' : ''}}`,
        ),
        m.name,
      ).toBeDefined();
    }
    expect(value(text, 'dokomodo_chain_up{chain="MONX00",host="local"}')).toBe(1);
    expect(value(text, 'dokomodo_chain_block_interval_seconds{chain="MONX01",host="local"}')).toBe(30);
    expect(value(text, 'dokomodo_chain_notarization_enabled{chain="MONX00",host="local"}')).toBe(1);
    expect(value(text, 'dokomodo_chain_notarization_enabled{chain="MONX01",host="local"}')).toBe(0);
    expect(value(text, 'dokomodo_iguana_up{iguana="main",host="local"}')).toBe(0);
    expect(value(text, 'dokomodo_poll_timestamp_seconds')).toBeGreaterThan(1.7e9);
    if (haveTool('/usr/bin/promtool')) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: check.status, out: `${check.stdout}${check.stderr}`.trim() }).toEqual({
        status: 0,
        out: '',
      });
    }
  });

  it('--container compose polls the chains but not Iguana (its API is private to its container); bad values exit 2', () => {
    const r = run(['monitor', '--once', '--container', 'compose']);
    expect(r.code, r.stderr).toBe(0);
    expect(value(r.stdout, 'dokomodo_chain_up{chain="MONX00",host="local"}')).toBe(1);
    expect(r.stdout).not.toMatch(/^dokomodo_iguana_up\{/m);
    const bad = run(['monitor', '--once', '--container', 'docker']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--container docker: expected compose or kubernetes');
    const host = run(['monitor', '--once', '--as-host', 'nowhere']);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('error unknown-host');
  });

  it('--container kubernetes asks each chain at its Service name (none resolves here: all down)', () => {
    const r = run(['monitor', '--once', '--container', 'kubernetes']);
    expect(r.code, r.stderr).toBe(0);
    expect(value(r.stdout, 'dokomodo_chain_up{chain="MONX00",host="local"}')).toBe(0);
    expect(value(r.stdout, 'dokomodo_chain_up{chain="MONKMD",host="local"}')).toBe(0);
  });

  it('the rendered services’ monitor command lines (systemd, compose, kubernetes) are what the CLI takes', () => {
    const loaded = loadPlatformFile(file);
    const p = loaded.platform!;
    const arts = compile(p, selectEnvironment(p, undefined), {
      secret: SECRET,
      targets: ['systemd', 'compose', 'kubernetes'],
    });
    const unit = arts.find((a) => a.path === 'hosts/local/systemd/user/dokomodo-monitor.service')!.content;
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
    const compose = (
      parse(arts.find((a) => a.path === 'hosts/local/compose/docker-compose.yml')!.content) as {
        services: Record<string, { command: string[] }>;
      }
    ).services['dokomodo-monitor']!.command;
    const k8s = parseAllDocuments(arts.find((a) => a.path === 'kubernetes/monitor.yaml')!.content)
      .map(
        (d) =>
          d.toJS() as { kind: string; spec?: { template?: { spec?: { containers: { args: string[] }[] } } } },
      )
      .find((o) => o.kind === 'Deployment')!.spec!.template!.spec!.containers[0]!.args;
    const state = mkdtempSync(join(tmpdir(), 'dk-mon-rendered-'));
    for (const [what, args] of [
      ['systemd', exec.slice(1)],
      ['compose', compose],
      ['kubernetes', k8s],
    ] as const) {
      // This machine's paths for the service's own: the platform file, the state directory.
      const mine = args.map((a, i) =>
        args[i - 1] === '-f' ? file : args[i - 1] === '--state-dir' ? state : a,
      );
      const r = dokomodo([...mine, '--once'], { env });
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      expect(value(r.stdout, 'dokomodo_chain_up{chain="MONX00",host="local"}'), what).toBe(
        what === 'kubernetes' ? 0 : 1,
      );
    }
  });

  it('a port already in use is a clear error, not a crash', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as { port: number }).port;
    const r = run(['monitor', '--listen', `127.0.0.1:${port}`]);
    squatter.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error listen-failed: cannot listen on 127.0.0.1:${port}: the port is in use`);
  });

  it('a chain that stops answering keeps up=0 and its static series; its state series disappear', () => {
    const pid = Number(readFileSync(join(data, 'MONX01', 'komodod.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const text = run(['monitor', '--once']).stdout;
    expect(value(text, 'dokomodo_chain_up{chain="MONX01",host="local"}')).toBe(0);
    expect(value(text, 'dokomodo_chain_split_threshold{chain="MONX01",host="local"}')).toBe(20);
    expect(value(text, 'dokomodo_chain_blocks{chain="MONX01",host="local"}')).toBeUndefined();
    expect(value(text, 'dokomodo_chain_blocks{chain="MONX00",host="local"}')).toBeDefined();
    expect(run(['start', '--devnet', '--datadir', data, 'MONX01']).code).toBe(0);
  });

  describe.skipIf(!haveTool('/usr/bin/prometheus'))(
    'served over HTTP and scraped by a real Prometheus',
    () => {
      let monPort = 0;

      it('serves /metrics and /healthz; Prometheus stores the series', async () => {
        const child = spawn(
          process.execPath,
          ['bin/dokomodo.js', 'monitor', '--listen', '127.0.0.1:0', '--interval', '1', '-f', file],
          {
            env: { ...process.env, ...env, NO_COLOR: '1' },
          },
        );
        mon = child;
        let err = '';
        monPort = await new Promise<number>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`monitor did not start: ${err}`)), 15_000);
          child.stderr.on('data', (b: Buffer) => {
            err += b;
            const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
            if (m) {
              clearTimeout(t);
              resolve(Number(m[1]));
            }
          });
        });
        let health = 503;
        for (let i = 0; i < 50 && health !== 200; i++) {
          health = (await request(`http://127.0.0.1:${monPort}/healthz`)).statusCode;
          if (health !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        expect(health).toBe(200);
        const res = await request(`http://127.0.0.1:${monPort}/metrics`);
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toContain('dokomodo_chain_up{chain="MONX00",host="local"} 1');

        const promDir = mkdtempSync(join(tmpdir(), 'dokomodo-prom-'));
        const promPort = 19000 + Math.floor(Math.random() * 900);
        writeFileSync(
          join(promDir, 'prometheus.yml'),
          `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: dokomodo\n    honor_labels: true\n    static_configs: [{ targets: ['127.0.0.1:${monPort}'] }]\n`,
        );
        execFileSync('promtool', ['check', 'config', join(promDir, 'prometheus.yml')], { stdio: 'ignore' });
        prom = spawn('prometheus', [
          `--config.file=${join(promDir, 'prometheus.yml')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          `--storage.tsdb.path=${join(promDir, 'data')}`,
        ]);
        let found: unknown[] = [];
        for (let i = 0; i < 60 && found.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 500));
          try {
            const q = await request(`http://127.0.0.1:${promPort}/api/v1/query?query=dokomodo_chain_up`);
            const body = (await q.body.json()) as { data?: { result?: unknown[] } };
            found = body.data?.result ?? [];
          } catch {
            // Prometheus still starting
          }
        }
        expect(found.length).toBe(3);
      }, 60_000);
    },
  );
});
