/**
 * The fleet from one controller: chains that run on other hosts (throw-away SSH hosts on
 * loopback, each with its own sshd and Unix user) are asked over SSH-forwarded ports; a host
 * that cannot be reached makes its chains `unreachable` with ssh's reason, never `stopped`.
 *
 * Each chain's daemon (the devnet's dokomodo-komodod) is started on its host over SSH and binds
 * 127.0.0.1 there, while the platform gives the host another loopback address: a direct
 * connection to host:rpcport is refused, so an answer proves the call went through the tunnel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstStartConf } from '../../src/komodo/conf.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { loadPlatformText } from '../../src/platform/load.ts';
import type { Platform } from '../../src/platform/model.ts';
import { fleetReach } from '../../src/operator/remote/reach.ts';
import { sshArgs, sshShell } from '../../src/operator/remote/shell.ts';
import { memoryRuntime } from '../../src/operator/runtime.ts';
import { collectStatus } from '../../src/operator/status.ts';
import { dokomodo } from '../cli/helpers.ts';
import { sshYaml, type TestHosts, testHostsUnavailable, upTestHosts } from '../harness/testhosts.ts';

const why = testHostsUnavailable();
const SECRET = 'fleet-reach-secret-0123456789';
const KOMODOD = resolve('bin/dokomodo-komodod.js');

describe.skipIf(why !== undefined)(
  why ? `fleet over SSH (skipped: ${why})` : 'fleet over SSH: chains on other hosts, one controller',
  () => {
    let th: TestHosts;
    let platform: Platform;
    let file: string;
    let controlDir: string;

    beforeAll(async () => {
      th = await upTestHosts(2);
      const dir = mkdtempSync(join(tmpdir(), 'dk-fleet-'));
      controlDir = mkdtempSync(join(tmpdir(), 'dkc-'));
      const ssh = (h: { user: string; port: number }) => sshYaml(th, h);
      const [h1, h2] = th.hosts as [TestHosts['hosts'][0], TestHosts['hosts'][0]];
      const yaml = `version: 1
hosts:
  th1: { address: ${h1.address}, ssh: ${ssh(h1)}, home: ${h1.home} }
  th2: { address: ${h2.address}, ssh: ${ssh(h2)}, home: ${h2.home} }
  gone: { address: 127.0.0.250, ssh: ${ssh(h1)} }
chains:
  FLTA: { host: th1, params: { ac_supply: 7701 } }
  FLTB: { host: th2, params: { ac_supply: 7702 } }
  FLTC: { host: gone, params: { ac_supply: 7703 } }
  FLTD: { host: th2, params: { ac_supply: 7704 } }
environments:
  up: { chains: [FLTA, FLTB, FLTC] }
`;
      file = join(dir, 'dokomodo.yaml');
      writeFileSync(file, yaml);
      const loaded = loadPlatformText(file, yaml);
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      platform = loaded.platform!;
      // Start each chain's daemon on its host, as that host's user, with the derived credentials.
      for (const name of ['FLTA', 'FLTB']) {
        const chain = platform.chains.find((c) => c.name === name)!;
        const host = platform.hosts.find((h) => h.name === chain.host)!;
        const sh = sshShell(host, { controlDir });
        const data = `${host.home}/${name}`;
        const creds = rpcCredentials(SECRET, name);
        const conf = firstStartConf({ user: creds.user, password: creds.password, rpcport: chain.rpc });
        const w = await sh.run(
          ['sh', '-c', 'mkdir -p "$1" && umask 077 && cat > "$1/$2.conf"', 'sh', data, name],
          {
            input: conf,
          },
        );
        expect(w.code, w.stderr).toBe(0);
        const r = await sh.run([
          'sh',
          '-c',
          'd=$1; shift; nohup node "$@" >"$d/out.log" 2>&1 </dev/null & echo $!',
          'sh',
          data,
          KOMODOD,
          `-ac_name=${name}`,
          `-ac_supply=${chain.params['ac_supply']}`,
          `-datadir=${data}`,
        ]);
        expect(r.code, r.stderr).toBe(0);
        await sh.close();
      }
    }, 60_000);

    afterAll(() => th?.down());

    it('status asks every chain where it runs: through SSH for other hosts, unreachable with the reason', async () => {
      const rt = memoryRuntime(platform, { secret: SECRET, reach: fleetReach(platform, { controlDir }) });
      try {
        // The daemons need a moment to listen; status is retried until both answer (bounded).
        let s = await collectStatus(rt, platform.chains);
        for (let i = 0; i < 50 && s.chains.filter((c) => c.state === 'running').length < 2; i++) {
          await new Promise((r) => setTimeout(r, 200));
          s = await collectStatus(rt, platform.chains);
        }
        const by = Object.fromEntries(s.chains.map((c) => [c.chain, c]));
        expect(by['FLTA']?.state).toBe('running');
        expect(by['FLTB']?.state).toBe('running');
        expect(typeof by['FLTA']?.blocks).toBe('number');
        expect(by['FLTC']?.state).toBe('unreachable');
        expect(by['FLTC']?.message).toMatch(/gone.*cannot be reached/);
        // The master connection dies (host rebooted, idle past ControlPersist): the next status
        // finds it gone, connects again and forwards again.
        const th1 = platform.hosts.find((h) => h.name === 'th1')!;
        const args = sshArgs(th1, { controlDir });
        expect(spawnSync('ssh', [...args.slice(0, -1), '-O', 'exit', args.at(-1)!]).status).toBe(0);
        const again = await collectStatus(rt, platform.chains.slice(0, 2));
        expect(again.chains.map((c) => [c.chain, c.state])).toEqual([
          ['FLTA', 'running'],
          ['FLTB', 'running'],
        ]);
      } finally {
        await rt.close();
      }
    }, 30_000);

    it('the host shell passes every word intact; a host that cannot be reached is host-unreachable with the reason ssh gives', async () => {
      const host = platform.hosts.find((h) => h.name === 'th1')!;
      const sh = sshShell(host, { controlDir });
      const words = ["a b'c", '$HOME', '`id`', '*', 'x;y|z', '', 'ü\\n'];
      const r = await sh.run(['printf', '%s\\n', ...words]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(words.map((w) => `${w}\n`).join(''));
      const who = await sh.run(['id', '-un']);
      expect(who.stdout.trim()).toBe(th.hosts[0]!.user);
      await sh.close();
      const gone = sshShell(platform.hosts.find((h) => h.name === 'gone')!, {
        controlDir,
        connectTimeoutSeconds: 3,
      });
      await expect(gone.run(['true'])).rejects.toMatchObject({
        code: 'host-unreachable',
        message: expect.stringMatching(/Connection refused/),
      });
    });

    it('a direct connection to the host address is refused (the daemon listens on its loopback only)', async () => {
      const chain = platform.chains.find((c) => c.name === 'FLTA')!;
      const { RpcClient } = await import('../../src/operator/rpc/client.ts');
      const creds = rpcCredentials(SECRET, 'FLTA');
      const c = new RpcClient({
        host: th.hosts[0]!.address,
        port: chain.rpc,
        ...creds,
        retry: false,
        timeoutMs: 2000,
      });
      await expect(c.call('getinfo')).rejects.toThrow(/refused/);
      await c.close();
    });

    it('the CLI: status --json exits non-zero with state unreachable; rpc reaches the remote chains', () => {
      const env = { DOKOMODO_SECRET: SECRET, TMPDIR: controlDir };
      const st = dokomodo(['status', '--json', '--env', 'up', '-f', file], { env });
      expect(st.code).toBe(1);
      const s = JSON.parse(st.stdout) as { chains: { chain: string; state: string; message?: string }[] };
      expect(s.chains.map((c) => [c.chain, c.state])).toEqual([
        ['FLTA', 'running'],
        ['FLTB', 'running'],
        ['FLTC', 'unreachable'],
      ]);
      expect(s.chains[2]?.message).toMatch(/Connection refused/);
      const rpc = dokomodo(['rpc', 'FLTA,FLTB', 'getinfo', '--json', '-f', file], { env });
      expect(rpc.stderr).toBe('');
      expect(rpc.code).toBe(0);
      const results = JSON.parse(rpc.stdout) as { chain: string; ok: boolean; result: { name: string } }[];
      expect(results.map((r) => [r.chain, r.ok, r.result.name])).toEqual([
        ['FLTA', true, 'FLTA'],
        ['FLTB', true, 'FLTB'],
      ]);
    }, 60_000);

    it('the monitor polls the chains where they run: up on the reachable hosts, down on the lost one', () => {
      const env = { DOKOMODO_SECRET: SECRET, TMPDIR: controlDir };
      const r = dokomodo(['monitor', '--once', '--env', 'up', '-f', file], { env });
      expect(r.code, r.stderr).toBe(0);
      const up = (chain: string, host: string) =>
        r.stdout.match(
          new RegExp(`^dokomodo_chain_up\\{chain="${chain}",host="${host}"\\} (\\d)$`, 'm'),
        )?.[1];
      expect([up('FLTA', 'th1'), up('FLTB', 'th2'), up('FLTC', 'gone')]).toEqual(['1', '1', '0']);
      // As the rendered monitor service of th1 runs it: th1's chains on this machine's loopback
      // (th1's daemon binds 127.0.0.1, which the test hosts share with us), th2's over SSH.
      const asTh1 = dokomodo(['monitor', '--once', '--env', 'up', '--as-host', 'th1', '-f', file], { env });
      expect(asTh1.code, asTh1.stderr).toBe(0);
      const up1 = (chain: string, host: string) =>
        asTh1.stdout.match(
          new RegExp(`^dokomodo_chain_up\\{chain="${chain}",host="${host}"\\} (\\d)$`, 'm'),
        )?.[1];
      expect([up1('FLTA', 'th1'), up1('FLTB', 'th2'), up1('FLTC', 'gone')]).toEqual(['1', '1', '0']);
      // Without an ssh program only th1's chain answers: it is reached directly, not over SSH.
      const noSsh = dokomodo(['monitor', '--once', '--env', 'up', '--as-host', 'th1', '-f', file], {
        env: { ...env, PATH: '/nonexistent' },
      });
      expect(noSsh.code, noSsh.stderr).toBe(0);
      expect(noSsh.stdout).toMatch(/^dokomodo_chain_up\{chain="FLTA",host="th1"\} 1$/m);
      expect(noSsh.stdout).toMatch(/^dokomodo_chain_up\{chain="FLTB",host="th2"\} 0$/m);
    }, 60_000);

    it('start and stop act on the chain’s own host over SSH: conf written there (0600), readiness by RPC', () => {
      const env = { DOKOMODO_SECRET: SECRET, TMPDIR: controlDir };
      const start = dokomodo(['start', '--devnet', 'FLTD', '--json', '-f', file], { env });
      expect(start.stderr).toBe('');
      expect(start.code).toBe(0);
      expect(JSON.parse(start.stdout)).toMatchObject([
        { chain: 'FLTD', ok: true, result: { state: 'started' } },
      ]);
      const h2 = th.hosts[1]!;
      const conf = join(h2.home, '.komodo', 'FLTD', 'FLTD.conf');
      expect(statSync(conf).mode & 0o777).toBe(0o600);
      expect(statSync(conf).uid).not.toBe(0);
      const again = dokomodo(['start', '--devnet', 'FLTD', '--json', '-f', file], { env });
      expect(JSON.parse(again.stdout)).toMatchObject([
        { chain: 'FLTD', ok: true, result: { state: 'already-running' } },
      ]);
      const st = dokomodo(['status', 'FLTD', '--json', '-f', file], { env });
      expect(st.code).toBe(0);
      expect(JSON.parse(st.stdout).chains[0].state).toBe('running');
      const stop = dokomodo(['stop', 'FLTD', '--json', '-f', file], { env });
      expect(stop.code).toBe(0);
      expect(JSON.parse(stop.stdout)).toMatchObject([
        { chain: 'FLTD', ok: true, result: { state: 'stopped' } },
      ]);
      const after = dokomodo(['status', 'FLTD', '--json', '-f', file], { env });
      // As for a local chain: a stopped chain is a state, not a failure of status.
      expect(JSON.parse(after.stdout).chains[0]).toMatchObject({
        state: 'stopped',
        message: 'no daemon runs on host th2',
      });
      expect(after.code).toBe(0);
    }, 90_000);

    it('keys import reaches the chains of other hosts: the key is theirs afterwards, the passphrase never printed', () => {
      const env = { DOKOMODO_SECRET: SECRET, TMPDIR: controlDir };
      const pass = 'fleet test passphrase, not a real notary';
      const r = dokomodo(['keys', 'import', 'FLTA,FLTB', '--passphrase-stdin', '--json', '-f', file], {
        env,
        input: `${pass}\n`,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(pass);
      const out = JSON.parse(r.stdout) as { results: { chain: string; state: string; address: string }[] };
      expect(out.results.map((x) => [x.chain, x.state])).toEqual([
        ['FLTA', 'imported'],
        ['FLTB', 'imported'],
      ]);
      for (const x of out.results) {
        const v = dokomodo(['rpc', x.chain, 'validateaddress', x.address, '--json', '-f', file], { env });
        expect(JSON.parse(v.stdout)[0].result.ismine).toBe(true);
      }
    }, 60_000);
  },
);
