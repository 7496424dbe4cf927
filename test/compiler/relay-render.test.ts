/**
 * `via: relay` in the render: Iguana's payload for a chain of a relayed host says
 * `rpchost: 127.0.0.1:RPC` (the Iguana host's relay tunnel), the chain's conf listens on loopback
 * only, and both hosts get the relay's systemd unit (verified by systemd-analyze). A chain of a
 * `direct` host keeps its host's address and a conf opened to the Iguana host.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { relayNeeds } from '../../src/compiler/renderers/relay-service.ts';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { relayHost, relayPlan } from '../../src/relay/service.ts';
import { haveTool, platformText, render, SECRET } from './helpers.ts';
import { RELAY_PLATFORM } from './relay-fixture.ts';

const platform = platformText(RELAY_PLATFORM);
const doc = platform.chains.find((c) => c.name === 'DOC')!;
const marty = platform.chains.find((c) => c.name === 'MARTY')!;
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function confLines(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe('via: relay in the iguana and conf targets', () => {
  const arts = render(platform, ['iguana', 'conf']);
  const payload = (sym: string) =>
    JSON.parse(arts.find((a) => a.path.endsWith(`/coins/${sym}.json`))!.content) as Record<string, unknown>;
  const conf = (name: string) => arts.find((a) => a.path.endsWith(`/${name}.conf`))!.content;

  it('the payload of a relayed chain names the tunnel on 127.0.0.1, with the derived userpass', () => {
    const creds = rpcCredentials(SECRET, 'DOC');
    expect(payload('DOC')['rpchost']).toBe(`127.0.0.1:${doc.rpc}`);
    expect(payload('DOC')['userpass']).toBe(`${creds.user}:${creds.password}`);
    // direct: the chain host's address; local: no rpchost at all
    expect(payload('MARTY')['rpchost']).toBe(`203.0.113.12:${marty.rpc}`);
    expect(payload('KMD')['rpchost']).toBeUndefined();
  });

  it('the relayed chain listens on loopback only; the direct one opens RPC to the Iguana host', () => {
    expect(confLines(conf('DOC'), 'rpcbind')).toEqual(['127.0.0.1']);
    expect(confLines(conf('DOC'), 'rpcallowip')).toEqual(['127.0.0.1']);
    expect(confLines(conf('MARTY'), 'rpcbind')).toEqual(['0.0.0.0']);
    expect(confLines(conf('MARTY'), 'rpcallowip')).toEqual(['127.0.0.1', '203.0.113.10']);
  });

  it("the rpchost port is the one the Iguana host's relay opens its tunnel listener on", () => {
    const plan = relayPlan(platform, relayHost(platform, 'ig'));
    const tunnel = plan.tunnels.find((t) => t.name === 'DOC')!;
    expect(`127.0.0.1:${tunnel.listenPort}`).toBe(payload('DOC')['rpchost']);
    expect(tunnel.peer).toEqual({ host: '203.0.113.11', port: 7791 });
    // and the far relay serves that port
    expect(relayPlan(platform, relayHost(platform, 'ch')).chainPorts.get(doc.rpc)).toBe('DOC');
  });

  it('without via: relay nothing changes (the same platform with ch direct)', () => {
    const direct = platformText(RELAY_PLATFORM.replace(' via: relay,', ''));
    const a = render(direct, ['iguana', 'conf']);
    const p = JSON.parse(a.find((x) => x.path.endsWith('/coins/DOC.json'))!.content);
    expect(p.rpchost).toBe(`203.0.113.11:${doc.rpc}`);
    expect(relayNeeds(direct, direct.chains)).toEqual([]);
  });
});

describe('relay hosts', () => {
  it('the chain host serves, the Iguana host reaches; a direct host has no relay', () => {
    expect(relayNeeds(platform, platform.chains)).toEqual([
      { host: 'ig', serves: [], reaches: ['DOC'], iguana: ['main'] },
      { host: 'ch', serves: ['DOC'], reaches: [], iguana: [] },
    ]);
    // a selection without the relayed chain needs no relay
    expect(relayNeeds(platform, [marty])).toEqual([]);
  });
});

describe('the relay systemd unit', () => {
  const units = render(platform, ['systemd']);
  const unit = (host: string, scope: string) =>
    units.find((u) => u.path === `hosts/${host}/systemd/${scope}/dokomodo-relay.service`)?.content;

  it('is rendered on ig and ch (both scopes), not on ch2', () => {
    const paths = units.filter((u) => u.path.endsWith('/dokomodo-relay.service')).map((u) => u.path);
    expect(paths.sort()).toEqual([
      'hosts/ch/systemd/system/dokomodo-relay.service',
      'hosts/ch/systemd/user/dokomodo-relay.service',
      'hosts/ig/systemd/system/dokomodo-relay.service',
      'hosts/ig/systemd/user/dokomodo-relay.service',
    ]);
  });

  it('runs dokomodo relay with the files of ~/.dokomodo/relay on the host, never their contents', () => {
    const u = unit('ch', 'system')!;
    expect(u).toContain(
      'ExecStart=/usr/bin/true -f /home/notary/.dokomodo/relay/platform/test.yaml relay --host ch --certs /home/notary/.dokomodo/relay --tokens /home/notary/.dokomodo/relay/relay.tokens --audit /home/notary/.dokomodo/relay/audit.log\n',
    );
    expect(u).toContain('User=notary\n');
    expect(u).toContain('ConditionPathExists=/home/notary/.dokomodo/relay/ch.pem\n');
    expect(u).toContain('After=dokomodo-chain-DOC.service\n');
    expect(u).not.toMatch(/BEGIN|PRIVATE|sha256/);
    // the Iguana host's relay starts before its Iguana: the tunnel listeners must be there
    const ig = unit('ig', 'user')!;
    expect(ig).toContain('Before=dokomodo-iguana-main.service\n');
    expect(ig).toContain('ExecReload=/bin/kill -HUP $MAINPID\n');
    expect(ig).not.toContain('User=');
  });

  it.skipIf(!haveTool('/usr/bin/systemd-analyze'))(
    'systemd-analyze verify accepts every unit of both hosts, relay included',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'dokomodo-relay-units-'));
      temps.push(dir);
      const runtime = join(dir, 'runtime');
      mkdirSync(runtime, { mode: 0o700 });
      for (const scope of ['system', 'user'] as const) {
        for (const host of ['ig', 'ch']) {
          const d = join(dir, scope, host);
          mkdirSync(d, { recursive: true });
          const paths = units
            .filter((u) => u.path.startsWith(`hosts/${host}/systemd/${scope}/`))
            .map((u) => {
              const p = join(d, u.path.split('/').pop()!);
              writeFileSync(p, u.content);
              return p;
            });
          expect(paths.some((p) => p.endsWith('dokomodo-relay.service'))).toBe(true);
          const args = [...(scope === 'user' ? ['--user'] : []), 'verify', '--man=no', ...paths];
          const r = spawnSync('systemd-analyze', args, {
            encoding: 'utf8',
            env: { ...process.env, XDG_RUNTIME_DIR: runtime },
          });
          expect({ scope, host, status: r.status, stderr: r.stderr.trim() }).toEqual({
            scope,
            host,
            status: 0,
            stderr: '',
          });
        }
      }
    },
  );
});

describe('the ansible firewall with via: relay', () => {
  const arts = render(platform, ['ansible']);
  const rpcFrom = (host: string) =>
    (
      parse(arts.find((a) => a.path === `ansible/host_vars/${host}.yml`)!.content) as {
        dokomodo_firewall: {
          rpc_from: Array<{ port: number; from: string }>;
          closed: Array<{ port: number }>;
        };
      }
    ).dokomodo_firewall;

  it("opens the relay's tunnel port to the Iguana host instead of the chain's RPC port", () => {
    const ch = rpcFrom('ch');
    expect(ch.rpc_from.map((r) => [r.port, r.from])).toEqual([[7791, '203.0.113.10']]);
    expect(ch.closed.map((c) => c.port)).toContain(doc.rpc);
    expect(rpcFrom('ch2').rpc_from.map((r) => [r.port, r.from])).toEqual([[marty.rpc, '203.0.113.10']]);
  });
});
