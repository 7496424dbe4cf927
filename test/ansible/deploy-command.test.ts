/**
 * `dokomodo deploy` against three throw-away SSH hosts (test/harness): --plan touches nothing and
 * lists the hosts with changes, a rolling apply installs each host (Ansible over SSH, one host at
 * a time), a second plan finds nothing to do, and a change to one host's chains plans a change
 * on that host only. Needs root for the harness; a failure in CI when a tool is missing.
 */
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dokomodo } from '../cli/helpers.ts';
import { hostYaml, sshYaml, type TestHosts, upTestHosts } from '../harness/testhosts.ts';
import { ansibleEnv, deployUnavailable, fakeBinaries, SECRET } from './helpers.ts';

const why = deployUnavailable();
const RUN_TIMEOUT_MS = 300_000;

interface DeployJson {
  plan: boolean;
  hosts: { host: string; engine: string; state: string; changed: number; message?: string }[];
}

describe.skipIf(why !== undefined)(
  why ? `dokomodo deploy (skipped: ${why})` : 'dokomodo deploy over SSH',
  () => {
    let th: TestHosts;
    let file: string;
    let env: Record<string, string>;
    let extra: string[];
    const platform = (extraChain = '') => {
      const [h1, h2, h3] = th.hosts as [TestHosts['hosts'][0], TestHosts['hosts'][0], TestHosts['hosts'][0]];
      const host = (h: typeof h1, roles: string) => hostYaml(th, h, `roles: [${roles}]`);
      return `version: 1
defaults:
  binaries: { komodod: ~/bin/komodod, komodo-cli: ~/bin/komodo-cli }
hosts:
  gone: { address: 127.0.0.250, ssh: ${sshYaml(th, { user: 'nobody', port: h1.port })}, home: /nonexistent, roles: [chains] }
  th1: ${host(h1, 'chains')}
  th2: ${host(h2, 'chains, monitor')}
  th3: ${host(h3, 'chains')}
chains:
  DOC: { host: th1, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
  MARTY: { host: th2, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
  THREEC: { host: th3, params: { ac_supply: 7333333 } }
${extraChain}`;
    };
    const run = (args: string[]) => {
      const r = dokomodo(['deploy', '--json', '-f', file, ...extra, ...args], {
        env,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as DeployJson) : undefined };
    };
    const states = (j: DeployJson | undefined) => j?.hosts.map((h) => [h.host, h.state]);

    beforeAll(async () => {
      th = await upTestHosts(3);
      file = join(th.dir, 'dokomodo.yaml');
      writeFileSync(file, platform());
      const binDir = fakeBinaries(th.dir, ['komodod', 'komodo-cli']);
      // Test hosts share this machine: no kernel tuning, no firewall, no systemd.
      extra = [
        '--extra-vars',
        'dokomodo_manage_os=false',
        'dokomodo_manage_firewall=false',
        `dokomodo_binaries_src=${binDir}`,
      ];
      env = { DOKOMODO_SECRET: SECRET, ...ansibleEnv(th.dir) };
    }, 120_000);
    afterAll(() => th?.down());

    it(
      '--plan lists the changes per host and applies nothing',
      () => {
        const r = run(['--plan', '--host', 'th1', 'th2', 'th3']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json?.plan).toBe(true);
        expect(states(r.json)).toEqual([
          ['th1', 'changes'],
          ['th2', 'changes'],
          ['th3', 'changes'],
        ]);
        for (const h of r.json!.hosts) expect(h.changed).toBeGreaterThan(0);
        expect(() => statSync(join(th.hosts[1]!.home, '.komodo'))).toThrow();
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'applies one host at a time to three hosts; a second plan finds nothing to do without Ansible; --full finds a hand edit',
      () => {
        const r = run(['--parallel', '1', '--host', 'th1', 'th2', 'th3']);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(states(r.json)).toEqual([
          ['th1', 'applied'],
          ['th2', 'applied'],
          ['th3', 'applied'],
        ]);
        expect(statSync(join(th.hosts[0]!.home, '.komodo/DOC/DOC.conf')).mode & 0o777).toBe(0o600);
        expect(statSync(join(th.hosts[1]!.home, '.komodo/MARTY/MARTY.conf')).mode & 0o777).toBe(0o600);
        expect(statSync(join(th.hosts[2]!.home, '.komodo/THREEC/THREEC.conf')).mode & 0o777).toBe(0o600);
        // th2 runs the monitor: it has the platform file's copy and the env template (0600), th1 not.
        const copy = join(th.hosts[1]!.home, '.dokomodo/monitor/platform/dokomodo.yaml');
        expect(readFileSync(copy, 'utf8')).toBe(readFileSync(file, 'utf8'));
        expect(statSync(join(th.hosts[1]!.home, '.dokomodo/monitor/monitor.env.example')).mode & 0o777).toBe(
          0o600,
        );
        expect(() => statSync(join(th.hosts[0]!.home, '.dokomodo/monitor'))).toThrow();
        const again = run(['--plan', '--host', 'th1', 'th2', 'th3']);
        expect(again.code).toBe(0);
        expect(states(again.json)).toEqual([
          ['th1', 'unchanged'],
          ['th2', 'unchanged'],
          ['th3', 'unchanged'],
        ]);
        for (const h of again.json!.hosts) expect(h.message).toContain('Ansible not run');
        // Ansible itself agrees: nothing differs on the hosts.
        const full = run(['--plan', '--full', '--host', 'th1', 'th2', 'th3']);
        expect(states(full.json)).toEqual([
          ['th1', 'unchanged'],
          ['th2', 'unchanged'],
          ['th3', 'unchanged'],
        ]);
        // A conf edited by hand on th1: only a full comparison sees it, and a full apply repairs it.
        const conf = join(th.hosts[0]!.home, '.komodo/DOC/DOC.conf');
        appendFileSync(conf, 'addnode=203.0.113.99\n');
        expect(states(run(['--plan', '--host', 'th1']).json)).toEqual([['th1', 'unchanged']]);
        expect(states(run(['--plan', '--full', '--host', 'th1']).json)).toEqual([['th1', 'changes']]);
        const fix = run(['--full', '--host', 'th1']);
        expect(states(fix.json)).toEqual([['th1', 'applied']]);
        expect(readFileSync(conf, 'utf8')).not.toContain('203.0.113.99');
      },
      3 * RUN_TIMEOUT_MS,
    );

    it(
      'a chain added to one host plans a change there only; --host limits the apply',
      () => {
        writeFileSync(file, platform('  NEWC: { host: th2, params: { ac_supply: 123456 } }\n'));
        const plan = run(['--plan', '--host', 'th1', 'th2', 'th3']);
        expect(states(plan.json)).toEqual([
          ['th1', 'unchanged'],
          ['th2', 'changes'],
          ['th3', 'unchanged'],
        ]);
        const r = run(['--host', 'th2']);
        expect(r.code).toBe(0);
        expect(states(r.json)).toEqual([['th2', 'applied']]);
        expect(statSync(join(th.hosts[1]!.home, '.komodo/NEWC/NEWC.conf')).mode & 0o777).toBe(0o600);
        // the monitor's copy follows the platform file
        expect(
          readFileSync(join(th.hosts[1]!.home, '.dokomodo/monitor/platform/dokomodo.yaml'), 'utf8'),
        ).toContain('NEWC:');
        const bad = dokomodo(['deploy', '--host', 'nope', '-f', file], { env });
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('unknown-host');
      },
      3 * RUN_TIMEOUT_MS,
    );

    it(
      'stops at the first host that cannot be reached: the hosts after it are skipped, exit 1',
      () => {
        const r = run(['--parallel', '1']);
        expect(r.code).toBe(1);
        expect(states(r.json)).toEqual([
          ['gone', 'unreachable'],
          ['th1', 'skipped'],
          ['th2', 'skipped'],
          ['th3', 'skipped'],
        ]);
        expect(r.json!.hosts[0]!.message).toMatch(/UNREACHABLE|Connection refused/);
      },
      RUN_TIMEOUT_MS,
    );
  },
);
