/**
 * A real deploy over SSH: two throw-away hosts on 127.0.0.2 and 127.0.0.3 (test/harness), a small
 * platform rendered with the real compiler and writer, `ansible-playbook ansible/site.yml` run
 * twice. The first run installs every file with the artifact's mode into each user's home; the
 * second changes nothing. Needs root for the harness only; skipped (with the reason) when a tool
 * is missing outside CI, a failure in CI.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/compiler/artifact.ts';
import { type TestHosts, upTestHosts } from '../harness/testhosts.ts';
import {
  ansible,
  ansibleEnv,
  deployTargets,
  deployUnavailable,
  fakeBinaries,
  PLAYBOOK,
  platformText,
  recap,
  renderTo,
} from './helpers.ts';

const why = deployUnavailable();
const title = why
  ? `ansible deploy over SSH (skipped: ${why}; apt-get install ansible openssh-server, run as root)`
  : 'ansible deploy over SSH to two loopback hosts';

/** Per run of ansible-playbook; a loaded 2-core CI machine takes several times the ~15 s seen here. */
const RUN_TIMEOUT_MS = 240_000;

const FAKE_BINARIES = ['komodod', 'komodo-cli', 'litecoind', 'litecoin-cli', 'iguana'];

describe.skipIf(why !== undefined)(title, () => {
  let th: TestHosts;
  let out: string;
  let artifacts: Artifact[];
  let env: Record<string, string>;
  let binDir: string;
  const wallet = 'not a real wallet: must survive every run\n';
  const timings: string[] = [];

  const playbook = (extra: string[] = []) => {
    const run = ansible(
      'ansible-playbook',
      [
        '-i',
        join(out, 'ansible/inventory.yml'),
        PLAYBOOK,
        // Test hosts share this machine: no kernel tuning, no firewall, no systemd.
        '-e',
        'dokomodo_manage_os=false',
        '-e',
        'dokomodo_manage_firewall=false',
        '-e',
        `dokomodo_binaries_src=${binDir}`,
        ...extra,
      ],
      { env, timeoutMs: RUN_TIMEOUT_MS },
    );
    // DOKOMODO_TEST_VERBOSE=1 shows the playbook output (with per-task timings).
    if (process.env['DOKOMODO_TEST_VERBOSE']) console.log(run.out);
    return run;
  };

  beforeAll(async () => {
    th = await upTestHosts(2);
    const [h1, h2] = th.hosts as [(typeof th.hosts)[0], (typeof th.hosts)[0]];
    const host = (h: typeof h1, roles: string) =>
      `{ address: ${h.address}, ssh: { user: ${h.user}, port: ${h.port}, key: ${th.key} }, home: ${h.home}, roles: [${roles}] }`;
    const platformFile = join(th.dir, 'dokomodo.yaml');
    const p = platformText(
      `version: 1
defaults:
  binaries:
    komodod: ~/bin/komodod
    komodo-cli: ~/bin/komodo-cli
    litecoind: ~/bin/litecoind
    litecoin-cli: ~/bin/litecoin-cli
    iguana: ~/dPoW/iguana/iguana
hosts:
  th1: ${host(h1, 'chains, iguana, monitor')}
  th2: ${host(h2, 'chains')}
chains:
  KMD: { host: th1 }
  DOC: { host: th1, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
  MARTY: { host: th2, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
  LTC: { host: th2, coin: LTC }
iguana:
  main: { host: th1, coins: [KMD, DOC, MARTY], notaries: dev }
notaries:
  dev:
    minsigs: 1
    seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1]
    list:
      - { name: devnode_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }
environments:
  test: {}
`,
      platformFile,
    );
    out = join(th.dir, 'out');
    artifacts = renderTo(out, p, deployTargets(p));
    binDir = fakeBinaries(th.dir, FAKE_BINARIES);
    // A wallet beside DOC's conf: the deploy must never touch it.
    const docDir = join(h1.home, '.komodo/DOC');
    mkdirSync(docDir, { recursive: true });
    writeFileSync(join(docDir, 'wallet.dat'), wallet, { mode: 0o600 });
    const uid = statSync(h1.home).uid;
    const gid = statSync(h1.home).gid;
    for (const d of ['.komodo', '.komodo/DOC', '.komodo/DOC/wallet.dat'])
      chownSync(join(h1.home, d), uid, gid);
    chmodSync(join(h1.home, '.komodo'), 0o700);
    env = {
      ...ansibleEnv(th.dir),
      ANSIBLE_SSH_COMMON_ARGS: `-o UserKnownHostsFile=${th.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes`,
      ...(process.env['DOKOMODO_TEST_VERBOSE']
        ? { ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks' }
        : {}),
    };
  }, 120_000);

  afterAll(() => {
    if (timings.length > 0) console.log(`ansible deploy timings: ${timings.join(', ')}`);
    th?.down();
  });

  it(
    '--check on fresh hosts previews the changes and writes nothing',
    () => {
      const run = playbook(['--check']);
      timings.push(`check ${(run.ms / 1000).toFixed(1)} s`);
      expect(run.code, run.out).toBe(0);
      const r = recap(run.out);
      for (const h of ['th1', 'th2']) expect(r[h], run.out).toMatchObject({ failed: 0, unreachable: 0 });
      expect(r['th1']!.changed).toBeGreaterThan(0);
      expect(() => statSync(join(th.hosts[0]!.home, '.komodo/komodo.conf'))).toThrow();
      expect(() => statSync(join(th.hosts[1]!.home, '.komodo'))).toThrow();
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'first run installs every rendered file with its mode into each service user home',
    () => {
      const run = playbook();
      timings.push(`run 1 ${(run.ms / 1000).toFixed(1)} s`);
      expect(run.code, run.out).toBe(0);
      const r = recap(run.out);
      expect(Object.keys(r).sort()).toEqual(['th1', 'th2']);
      for (const h of ['th1', 'th2']) {
        expect(r[h]!.failed, run.out).toBe(0);
        expect(r[h]!.unreachable).toBe(0);
        expect(r[h]!.changed).toBeGreaterThan(0);
      }
      const [h1, h2] = th.hosts as [(typeof th.hosts)[0], (typeof th.hosts)[0]];
      const homeOf = { th1: h1, th2: h2 } as const;
      // Every per-host artifact under home/ lands at the same place in that user's home; user units
      // go to ~/.config/systemd/user.
      let checked = 0;
      // The fleet's monitoring configuration goes to the monitor host (th1).
      for (const a of artifacts) {
        let dest: string | undefined;
        let h = h1;
        if (a.host) {
          h = homeOf[a.host as 'th1' | 'th2'];
          const home = `hosts/${a.host}/home/`;
          const units = `hosts/${a.host}/systemd/user/`;
          const monitor = `hosts/${a.host}/monitor/`;
          if (a.path.startsWith(home)) dest = join(h.home, a.path.slice(home.length));
          else if (a.path.startsWith(monitor))
            dest = join(h.home, '.dokomodo/monitor', a.path.slice(monitor.length));
          else if (a.path.startsWith(units))
            dest = join(h.home, '.config/systemd/user', a.path.slice(units.length));
        } else if (a.path.startsWith('monitoring/')) {
          dest = join(h1.home, '.dokomodo', a.path);
        }
        if (!dest) continue;
        const st = statSync(dest);
        expect(readFileSync(dest, 'utf8'), dest).toBe(a.content);
        expect((st.mode & 0o777).toString(8), dest).toBe(a.mode.toString(8));
        expect(st.uid, dest).toBe(statSync(h.home).uid);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(12);
      // Spot checks that say what matters.
      expect(statSync(join(h1.home, '.komodo/DOC/DOC.conf')).mode & 0o777).toBe(0o600);
      expect(statSync(join(h2.home, '.litecoin/litecoin.conf')).mode & 0o777).toBe(0o600);
      // MARTY runs on th2, its Iguana on th1: the payload holds MARTY's RPC password.
      expect(statSync(join(h1.home, '.dokomodo/iguana/main/coins/MARTY.json')).mode & 0o777).toBe(0o600);
      expect(statSync(join(h1.home, '.dokomodo/iguana/main/coins/KMD.json')).mode & 0o777).toBe(0o644);
      expect(statSync(join(h1.home, 'dPoW/iguana/elected')).mode & 0o777).toBe(0o644);
      for (const b of ['komodod', 'komodo-cli'])
        expect(statSync(join(h2.home, 'bin', b)).mode & 0o777).toBe(0o755);
      expect(statSync(join(h1.home, 'dPoW/iguana/iguana')).mode & 0o777).toBe(0o755);
      // th2 runs no Iguana.
      expect(() => statSync(join(h2.home, 'dPoW'))).toThrow();
      expect(readFileSync(join(h1.home, '.komodo/DOC/wallet.dat'), 'utf8')).toBe(wallet);
      // The monitor host (th1) has the monitor's unit and env template (0600), th2 neither.
      expect(statSync(join(h1.home, '.dokomodo/monitor/monitor.env.example')).mode & 0o777).toBe(0o600);
      expect(statSync(join(h1.home, '.config/systemd/user/dokomodo-monitor.service')).isFile()).toBe(true);
      expect(() => statSync(join(h2.home, '.dokomodo/monitor'))).toThrow();
      expect(run.out).toContain('the monitor does not start before');
      expect(run.out).not.toMatch(/rpcpassword=|ansible-test-secret/);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'second run changes nothing (changed=0 on every host)',
    () => {
      const walletBefore = statSync(join(th.hosts[0]!.home, '.komodo/DOC/wallet.dat'));
      const run = playbook();
      timings.push(`run 2 ${(run.ms / 1000).toFixed(1)} s`);
      expect(run.code, run.out).toBe(0);
      const r = recap(run.out);
      expect(Object.keys(r).sort()).toEqual(['th1', 'th2']);
      for (const h of ['th1', 'th2']) {
        expect(r[h], run.out).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
      }
      const walletAfter = statSync(join(th.hosts[0]!.home, '.komodo/DOC/wallet.dat'));
      expect(walletAfter.mtimeMs).toBe(walletBefore.mtimeMs);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it(
    'a missing binary fails that host with a message that says where and what to do',
    () => {
      const run = playbook([
        '--limit',
        'th2',
        '-e',
        'dokomodo_binaries_src=',
        '-e',
        '{"dokomodo_binaries": {"komodod": "~/nowhere/komodod", "komodo-cli": "~/bin/komodo-cli", "litecoind": "~/bin/litecoind", "litecoin-cli": "~/bin/litecoin-cli"}}',
      ]);
      expect(run.code).not.toBe(0);
      expect(recap(run.out)['th2']).toMatchObject({ failed: 1, changed: 0 });
      expect(run.out).toContain(`komodod is missing at ${th.hosts[1]!.home}/nowhere/komodod on th2`);
      expect(run.out).toContain('dokomodo_binaries_src');
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});
