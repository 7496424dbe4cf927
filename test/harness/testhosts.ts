/**
 * Throw-away SSH hosts on loopback for tests (wraps testhosts.sh). Needs root, sshd and unshare;
 * `testHostsUnavailable()` says why not when something is missing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, 'testhosts.sh');
/** Bound for `up` (0.3 s per host is typical) and `down`. */
const SCRIPT_TIMEOUT_MS = 60_000;

export interface TestHost {
  /** `th1`, `th2`, …: the hostname inside its UTS namespace. */
  name: string;
  /** The Unix user that logs in (and owns the home). */
  user: string;
  /** 127.0.0.2, 127.0.0.3, … */
  address: string;
  port: number;
  home: string;
}

export interface TestHosts {
  dir: string;
  hosts: TestHost[];
  /** Private key accepted by every host. */
  key: string;
  knownHosts: string;
  /** Ends the hosts' processes, removes their users and the state directory. Safe to call twice. */
  down(): void;
}

/** Why test hosts cannot be started here, or undefined when they can. */
export function testHostsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'test hosts need root (they create users and start sshd)';
  if (!existsSync('/usr/sbin/sshd')) return '/usr/sbin/sshd is missing (apt-get install openssh-server)';
  if (spawnSync('unshare', ['--version']).status !== 0) return 'unshare is missing (util-linux)';
  return undefined;
}

function listenOnce(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: address, port, exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

/** A high port free on every one of `addresses` right now. */
async function freePort(addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(addresses[0]!, 0);
    try {
      for (const a of addresses.slice(1)) await listenOnce(a, port);
      return port;
    } catch {
      // Taken on another address: try another one.
    }
  }
  throw new Error(`no port free on all of ${addresses.join(', ')}`);
}

function script(dir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync('bash', [SCRIPT, ...args], {
    env: { ...process.env, TESTHOSTS_DIR: dir, ...env },
    encoding: 'utf8',
    timeout: SCRIPT_TIMEOUT_MS,
  });
}

/** Starts `count` hosts (127.0.0.2…) with a fresh state directory, port and user names. */
export async function upTestHosts(count: number): Promise<TestHosts> {
  const why = testHostsUnavailable();
  if (why) throw new Error(why);
  // mkdtemp gives a unique name; the script wants to create the directory itself.
  const dir = mkdtempSync(join(tmpdir(), 'dokomodo-th-'));
  rmdirSync(dir);
  const addresses = Array.from({ length: count }, (_, i) => `127.0.0.${2 + i}`);
  const port = await freePort(addresses);
  // Random per run: no clash with another run's users.
  const prefix = `dk${randomBytes(4).toString('hex')}h`;
  const down = () => {
    if (!existsSync(dir)) return;
    const r = script(dir, ['down']);
    if (r.status !== 0) throw new Error(`testhosts down failed: ${r.stderr || r.error?.message}`);
  };
  const r = script(dir, ['up', String(count)], { TESTHOSTS_PORT: String(port), TESTHOSTS_PREFIX: prefix });
  if (r.status !== 0) {
    down();
    throw new Error(`testhosts up failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
  }
  const hosts = JSON.parse(readFileSync(join(dir, 'hosts.json'), 'utf8')) as TestHost[];
  return { dir, hosts, key: join(dir, 'id_ed25519'), knownHosts: join(dir, 'known_hosts'), down };
}

/** A test host's `ssh:` entry for a platform file (flow style): its user and port, the hosts' key and known_hosts. */
export function sshYaml(th: TestHosts, h: Pick<TestHost, 'user' | 'port'>): string {
  return `{ user: ${h.user}, port: ${h.port}, key: ${th.key}, known_hosts: ${th.knownHosts} }`;
}

/** A test host's entry under `hosts:` (flow style): address, ssh and home, then `rest` (roles, via, …). */
export function hostYaml(th: TestHosts, h: TestHost, rest: string): string {
  return `{ address: ${h.address}, ssh: ${sshYaml(th, h)}, home: ${h.home}, ${rest} }`;
}
