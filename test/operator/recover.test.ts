/**
 * `dokomodo recover` against throw-away SSH hosts (test/harness): the host `nn` is rebuilt from
 * the platform file and the passphrase — deployed with the real Ansible, its chains started over
 * SSH (the devnet's komodod installed as the host's `komodod`), the key imported, its Iguana
 * started (the devnet's Iguana installed as `iguana`) and bootstrapped, UTXOs split, verified.
 * The old host `old` still runs an Iguana with the same key: refused and named, then fenced.
 * A recover killed in the middle is run again and continues. The passphrase is looked for in
 * every file of both homes, every output and every process's arguments.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { KMD } from '../../src/komodo/coins.ts';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { dokomodo } from '../cli/helpers.ts';
import { ansibleEnv, deployUnavailable, SECRET } from '../ansible/helpers.ts';
import { hostYaml, sshYaml, type TestHosts, upTestHosts } from '../harness/testhosts.ts';
import { freePort } from '../support/ports.ts';

const why = deployUnavailable();
const PASS = 'recover test passphrase — never for real coins';
const PUBKEY = deriveKeys(PASS, [KMD]).pubkey;
const RUN_TIMEOUT_MS = 300_000;
const SEEDS = ['198.51.100.10', '198.51.100.11'];

interface RecoverJson {
  host: string;
  ok: boolean;
  resumed: boolean;
  phases: {
    phase: string;
    state: string;
    summary: string;
    durationMs: number;
    error?: { code: string; message: string };
  }[];
  fence: { host: string; state: string; pid?: number; action?: string }[];
  verify: {
    ok: boolean;
    problems: string[];
    chains: { chain: string; state: string; ismine: boolean | null }[];
  } | null;
}

describe.skipIf(why !== undefined)(
  why ? `dokomodo recover (skipped: ${why})` : 'dokomodo recover over SSH',
  () => {
    let th: TestHosts;
    let file: string;
    let env: Record<string, string>;
    let extra: string[];
    let oldHome: string;
    let nnHome: string;
    let oldUser: string;
    let nnUser: string;
    const outputs: string[] = [];

    const run = (args: string[], f = file) => {
      const r = dokomodo(
        ['recover', '--host', 'nn', '--json', '--passphrase-stdin', '-f', f, ...extra, ...args],
        {
          env,
          input: `${PASS}\n`,
          timeoutMs: RUN_TIMEOUT_MS,
        },
      );
      outputs.push(r.stdout, r.stderr);
      let json: RecoverJson | undefined;
      try {
        json = JSON.parse(r.stdout) as RecoverJson;
      } catch {
        json = undefined;
      }
      return { ...r, json };
    };
    const phase = (j: RecoverJson | undefined, name: string) => j?.phases.find((p) => p.phase === name);
    const states = (j: RecoverJson | undefined) => j?.phases.map((p) => [p.phase, p.state]);
    const cli = (args: string[]) => {
      const r = dokomodo([...args, '-f', file], { env, timeoutMs: 120_000 });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    /** Processes of a host's user whose command line matches. */
    const procs = (user: string, pattern: RegExp) =>
      spawnSync('ps', ['-u', user, '-o', 'pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => pattern.test(l));
    /** The Iguana simulators themselves (not a shell that started one). */
    const iguanas = (user: string) => procs(user, /^\s*\d+\s+node \S*dokomodo-iguana\.js /);
    /** The host as a wiped machine: its processes gone, its home empty but for the SSH login. */
    const wipe = (user: string, home: string) => {
      for (const l of procs(user, /dokomodo-(komodod|iguana)/)) {
        const pid = Number(l.trim().split(/\s+/)[0]);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      spawnSync('sh', [
        '-c',
        'cd "$1" && find . -mindepth 1 -maxdepth 1 ! -name .ssh -exec rm -rf {} +',
        'sh',
        home,
      ]);
    };

    /** The old notary host's Iguana, started there by hand (its own port: the test hosts share one loopback). */
    const startOldIguana = (port: number) => {
      const h1 = th.hosts[0]!;
      const started = spawnSync(
        'ssh',
        [
          '-i',
          th.key,
          '-o',
          `UserKnownHostsFile=${th.knownHosts}`,
          '-o',
          'BatchMode=yes',
          '-p',
          String(h1.port),
          `${h1.user}@${h1.address}`,
          `cd ~ && nohup node ${resolve('bin/dokomodo-iguana.js')} notary -port=${port} >old-iguana.log 2>&1 </dev/null & echo started`,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(started.stdout, started.stderr).toContain('started');
    };

    /** Runs recover and kills its process group `delayMs` after the phase `at` starts; its output. */
    const killAt = async (at: string, delayMs: number, args: string[] = []): Promise<string> => {
      const child = spawn(
        process.execPath,
        ['bin/dokomodo.js', 'recover', '--host', 'nn', '--passphrase-stdin', '-f', file, ...extra, ...args],
        { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
      );
      child.stdin.end(`${PASS}\n`);
      let out = '';
      const killed = await new Promise<boolean>((res) => {
        const timer = setTimeout(() => res(false), RUN_TIMEOUT_MS);
        let armed = false;
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (!armed && out.includes(`… ${at}\n`)) {
            armed = true;
            setTimeout(() => {
              try {
                process.kill(-child.pid!, 'SIGKILL');
              } catch {
                // already gone
              }
              clearTimeout(timer);
              res(true);
            }, delayMs);
          }
        });
        child.once('exit', () => {
          if (armed) return;
          clearTimeout(timer);
          res(false);
        });
      });
      outputs.push(out);
      expect(killed, out).toBe(true);
      return out;
    };

    interface DeployHosts {
      hosts: {
        host: string;
        state: string;
        affected?: string[];
        restarted?: string[];
        retired?: string[];
        message?: string;
      }[];
    }
    /** `dokomodo deploy --json` of the platform file with the test's extra variables. */
    const deployCli = (args: string[]) => {
      const r = dokomodo(
        ['deploy', '--json', '-f', file, ...extra.slice(0, extra.indexOf('--journal-dir')), ...args],
        {
          env,
          timeoutMs: RUN_TIMEOUT_MS,
        },
      );
      outputs.push(r.stdout, r.stderr);
      return { ...r, json: JSON.parse(r.stdout) as DeployHosts };
    };

    beforeAll(async () => {
      th = await upTestHosts(2);
      const [h1, h2] = th.hosts as [TestHosts['hosts'][0], TestHosts['hosts'][0]];
      oldHome = h1.home;
      nnHome = h2.home;
      oldUser = h1.user;
      nnUser = h2.user;
      const host = (h: typeof h1) => hostYaml(th, h, 'roles: [chains, iguana]');
      const [kmdP2p, kmdRpc, igPort] = [await freePort(), await freePort(), await freePort()];
      file = join(th.dir, 'dokomodo.yaml');
      writeFileSync(
        file,
        `version: 1
defaults:
  pubkey: ${PUBKEY}
  binaries: { komodod: ~/bin/komodod, komodo-cli: ~/bin/komodo-cli, iguana: ~/bin/iguana }
  start: { timeout: 60s }
hosts:
  old: ${host(h1)}
  nn: ${host(h2)}
chains:
  KMD: { host: nn, ports: { p2p: ${kmdP2p}, rpc: ${kmdRpc}, override: true }, notarization: { split_threshold: 4, split_target: 8 } }
  RCVA: { host: nn, params: { ac_supply: 61017 }, notarization: { split_threshold: 4, split_target: 8 } }
iguana:
  main: { host: nn, port: ${igPort}, coins: [KMD, RCVA], notaries: dev, myip: 203.0.113.7 }
notaries:
  dev:
    minsigs: 1
    seeds: [${[...SEEDS, ...SEEDS, ...SEEDS, ...SEEDS].join(', ')}]
    list:
      - { name: devnode_EU, pubkey: ${PUBKEY} }
`,
      );
      // The hosts' "installed binaries": the devnet's komodod (fast blocks, coinbase mature after
      // one) and Iguana, run by node from this checkout.
      const binDir = join(th.dir, 'binaries');
      mkdirSync(binDir);
      const komodod = resolve('bin/dokomodo-komodod.js');
      const iguana = resolve('bin/dokomodo-iguana.js');
      writeFileSync(
        join(binDir, 'komodod'),
        `#!/bin/sh\nexec node ${komodod} "$@" -devnet-blocktime=1 -devnet-maturity=1\n`,
        { mode: 0o755 },
      );
      writeFileSync(join(binDir, 'komodo-cli'), '#!/bin/sh\necho komodo-cli is not used here\n', {
        mode: 0o755,
      });
      writeFileSync(join(binDir, 'iguana'), `#!/bin/sh\nexec node ${iguana} "$@"\n`, { mode: 0o755 });
      extra = [
        '--extra-vars',
        'dokomodo_manage_os=false',
        'dokomodo_manage_firewall=false',
        `dokomodo_binaries_src=${binDir}`,
        '--journal-dir',
        join(th.dir, 'journals'),
      ];
      env = { DOKOMODO_SECRET: SECRET, HOME: join(th.dir, 'controller'), ...ansibleEnv(th.dir) };
      mkdirSync(env['HOME']!);
      // The old notary host still runs an Iguana under the same key (its own port: the test hosts
      // share one loopback).
      startOldIguana(await freePort());
      for (let i = 0; i < 50 && iguanas(oldUser).length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
    }, 120_000);

    afterAll(() => {
      if (!th) return;
      wipe(nnUser, nnHome);
      wipe(oldUser, oldHome);
      th.down();
    });

    it(
      'refuses while the old host runs an Iguana with the same key, names it, and touches nothing',
      () => {
        const r = run([]);
        expect(r.code, r.stderr).toBe(1);
        expect(states(r.json)?.[0]).toEqual(['fence', 'failed']);
        const f = phase(r.json, 'fence')!;
        expect(f.error?.code).toBe('fence-conflict');
        expect(f.error?.message).toMatch(/already runs on old \(pid \d+: node \S*dokomodo-iguana\.js notary/);
        expect(r.json!.phases.slice(1).every((p) => p.state === 'pending')).toBe(true);
        expect(existsSync(join(nnHome, '.komodo'))).toBe(false);
        expect(iguanas(oldUser)).toHaveLength(1);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      '--fence stops the old Iguana and rebuilds the host; with no funds in split form it stops at utxo and says what to do',
      () => {
        const r = run(['--fence']);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
        expect(states(r.json)).toEqual([
          ['fence', 'done'],
          ['deploy', 'done'],
          ['chains', 'done'],
          ['keys', 'done'],
          ['iguana', 'done'],
          ['utxo', 'failed'],
          ['verify', 'pending'],
        ]);
        expect(r.json!.fence).toMatchObject([{ host: 'old', state: 'running', action: 'stopped' }]);
        expect(iguanas(oldUser)).toHaveLength(0);
        expect(phase(r.json, 'chains')!.summary).toBe('2 started, 0 already running, all answering');
        expect(phase(r.json, 'keys')!.summary).toBe('2 imported, 0 already there');
        expect(phase(r.json, 'utxo')!.error?.code).toBe('insufficient-funds');
        expect(statSync(join(nnHome, '.komodo/RCVA/RCVA.conf')).mode & 0o777).toBe(0o600);
        expect(iguanas(nnUser)).toHaveLength(1);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'run again after funding: continues (deploy not repeated, nothing imported twice), splits, verifies',
      async () => {
        // The mined coins are the notary's (P2PK to its pubkey): consolidate them into a P2PKH
        // output a split can spend, and let a block confirm it.
        const c = cli(['utxo', 'consolidate', 'KMD', 'RCVA', '--journal-dir', join(th.dir, 'journals')]);
        expect(c.code, `${c.stdout}\n${c.stderr}`).toBe(0);
        await new Promise((res) => setTimeout(res, 2500));
        const r = run([]);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(r.json!.resumed).toBe(true);
        expect(states(r.json)).toEqual([
          ['fence', 'done'],
          ['deploy', 'skipped'],
          ['chains', 'done'],
          ['keys', 'done'],
          ['iguana', 'done'],
          ['utxo', 'done'],
          ['verify', 'done'],
        ]);
        expect(phase(r.json, 'chains')!.summary).toBe('0 started, 2 already running, all answering');
        expect(phase(r.json, 'keys')!.summary).toBe('0 imported, 2 already there');
        expect(phase(r.json, 'utxo')!.summary).toBe('2 split, 0 not due');
        expect(r.json!.verify).toMatchObject({ ok: true, problems: [] });
        expect(r.json!.verify!.chains.map((x) => [x.chain, x.state, x.ismine])).toEqual([
          ['KMD', 'running', true],
          ['RCVA', 'running', true],
        ]);
        // Once whole, a second run finds nothing to do: no second split.
        const again = run(['--no-deploy']);
        expect(again.code).toBe(0);
        expect(phase(again.json, 'utxo')!.summary).toBe('0 split, 2 not due');
      },
      2 * RUN_TIMEOUT_MS,
    );

    it(
      'wiped again and killed in the middle of a phase: the next run continues and ends whole',
      async () => {
        wipe(nnUser, nnHome);
        // Kill the first run as soon as it starts the keys phase.
        await killAt('keys', 0);
        // The run goes on from there: deploy done by the killed run, chains already up; the new
        // chains' coins are again only mined ones, so it stops at utxo as on the first day.
        const r = run([]);
        expect(r.json!.resumed, `${r.stdout}\n${r.stderr}`).toBe(true);
        expect(states(r.json)).toEqual([
          ['fence', 'done'],
          ['deploy', 'skipped'],
          ['chains', 'done'],
          ['keys', 'done'],
          ['iguana', 'done'],
          ['utxo', 'failed'],
          ['verify', 'pending'],
        ]);
        expect(phase(r.json, 'chains')!.summary).toBe('0 started, 2 already running, all answering');
        const c = cli(['utxo', 'consolidate', 'KMD', 'RCVA', '--journal-dir', join(th.dir, 'journals')]);
        expect(c.code, `${c.stdout}\n${c.stderr}`).toBe(0);
        await new Promise((res) => setTimeout(res, 2500));
        const whole = run([]);
        expect(whole.code, `${whole.stdout}\n${whole.stderr}`).toBe(0);
        expect(whole.json!.verify?.ok).toBe(true);
      },
      3 * RUN_TIMEOUT_MS,
    );

    it(
      'killed in each other phase (its whole process group, Ansible included): the next run continues and ends whole',
      async () => {
        for (const [at, delayMs] of [
          ['deploy', 1500],
          ['chains', 0],
          ['iguana', 0],
          ['utxo', 0],
        ] as const) {
          wipe(nnUser, nnHome);
          const out = await killAt(at, delayMs, ['--consolidate']);
          const r = run(['--consolidate']);
          expect(r.code, `killed at ${at}\n${out}\n${r.stdout}\n${r.stderr}`).toBe(0);
          expect(r.json!.resumed).toBe(true);
          // A deploy killed half-way is applied again; one that finished is not repeated.
          expect(phase(r.json, 'deploy')!.state).toBe(at === 'deploy' ? 'done' : 'skipped');
          expect(r.json!.verify?.ok).toBe(true);
        }
      },
      8 * RUN_TIMEOUT_MS,
    );

    it(
      'iguana up fences too: refused while the old host runs one, --fence stops it; an unreachable host needs --fence-unreachable',
      async () => {
        const oldPort = await freePort();
        startOldIguana(oldPort);
        for (let i = 0; i < 50 && iguanas(oldUser).length === 0; i++)
          await new Promise((r) => setTimeout(r, 100));
        const up = (args: string[], f = file) => {
          const r = dokomodo(['iguana', 'up', '--passphrase-stdin', '-f', f, ...args], {
            env,
            input: `${PASS}\n`,
            timeoutMs: 120_000,
          });
          outputs.push(r.stdout, r.stderr);
          return r;
        };
        const refused = up([]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(
          /error fence-conflict: an Iguana with this notary key already runs on old \(pid \d+/,
        );
        expect(iguanas(oldUser)).toHaveLength(1);
        const fenced = up(['--fence']);
        expect(fenced.code, `${fenced.stdout}\n${fenced.stderr}`).toBe(0);
        expect(fenced.stderr).toMatch(/fence: old: Iguana pid \d+ .* stopped/);
        expect(iguanas(oldUser)).toHaveLength(0);
        // A host that cannot be asked: refused unless the operator says it is down.
        const withGone = join(th.dir, 'with-gone.yaml');
        writeFileSync(
          withGone,
          readFileSync(file, 'utf8').replace(
            'hosts:\n',
            `hosts:\n  gone: { address: 127.0.0.250, ssh: ${sshYaml(th, { user: 'nobody', port: th.hosts[0]!.port })}, roles: [iguana] }\n`,
          ),
        );
        const lost = up([], withGone);
        expect(lost.code).toBe(1);
        expect(lost.stderr).toMatch(
          /error fence-unreachable: cannot check gone \(host gone .* cannot be reached over SSH/,
        );
        const accepted = up(['--fence-unreachable'], withGone);
        expect(accepted.code, `${accepted.stdout}\n${accepted.stderr}`).toBe(0);
        expect(accepted.stderr).toContain('fence: gone not reachable');
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'deploy after a conf change restarts only that running chain, ready before it returns; a plan names it',
      () => {
        const pid = (rel: string) => readFileSync(join(nnHome, '.komodo', rel), 'utf8').trim();
        const kmdPid = pid('komodod.pid');
        const rcvaPid = pid('RCVA/komodod.pid');
        // The same file edited (a conf names the file it was rendered from: another name changes them all).
        const original = readFileSync(file, 'utf8');
        writeFileSync(file, original.replace('RCVA: { host: nn,', 'RCVA: { host: nn, addnode: [127.0.0.9],'));
        onTestFinished(() => writeFileSync(file, original));
        const deploy = (args: string[]) => deployCli(['--host', 'nn', ...args]);
        const plan = deploy(['--plan']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.json.hosts[0]).toMatchObject({ host: 'nn', state: 'changes', affected: ['RCVA'] });
        expect(pid('RCVA/komodod.pid')).toBe(rcvaPid);
        const r = deploy([]);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(r.json.hosts[0]).toMatchObject({
          host: 'nn',
          state: 'applied',
          affected: ['RCVA'],
          restarted: ['RCVA'],
        });
        expect(readFileSync(join(nnHome, '.komodo/RCVA/RCVA.conf'), 'utf8')).toContain('addnode=127.0.0.9');
        expect(pid('RCVA/komodod.pid')).not.toBe(rcvaPid);
        expect(pid('komodod.pid')).toBe(kmdPid);
        // Answering already when deploy returned.
        const h = dokomodo(['rpc', 'RCVA', 'getblockcount', '-f', file], { env });
        expect(h.code, h.stderr).toBe(0);
        const again = deploy([]);
        expect(again.json.hosts[0]).toMatchObject({ state: 'unchanged' });
        expect(again.json.hosts[0]!.restarted).toBeUndefined();
      },
      3 * RUN_TIMEOUT_MS,
    );

    it(
      'a chain moved to another host: deploy stops it on the old one and removes its conf (data kept); start runs it on the new one; and back',
      () => {
        const original = readFileSync(file, 'utf8');
        onTestFinished(() => writeFileSync(file, original));
        const deploy = deployCli;
        const byHost = (j: DeployHosts, h: string) => j.hosts.find((x) => x.host === h);
        const running = (user: string) =>
          procs(user, /-ac_name=RCVA/).filter((l) => /^\s*\d+\s+node /.test(l));
        const nnDir = join(nnHome, '.komodo/RCVA');
        const oldDir = join(oldHome, '.komodo/RCVA');
        expect(running(nnUser)).toHaveLength(1);
        writeFileSync(file, original.replace('RCVA: { host: nn,', 'RCVA: { host: old,'));
        const plan = deploy(['--plan', '--host', 'nn', 'old']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(byHost(plan.json, 'nn')?.message).toContain('RCVA left this host');
        expect(running(nnUser)).toHaveLength(1);
        const moved = deploy(['--host', 'nn', 'old']);
        expect(moved.code, `${moved.stdout}\n${moved.stderr}`).toBe(0);
        expect(byHost(moved.json, 'nn')).toMatchObject({ state: 'applied', retired: ['RCVA'] });
        expect(byHost(moved.json, 'old')).toMatchObject({ state: 'applied' });
        expect(running(nnUser)).toHaveLength(0);
        expect(existsSync(join(nnDir, 'RCVA.conf'))).toBe(false);
        expect(existsSync(join(nnDir, 'devnet-chain.json'))).toBe(true);
        expect(statSync(join(oldDir, 'RCVA.conf')).mode & 0o777).toBe(0o600);
        expect(cli(['start', 'RCVA']).code).toBe(0);
        expect(running(oldUser)).toHaveLength(1);
        // And back: the same the other way round, the chain carrying on from its data on nn.
        writeFileSync(file, original);
        const back = deploy(['--host', 'old', 'nn']);
        expect(back.code, `${back.stdout}\n${back.stderr}`).toBe(0);
        expect(byHost(back.json, 'old')).toMatchObject({ retired: ['RCVA'] });
        expect(running(oldUser)).toHaveLength(0);
        expect(cli(['start', 'RCVA']).code).toBe(0);
        expect(running(nnUser)).toHaveLength(1);
      },
      3 * RUN_TIMEOUT_MS,
    );

    it(
      'a chain-data snapshot: checked on the host (a wrong sha256 unpacks nothing), then unpacked before the first start',
      () => {
        // One chain, plain output: the result itself.
        const height = (f: string) =>
          Number(dokomodo(['rpc', 'RCVA', 'getblockcount', '-f', f], { env }).stdout.trim());
        const before = height(file);
        expect(before).toBeGreaterThan(0);
        expect(cli(['stop', 'RCVA']).code).toBe(0);
        // The snapshot as a host would get it: the data directory as it lies, wallet and conf included.
        const snapDir = mkdtempSync(join(tmpdir(), 'dk-snap-'));
        chmodSync(snapDir, 0o755);
        const snap = join(snapDir, 'RCVA.tar.gz');
        const tar = spawnSync('tar', ['-czf', snap, '-C', join(nnHome, '.komodo/RCVA'), '.']);
        expect(tar.status, tar.stderr?.toString()).toBe(0);
        chmodSync(snap, 0o644);
        const sha = createHash('sha256').update(readFileSync(snap)).digest('hex');
        wipe(nnUser, nnHome);
        const snapFile = join(th.dir, 'with-snapshot.yaml');
        const withSnapshot = (hex: string) =>
          writeFileSync(
            snapFile,
            readFileSync(file, 'utf8').replace(
              'RCVA: { host: nn,',
              `RCVA: { host: nn, bootstrap: { path: ${snap}, sha256: "${hex}" },`,
            ),
          );
        withSnapshot('0'.repeat(64));
        const bad = run(['--consolidate'], snapFile);
        expect(bad.code).toBe(1);
        expect(phase(bad.json, 'chains')).toMatchObject({
          state: 'failed',
          error: { code: 'bootstrap-checksum' },
        });
        expect(existsSync(join(nnHome, '.komodo/RCVA/devnet-chain.json'))).toBe(false);
        withSnapshot(sha);
        const r = run(['--consolidate'], snapFile);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(phase(r.json, 'chains')!.summary).toBe(
          '2 started (1 from a snapshot), 0 already running, all answering',
        );
        // The chain carries on from the snapshot's blocks instead of a new genesis.
        expect(height(snapFile)).toBeGreaterThanOrEqual(before);
        expect(statSync(join(nnHome, '.komodo/RCVA/RCVA.conf')).mode & 0o777).toBe(0o600);
        expect(existsSync(join(nnHome, '.komodo/RCVA/.dokomodo-bootstrap'))).toBe(false);
      },
      2 * RUN_TIMEOUT_MS,
    );

    it('the passphrase is in no file of either host, no output and no process argument', () => {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
          const p = join(dir, d.name);
          if (d.isSymbolicLink()) return [];
          if (d.isDirectory()) return walk(p);
          return d.isFile() ? [p] : [];
        });
      const files = [...walk(nnHome), ...walk(oldHome), ...walk(env['HOME']!)];
      expect(files.length).toBeGreaterThan(10);
      for (const f of files) expect(readFileSync(f).includes(PASS), f).toBe(false);
      for (const o of outputs) expect(o.includes(PASS)).toBe(false);
      const args = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
      expect(args.includes(PASS)).toBe(false);
    });
  },
);
