/**
 * The container side for real: the rendered scripts through shellcheck; `dokomodo entrypoint`
 * run as a process on a temp data directory; the image's wrapper exec'ing the devnet komodod in
 * its own place; the health check against it; Iguana (the devnet simulator) fed the rendered
 * payload and reaching the daemon with the derived credentials.
 */
import { freePort } from '../support/ports.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containerNames } from '../../src/compiler/renderers/entrypoint.ts';
import { startIguana } from '../../src/devnet/iguana.ts';
import { confGetAll, komodoUserPass, parseConf } from '../../src/komodo/conf.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { IguanaClient } from '../../src/operator/iguana-client.ts';
import { rpcClientFromConf } from '../../src/operator/rpc/client.ts';
import { dokomodo } from '../cli/helpers.ts';
import { EXAMPLES, have, platformFile, removeDir, render, run, tempDir, writeTree } from './helpers.ts';

const REPO = process.cwd();
const SECRET = 'entrypoint-test-secret-0123456789';
const ENV = { DOKOMODO_SECRET: SECRET, DOKOMODO_FILE: undefined, DOKOMODO_RPC_ALLOWIP: undefined };

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) removeDir(t);
});
function temp(): string {
  const d = tempDir();
  temps.push(d);
  return d;
}

const shellcheck = have('shellcheck');
if (!shellcheck) console.warn('skipping shellcheck: it is not installed (apt-get install shellcheck)');
const curl = have('curl');
if (!curl) console.warn('skipping the health check runs: curl is not installed (apt-get install curl)');

/** Every password derived for the platform's chains: none may be printed. */
function passwords(file: string, secret = SECRET): string[] {
  return platformFile(file).chains.map((c) => rpcCredentials(secret, c.name).password);
}

function expectNoSecrets(text: string, file = 'examples/dev.yaml'): void {
  expect(text).not.toContain(SECRET);
  for (const p of passwords(file)) expect(text).not.toContain(p);
}

describe('rendered scripts', () => {
  const artifacts = EXAMPLES.flatMap((f) => render(platformFile(f), ['entrypoint']));

  it('containers/entrypoint.sh and containers/healthcheck.sh, fleet-wide, mode 0755, POSIX sh', () => {
    const paths = [...new Set(artifacts.map((a) => a.path))].sort();
    expect(paths).toEqual(['containers/entrypoint.sh', 'containers/healthcheck.sh']);
    for (const a of artifacts) {
      expect(a).toMatchObject({ mode: 0o755, host: undefined, secret: false });
      expect(a.content.startsWith('#!/bin/sh\n')).toBe(true);
    }
  });

  it.skipIf(!shellcheck)('shellcheck passes on every generated script', () => {
    const root = temp();
    for (const [i, a] of artifacts.entries()) writeTree(root, [{ ...a, path: `${i}/${a.path}` }]);
    const files = artifacts.map((a, i) => path.join(root, String(i), a.path));
    const r = run('shellcheck', ['--severity=style', ...files]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.skipIf(!shellcheck)('shellcheck really checks (a planted mistake is reported)', () => {
    const root = temp();
    const a = artifacts[0]!;
    writeTree(root, [{ ...a, content: a.content.replace('exec "$@"', 'exec $@') }]);
    expect(run('shellcheck', [path.join(root, a.path)]).code).not.toBe(0);
  });
});

describe('dokomodo entrypoint (the command, run as a process)', () => {
  it('chain: writes the conf atomically with mode 0600; the conf readers get the derived credentials', () => {
    const data = temp();
    const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], {
      env: ENV,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(data)).toEqual(['DOC.conf']); // no temporary left behind
    expect(statSync(path.join(data, 'DOC.conf')).mode & 0o777).toBe(0o600);
    const text = readFileSync(path.join(data, 'DOC.conf'), 'utf8');
    const creds = rpcCredentials(SECRET, 'DOC');
    const p = platformFile('examples/dev.yaml').chains.find((c) => c.name === 'DOC')!;
    expect(komodoUserPass(text)).toEqual({ user: creds.user, password: creds.password, rpcport: p.rpc });
    const entries = parseConf(text);
    expect(confGetAll(entries, 'rpcuser')).toEqual([creds.user]);
    expect(confGetAll(entries, 'rpcpassword')).toEqual([creds.password]);
    expect(confGetAll(entries, 'rpcbind')).toEqual(['0.0.0.0']);
    expect(confGetAll(entries, 'rpcallowip')).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
    ]);
    expect(r.stdout).toContain(`wrote ${data}/DOC.conf (0600)`);
    expect(r.stdout).toContain(`-ac_name=DOC`);
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('is idempotent: a second start rewrites the conf to the same bytes', () => {
    const data = temp();
    const args = ['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'KMD', '--datadir', data];
    expect(dokomodo(args, { env: ENV }).code).toBe(0);
    const first = readFileSync(path.join(data, 'komodo.conf'), 'utf8');
    writeFileSync(path.join(data, 'komodo.conf'), 'rpcuser=stale\n');
    expect(dokomodo(args, { env: ENV }).code).toBe(0);
    expect(readFileSync(path.join(data, 'komodo.conf'), 'utf8')).toBe(first);
  });

  it('--print-exec: the working directory, then the daemon argv, one per line; progress on stderr', () => {
    const data = temp();
    const r = dokomodo(
      ['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data, '--print-exec'],
      {
        env: ENV,
      },
    );
    expect(r.code).toBe(0);
    const chain = platformFile('examples/dev.yaml').chains.find((c) => c.name === 'DOC')!;
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(data);
    expect(lines[1]).toBe('komodod');
    expect(lines.slice(2)).toEqual([
      ...chain.launchArgs.filter((a) => !a.startsWith('-datadir=')),
      `-datadir=${data}`,
      '-printtoconsole=1',
    ]);
    expect(r.stderr).toContain(`dokomodo: wrote ${data}/DOC.conf (0600)`);
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('--dry-run writes nothing and shows the conf with the password masked', () => {
    const data = temp();
    const r = dokomodo(
      ['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data, '--dry-run'],
      {
        env: ENV,
      },
    );
    expect(r.code).toBe(0);
    expect(readdirSync(data)).toEqual([]);
    expect(r.stdout).toContain(`would write ${data}/DOC.conf (0600)`);
    expect(r.stdout).toContain(`rpcuser=${rpcCredentials(SECRET, 'DOC').user}`);
    expect(r.stdout).toContain('rpcpassword=***');
    expect(r.stdout).toMatch(/exec \(in .*\): komodod -ac_name=DOC /);
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('--json: the files and the command as data', () => {
    const data = temp();
    const r = dokomodo(
      ['-f', 'examples/dev.yaml', '--json', 'entrypoint', 'chain', 'MARTY', '--datadir', data],
      { env: ENV },
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      kind: 'chain',
      name: 'MARTY',
      service: 'marty',
      dryRun: false,
      files: [{ path: `${data}/MARTY.conf`, mode: '0600', written: true }],
      exec: { cwd: data },
    });
    expect(j.exec.argv[0]).toBe('komodod');
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('iguana: elected file, one payload per coin with rpchost SERVICE:RPC and the derived userpass (0600)', () => {
    const dir = temp();
    const file = 'examples/komodo-mainnet.yaml';
    const r = dokomodo(['-f', file, 'entrypoint', 'iguana', 'main', '--datadir', dir, '--dry-run'], {
      env: ENV,
    });
    expect(r.code).toBe(0);
    expectNoSecrets(r.stdout + r.stderr, file);
    const w = dokomodo(['-f', file, 'entrypoint', 'iguana', 'main', '--datadir', dir], { env: ENV });
    expect(w.code, w.stderr).toBe(0);
    expectNoSecrets(w.stdout + w.stderr, file);
    const p = platformFile(file);
    const names = containerNames(p);
    const g = p.iguana.find((x) => x.name === 'main')!;
    const elected = JSON.parse(readFileSync(path.join(dir, 'elected'), 'utf8'));
    expect(elected.port).toBe(13848);
    for (const coin of g.coins) {
      const chain = p.chains.find((c) => c.name === coin)!;
      const f = path.join(dir, 'dokomodo/coins', `${chain.symbol}.json`);
      expect(statSync(f).mode & 0o777).toBe(0o600);
      const payload = JSON.parse(readFileSync(f, 'utf8'));
      const creds = rpcCredentials(SECRET, chain.name);
      expect(payload).toMatchObject({
        method: 'addcoin',
        newcoin: chain.symbol,
        rpc: chain.rpc,
        rpchost: `${names.chain(chain.name)}:${chain.rpc}`,
        userpass: `${creds.user}:${creds.password}`,
      });
    }
    const plan = JSON.parse(readFileSync(path.join(dir, 'dokomodo/bootstrap.json'), 'utf8'));
    expect(plan).toMatchObject({ instance: 'main', workdir: dir });
    expect(w.stdout).toContain(`exec (in ${dir}): iguana notary`);
  });

  it('iguana --per-host: a coin on another host is reached at that host’s address', () => {
    const root = temp();
    const file = path.join(root, 'p.yaml');
    writeFileSync(
      file,
      `version: 1
hosts:
  a: { address: 198.51.100.7 }
  b: { address: 198.51.100.8 }
chains:
  KMD: { host: b }
  DOC: { host: a, params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 } }
iguana:
  main: { host: b, coins: [KMD, DOC], notaries: dev }
notaries:
  dev: { seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1], list: [{ name: a_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }] }
`,
    );
    const dir = path.join(root, 'ig');
    expect(
      dokomodo(['-f', file, 'entrypoint', 'iguana', 'main', '--datadir', dir, '--per-host'], { env: ENV })
        .code,
    ).toBe(0);
    const doc = JSON.parse(readFileSync(path.join(dir, 'dokomodo/coins/DOC.json'), 'utf8'));
    const kmd = JSON.parse(readFileSync(path.join(dir, 'dokomodo/coins/KMD.json'), 'utf8'));
    expect(doc.rpchost).toBe(`198.51.100.7:${doc.rpc}`);
    expect(kmd.rpchost).toBe('kmd:7771'); // same host: its service
  });

  it(`DOKOMODO_RPC_ALLOWIP replaces the allowed ranges; a malformed entry is refused`, () => {
    const data = temp();
    const args = ['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data];
    const r = dokomodo(args, { env: { ...ENV, DOKOMODO_RPC_ALLOWIP: '127.0.0.1, 100.64.0.0/10' } });
    expect(r.code).toBe(0);
    expect(confGetAll(parseConf(readFileSync(path.join(data, 'DOC.conf'), 'utf8')), 'rpcallowip')).toEqual([
      '127.0.0.1',
      '100.64.0.0/10',
    ]);
    const bad = dokomodo(args, { env: { ...ENV, DOKOMODO_RPC_ALLOWIP: '10.0.0.0/8#x' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error bad-allowip');
  });

  describe('never touches a wallet', () => {
    const WALLET = Buffer.concat([
      Buffer.alloc(12),
      Buffer.from([0x62, 0x31, 0x05, 0x00]),
      Buffer.from('wallet'),
    ]);

    it('refuses a conf that is a link to wallet.dat, and leaves the wallet as it was', () => {
      const data = temp();
      writeFileSync(path.join(data, 'wallet.dat'), WALLET);
      symlinkSync('wallet.dat', path.join(data, 'DOC.conf'));
      const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], {
        env: ENV,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error wallet-protected');
      expect(r.stderr).toContain('wallet.dat');
      expect(r.stderr).toContain('hint:');
      expect(readFileSync(path.join(data, 'wallet.dat'))).toEqual(WALLET);
      expect(lstatSync(path.join(data, 'DOC.conf')).isSymbolicLink()).toBe(true);
    });

    it('refuses a conf path holding a Berkeley DB file (a renamed wallet)', () => {
      const data = temp();
      writeFileSync(path.join(data, 'DOC.conf'), WALLET);
      const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], {
        env: ENV,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error wallet-protected');
      expect(readFileSync(path.join(data, 'DOC.conf'))).toEqual(WALLET);
    });

    it('refuses a conf that is a link to any wallet*.dat, or to anything else', () => {
      const data = temp();
      writeFileSync(path.join(data, 'wallet-backup.dat'), WALLET);
      symlinkSync('wallet-backup.dat', path.join(data, 'DOC.conf'));
      const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], {
        env: ENV,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('a link to wallet-backup.dat, a wallet');
      expect(readFileSync(path.join(data, 'wallet-backup.dat'))).toEqual(WALLET);
    });

    it('leaves a wallet.dat next to the conf untouched', () => {
      const data = temp();
      writeFileSync(path.join(data, 'wallet.dat'), WALLET);
      const before = statSync(path.join(data, 'wallet.dat'));
      expect(
        dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], { env: ENV })
          .code,
      ).toBe(0);
      expect(readFileSync(path.join(data, 'wallet.dat'))).toEqual(WALLET);
      expect(statSync(path.join(data, 'wallet.dat')).mtimeMs).toBe(before.mtimeMs);
    });
  });

  it('a missing secret: exit 1, code and hint, no stack trace, nothing written', () => {
    const data = temp();
    for (const value of [undefined, '']) {
      const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOC', '--datadir', data], {
        env: { ...ENV, DOKOMODO_SECRET: value },
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        'error secret-missing: the platform secret is not set: environment variable DOKOMODO_SECRET is empty',
      );
      expect(r.stderr).toContain('hint: compose: set DOKOMODO_SECRET= in .env');
      expect(r.stderr).toContain('kubectl create secret generic dokomodo-secret');
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readdirSync(data)).toEqual([]);
    }
  });

  it('an unknown chain is a usage error with a suggestion; so is an unknown kind', () => {
    const r = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'chain', 'DOCC'], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error unknown-chain');
    expect(r.stderr).toContain('did you mean `DOC`?');
    const k = dokomodo(['-f', 'examples/dev.yaml', 'entrypoint', 'daemon', 'DOC'], { env: ENV });
    expect(k.code).toBe(2);
    expect(k.stderr).toContain('error bad-kind');
  });
});

// ---- the wrapper and the health check with a daemon --------------------------------------------

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

describe.skipIf(!curl)('entrypoint.sh and healthcheck.sh with the devnet komodod', () => {
  let root: string;
  let scripts: string;
  let bin: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    root = temp();
    writeTree(root, render(platformFile('examples/dev.yaml'), ['entrypoint']));
    scripts = path.join(root, 'containers');
    // What the image has on PATH: dokomodo, and the daemon (here the devnet simulator of komodod).
    bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'dokomodo'),
      `#!/bin/sh\nexec "${process.execPath}" "${REPO}/bin/dokomodo.js" "$@"\n`,
      { mode: 0o755 },
    );
    writeFileSync(
      path.join(bin, 'komodod'),
      `#!/bin/sh\nexec "${process.execPath}" "${REPO}/bin/dokomodo-komodod.js" "$@"\n`,
      {
        mode: 0o755,
      },
    );
  });

  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await exited(c);
      }
    }
  });

  async function platformWithDoc(extra = ''): Promise<{ file: string; rpc: number }> {
    const p2p = await freePort();
    const rpc = await freePort();
    const file = path.join(temp(), 'dokomodo.yaml');
    writeFileSync(
      file,
      `version: 1
chains:
  DOC:
    params: { ac_supply: 90000000000, ac_reward: 100000000, ac_cc: 3, ac_staked: 10 }
    ports: { p2p: ${p2p}, rpc: ${rpc}, override: true }
${extra}`,
    );
    return { file, rpc };
  }

  function start(
    file: string,
    data: string,
    secret: string | null = SECRET,
  ): { child: ChildProcess; log: () => string } {
    let log = '';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env['PATH']}`,
      DOKOMODO_FILE: file,
      NO_COLOR: '1',
    };
    if (secret === null) delete env['DOKOMODO_SECRET'];
    else env['DOKOMODO_SECRET'] = secret;
    const child = spawn('sh', [path.join(scripts, 'entrypoint.sh'), 'chain', 'DOC', '--datadir', data], {
      env,
    });
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    children.push(child);
    return { child, log: () => log };
  }

  const health = (mode: string, arg: string) => run('sh', [path.join(scripts, 'healthcheck.sh'), mode, arg]);
  /** Without blocking the event loop: the Iguana simulator runs in this process. */
  const healthAsync = (mode: string, arg: string) =>
    new Promise<number | null>((resolve) => {
      spawn('sh', [path.join(scripts, 'healthcheck.sh'), mode, arg], { stdio: 'ignore' }).on('exit', resolve);
    });

  it('the wrapper execs the daemon in its own place (same PID), the health check passes, SIGTERM stops it', async () => {
    const { file } = await platformWithDoc();
    const data = temp();
    const { child, log } = start(file, data);
    const conf = path.join(data, 'DOC.conf');
    await until('the daemon to answer', () => existsSync(conf) && health('ready', conf).code === 0);
    // The process started as `sh entrypoint.sh` is now the daemon: exec, not a child.
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(`${REPO}/bin/dokomodo-komodod.js`);
    expect(cmdline).toContain('-ac_name=DOC');
    expect(cmdline).toContain(`-datadir=${data}`);
    expect(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim()).not.toBe('sh');
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    expect(health('live', conf).code).toBe(0);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(log()).toContain('dokomodo: exec komodod -ac_name=DOC');
    expectNoSecrets(log());
    // Gone: the health check says so.
    const after = health('live', conf);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('not live');
  });

  it('warm-up: live passes while ready fails; a conf out of step with the daemon is not ready', async () => {
    const { file } = await platformWithDoc('    args: { devnet-warmup: 60 }\n');
    const data = temp();
    start(file, data);
    const conf = path.join(data, 'DOC.conf');
    await until('the RPC server', () => existsSync(conf) && health('live', conf).code === 0);
    const ready = health('ready', conf);
    expect(ready.code).toBe(1);
    expect(ready.stderr).toContain('HTTP 500'); // -28, still warming up

    const { file: file2 } = await platformWithDoc();
    const data2 = temp();
    start(file2, data2);
    const conf2 = path.join(data2, 'DOC.conf');
    await until('the daemon to answer', () => existsSync(conf2) && health('ready', conf2).code === 0);
    writeFileSync(conf2, readFileSync(conf2, 'utf8').replace(/^rpcpassword=.*$/m, 'rpcpassword=wrong'));
    const wrong = health('ready', conf2);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HTTP 401');
    expect(health('live', conf2).code).toBe(0);
  });

  it('without the secret the wrapper stops with dokomodo’s message and exit code, and runs nothing', async () => {
    const { file } = await platformWithDoc();
    const data = temp();
    const { child, log } = start(file, data, null);
    expect(await exited(child)).toBe(1);
    expect(log()).toContain('error secret-missing');
    expect(log()).not.toMatch(/^\s+at /m);
    expect(readdirSync(data)).toEqual([]);
  });

  it('Iguana (devnet simulator) fed the rendered payload reaches the daemon with the derived credentials', async () => {
    const p2p = await freePort();
    const rpc = await freePort();
    const file = path.join(temp(), 'dokomodo.yaml');
    // Iguana on another host reaches KMD at the chain host's address (127.0.0.1 here).
    writeFileSync(
      file,
      `version: 1
hosts:
  chains: { address: 127.0.0.1 }
  notary: { address: 127.0.0.2 }
chains:
  KMD: { host: chains, ports: { p2p: ${p2p}, rpc: ${rpc}, override: true } }
iguana:
  main: { host: notary, coins: [KMD], notaries: dev }
notaries:
  dev: { seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1], list: [{ name: a_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }] }
`,
    );
    const data = temp();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env['PATH']}`,
      DOKOMODO_FILE: file,
      DOKOMODO_SECRET: SECRET,
    };
    const child = spawn('sh', [path.join(scripts, 'entrypoint.sh'), 'chain', 'KMD', '--datadir', data], {
      env,
      stdio: 'ignore',
    });
    children.push(child);
    const conf = path.join(data, 'komodo.conf');
    await until('KMD to answer', () => existsSync(conf) && health('ready', conf).code === 0);

    const igDir = temp();
    const r = dokomodo(['-f', file, 'entrypoint', 'iguana', 'main', '--datadir', igDir, '--per-host'], {
      env: ENV,
    });
    expect(r.code, r.stderr).toBe(0);
    const payload = JSON.parse(readFileSync(path.join(igDir, 'dokomodo/coins/KMD.json'), 'utf8'));
    expect(payload.rpchost).toBe(`127.0.0.1:${rpc}`);

    const iguana = await startIguana({ port: 0 });
    try {
      expect(await healthAsync('iguana', String(iguana.port))).toBe(0);
      const client = new IguanaClient({ port: iguana.port });
      expect(await client.addcoin(payload)).toMatchObject({ result: 'coin added' });
      // walletpassphrase makes Iguana import the notary key into the daemon over RPC.
      const unlocked = await client.walletpassphrase('entrypoint test passphrase for iguana', 60);
      const address = unlocked['KMD'] as string;
      const daemon = rpcClientFromConf(readFileSync(conf, 'utf8'), { host: '127.0.0.1', retry: false });
      try {
        expect(await daemon.call('validateaddress', [address])).toMatchObject({ ismine: true });
      } finally {
        await daemon.close();
      }
    } finally {
      await iguana.close();
    }
    expect(await healthAsync('iguana', String(await freePort()))).toBe(1);
  });
});
