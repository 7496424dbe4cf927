import { freePort } from '../support/ports.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainIdentity } from '../../src/komodo/magic.ts';
import { RpcClient, rpcClientFromConf } from '../../src/operator/rpc/client.ts';
import { tempDir } from './helpers.ts';

// The executable is bundled from source for this test, so it never depends on a stale dist/.
let bundle: string;
const t = tempDir('dk-komodod-');
const children = new Set<ChildProcess>();

beforeAll(async () => {
  bundle = path.join(t.dir, 'komodod.mjs');
  await build({
    entryPoints: ['src/devnet/komodod-main.ts'],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  t.cleanup();
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function komodod(args: string[], home: string): Run {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { ...process.env, HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Polls until `f` returns a value (bounded). */
async function until<T>(f: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const NAME = 'DKEXE';
const PARAMS = ['-ac_supply=777777', '-ac_reward=100000000'];

describe('the komodod executable', () => {
  const home = path.join(t.dir, 'home');
  const datadir = () => path.join(home, '.komodo', NAME);
  const conf = () => path.join(datadir(), `${NAME}.conf`);
  let firstConf = '';
  let firstAddress = '';

  it('writes NAME.conf like komodod on first start, a pid file, and serves RPC until `stop`', async () => {
    mkdirSync(home, { recursive: true });
    const ident = chainIdentity(NAME, { ac_supply: '777777', ac_reward: '100000000' });
    const run = komodod(
      [`-ac_name=${NAME}`, ...PARAMS, '-devnet-blocktime=0', '-addnode=198.51.100.7'],
      home,
    );
    const pidFile = path.join(datadir(), 'komodod.pid');
    await until(() => (existsSync(pidFile) ? true : undefined));
    firstConf = readFileSync(conf(), 'utf8');
    const lines = firstConf.split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^rpcuser=user\d+$/);
    expect(lines[1]).toMatch(/^rpcpassword=pass[0-9a-f]{66}$/);
    expect(lines.slice(2)).toEqual([
      `rpcport=${ident.p2p + 1}`,
      'server=1',
      'txindex=1',
      'rpcworkqueue=256',
      'rpcallowip=127.0.0.1',
      'rpcbind=127.0.0.1',
      '',
    ]);
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(run.child.pid));
    const c = rpcClientFromConf(firstConf, { retry: { deadlineMs: 3000, initialDelayMs: 20 } });
    const info = await c.call<Record<string, unknown>>('getinfo');
    expect(info).toMatchObject({
      name: NAME,
      p2pport: ident.p2p,
      rpcport: ident.p2p + 1,
      magic: ident.magic | 0,
    });
    expect(await c.call('addnode', ['198.51.100.7', 'add']).catch((e) => e.code)).toBe(-23);
    expect(await c.call('devnet_mine', [2])).toHaveLength(2);
    const addr = await c.call<string>('getnewaddress');
    expect(await c.call('stop')).toBe(`${NAME} server stopping`);
    await c.close();
    expect(await run.exit).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expect(readFileSync(path.join(datadir(), 'debug.log'), 'utf8')).toMatch(/dokomodo devnet/);
    firstAddress = addr;
  });

  it('reuses the conf on a second start and keeps wallet and chain; SIGTERM shuts it down cleanly', async () => {
    const run = komodod([`-ac_name=${NAME}`, ...PARAMS, '-devnet-blocktime=0'], home);
    await until(() => (existsSync(path.join(datadir(), 'komodod.pid')) ? true : undefined));
    expect(readFileSync(conf(), 'utf8')).toBe(firstConf);
    const c = rpcClientFromConf(firstConf, { retry: { deadlineMs: 3000, initialDelayMs: 20 } });
    expect(await c.call('getblockcount')).toBe(2);
    expect(await c.call<Record<string, unknown>>('validateaddress', [firstAddress])).toMatchObject({
      ismine: true,
    });
    await c.close();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(existsSync(path.join(datadir(), 'komodod.pid'))).toBe(false);
  });

  it('fails clearly when its RPC port is taken', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const run = komodod([`-ac_name=${NAME}`, ...PARAMS, `-rpcport=${port}`], home);
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toMatch(/Unable to start HTTP server/);
      expect(run.stderr()).toMatch(new RegExp(`${port}.*already in use`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('KMD refuses to start without komodo.conf; -datadir must exist', async () => {
    const kmdHome = path.join(t.dir, 'kmdhome');
    mkdirSync(kmdHome, { recursive: true });
    const kmd = komodod([], kmdHome);
    expect(await kmd.exit).toBe(1);
    expect(kmd.stderr()).toMatch(/komodo\.conf/);
    const missing = komodod([`-ac_name=${NAME}`, `-datadir=${path.join(t.dir, 'nope')}`], home);
    expect(await missing.exit).toBe(1);
    expect(missing.stderr()).toMatch(/Specified data directory ".*nope" does not exist/);
  });

  it('runs KMD from an existing komodo.conf with -datadir, -pubkey and a custom -pid', async () => {
    const dd = path.join(t.dir, 'kmd-dd');
    mkdirSync(dd, { recursive: true });
    const port = await freePort();
    writeFileSync(path.join(dd, 'komodo.conf'), `rpcuser=kmduser\nrpcpassword=kmdpass123\nrpcport=${port}\n`);
    const pubkey = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
    const run = komodod([`-datadir=${dd}`, `-pubkey=${pubkey}`, '-pid=kmd.pid', '-devnet-warmup=0.3'], home);
    await until(() => (existsSync(path.join(dd, 'kmd.pid')) ? true : undefined));
    const c = new RpcClient({
      port,
      user: 'kmduser',
      password: 'kmdpass123',
      retry: { deadlineMs: 3000, initialDelayMs: 50 },
    });
    const info = await c.call<Record<string, unknown>>('getinfo');
    expect(info).toMatchObject({ name: 'KMD', p2pport: 7770, rpcport: port, pubkey });
    expect(info).not.toHaveProperty('magic');
    expect(info).toHaveProperty('interest');
    expect(await c.call('stop')).toBe('Komodo server stopping');
    await c.close();
    expect(await run.exit).toBe(0);
    expect(existsSync(path.join(dd, 'kmd.pid'))).toBe(false);
  });
});
