import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execWord } from '../../src/compiler/renderers/systemd.ts';
import { compile } from '../../src/compiler/compile.ts';
import { selectEnvironment } from '../../src/platform/select.ts';
import { haveTool, platformOf, platformText, render } from './helpers.ts';

/** The example platforms with every binary pointing at a file that exists, as verify requires. */
function withBinaries(file: string): string {
  const text = readFileSync(file, 'utf8');
  const bins =
    '  binaries: { komodod: /usr/bin/true, komodo-cli: /usr/bin/true, iguana: /usr/bin/true, litecoind: /usr/bin/true, litecoin-cli: /usr/bin/true, marmarad: /usr/bin/true, marmara-cli: /usr/bin/true, tokeld: /usr/bin/true, tokel-cli: /usr/bin/true, dokomodo: /usr/bin/true }\n';
  return text.replace(/^ {2}binaries:\n(?: {4}.*\n)+/m, '').replace(/^defaults:\n/m, `defaults:\n${bins}`);
}

describe.skipIf(!haveTool('/usr/bin/systemd-analyze'))('systemd-analyze verify', () => {
  for (const file of ['examples/dev.yaml', 'examples/komodo-mainnet.yaml']) {
    it(`every unit of ${file} verifies (system and user scope)`, () => {
      const units = render(platformText(withBinaries(file)), ['systemd']);
      expect(units.length).toBeGreaterThan(4);
      const dir = mkdtempSync(join(tmpdir(), 'dokomodo-units-'));
      const runtime = join(dir, 'runtime');
      mkdirSync(runtime, { mode: 0o700 });
      for (const scope of ['system', 'user'] as const) {
        mkdirSync(join(dir, scope));
        const paths = units
          .filter((u) => u.path.includes(`/systemd/${scope}/`))
          .map((u) => {
            const p = join(dir, scope, u.path.split('/').pop()!);
            writeFileSync(p, u.content);
            return p;
          });
        const args =
          scope === 'user' ? ['--user', 'verify', '--man=no', ...paths] : ['verify', '--man=no', ...paths];
        const r = spawnSync('systemd-analyze', args, {
          encoding: 'utf8',
          env: { ...process.env, XDG_RUNTIME_DIR: runtime },
        });
        expect({ scope, status: r.status, stderr: r.stderr.trim() }).toEqual({
          scope,
          status: 0,
          stderr: '',
        });
      }
    });
  }
});

describe('systemd units', () => {
  const units = render(platformText(withBinaries('examples/komodo-mainnet.yaml')), ['systemd']);
  const unit = (name: string) => units.find((u) => u.path.endsWith(`/system/${name}`))!.content;
  it('run komodod with the computed arguments, as the host user, with limits and restart', () => {
    const u = unit('dokomodo-chain-PIRATE.service');
    expect(u).toContain(
      'ExecStart=/usr/bin/true -ac_name=PIRATE -ac_supply=0 -ac_reward=25600000000 -ac_halving=77777 -ac_private=1 -addnode=209.222.101.247',
    );
    expect(u).toContain('User=notary\n');
    expect(u).toContain('LimitNOFILE=65536\n');
    expect(u).toContain('Restart=on-failure\n');
    expect(u).toContain('NoNewPrivileges=yes\n');
  });
  it('a chain with its own daemon (MCL on marmarad, TOKEL on tokeld) runs that build', () => {
    const own = render(platformText(readFileSync('examples/komodo-mainnet.yaml', 'utf8')), ['systemd']);
    const of = (name: string) => own.find((u) => u.path.endsWith(`/system/${name}`))!.content;
    expect(of('dokomodo-chain-MCL.service')).toMatch(
      /^ExecStart=\/home\/notary\/marmara\/src\/marmarad -ac_name=MCL /m,
    );
    expect(of('dokomodo-chain-MCL.service')).toMatch(
      /^ExecStop=.* \/home\/notary\/marmara\/src\/komodo-cli -ac_name=MCL$/m,
    );
    expect(of('dokomodo-chain-MCL.service')).toContain('Description=marmarad MCL (dokomodo)');
    expect(of('dokomodo-chain-TOKEL.service')).toMatch(
      /^ExecStart=\/home\/notary\/tokel\/src\/tokeld -ac_name=TOKEL /m,
    );
    expect(of('dokomodo-chain-KMD.service')).toMatch(
      /^ExecStart=\/home\/notary\/komodo\/src\/komodod -minrelaytxfee=/m,
    );
  });

  it('stop through RPC first, then wait for the process, signals only after the timeout', () => {
    const u = unit('dokomodo-chain-PIRATE.service');
    expect(u).toMatch(
      /^ExecStop=\/bin\/sh -c ".*stop.*while kill -0.*MAINPID.*" \/usr\/bin\/true -ac_name=PIRATE$/m,
    );
    expect(u).toContain('TimeoutStopSec=120\n');
  });
  it('Iguana starts after and stops before the chains on its host', () => {
    const u = unit('dokomodo-iguana-main.service');
    expect(u).toMatch(
      /^After=.*dokomodo-chain-KMD\.service.*dokomodo-chain-THC\.service dokomodo-chain-GLEEC_OLD\.service$/m,
    );
    expect(u).toContain('WorkingDirectory=/home/notary/dPoW/iguana\n');
    const p3 = units.find((x) => x.path.endsWith('/system/dokomodo-iguana-3p.service'))!.content;
    expect(p3).toContain('ExecStart=/usr/bin/stdbuf -oL /usr/bin/true 3rd_party\n');
  });
  it('Iguana’s output goes line-buffered to iguana.log in its working directory (the monitor tails it)', () => {
    const u = unit('dokomodo-iguana-main.service');
    expect(u).toContain('ExecStart=/usr/bin/stdbuf -oL /usr/bin/true notary\n');
    expect(u).toContain('StandardOutput=append:/home/notary/dPoW/iguana/iguana.log\n');
    expect(u).toContain('StandardError=inherit\n');
    const user = units.find((x) => x.path.endsWith('/user/dokomodo-iguana-main.service'))!.content;
    expect(user).toContain('StandardOutput=append:/home/notary/dPoW/iguana/iguana.log\n');
  });
  it('the monitor runs on the monitor host only, with its settings, and no secret in the unit', () => {
    const monitors = units.filter((u) => u.path.endsWith('/dokomodo-monitor.service')).map((u) => u.path);
    expect(monitors.sort()).toEqual([
      'hosts/nn-main/systemd/system/dokomodo-monitor.service',
      'hosts/nn-main/systemd/user/dokomodo-monitor.service',
    ]);
    const u = unit('dokomodo-monitor.service');
    expect(u).toContain(
      'ExecStart=/usr/bin/true -f /home/notary/.dokomodo/monitor/platform/test.yaml monitor --listen 203.0.113.10:9710 --interval 30 --state-dir /home/notary/.dokomodo --as-host nn-main\n',
    );
    expect(u).toContain('EnvironmentFile=/home/notary/.dokomodo/monitor/monitor.env\n');
    expect(u).toContain('ConditionPathExists=/home/notary/.dokomodo/monitor/monitor.env\n');
    expect(u).toContain('User=notary\n');
    expect(u).not.toMatch(/DOKOMODO_SECRET|DOKOMODO_MONITOR_TOKEN|Environment=/);
    const example = units.find((x) => x.path === 'hosts/nn-main/monitor/monitor.env.example')!;
    expect(example.mode).toBe(0o600);
    expect(example.content).toMatch(/^DOKOMODO_MONITOR_TOKEN=$/m);
    expect(example.content).toMatch(/^DOKOMODO_SECRET=$/m);
  });
  it('the monitor’s env file lists every channel secret read from the environment, and the files', () => {
    const p = platformText(`version: 1
secret: { file: secret.txt }
chains:
  DOC: { params: { ac_supply: 1000 } }
alerts:
  channels:
    tg: { type: telegram, token: { env: TG_TOKEN }, chat: "123" }
    hook: { type: webhook, url: { env: HOOK_URL } }
    plain: { type: webhook, url: "http://127.0.0.1:9/x" }
  heartbeat: { url: { file: hb.txt } }
`);
    const all = render(p, ['systemd']);
    const example = all.find((x) => x.path === 'hosts/local/monitor/monitor.env.example')!.content;
    expect(example.match(/^[A-Z_]+=$/gm)).toEqual(['DOKOMODO_MONITOR_TOKEN=', 'TG_TOKEN=', 'HOOK_URL=']);
    expect(example).toContain('#   secret.txt: the platform secret');
    expect(example).toContain('#   hb.txt: the heartbeat url');
    const u = all.find((x) => x.path === 'hosts/local/systemd/user/dokomodo-monitor.service')!.content;
    // no hosts: this machine, loopback, no --as-host; %h is the user manager's home
    expect(u).toContain(
      'ExecStart=dokomodo -f %h/.dokomodo/monitor/platform/test.yaml monitor --listen 127.0.0.1:9710 --interval 30 --state-dir %h/.dokomodo\n',
    );
  });
  it('the rendered tree ships the platform file’s copy for the monitor host (render with sources)', () => {
    const p = platformOf('examples/dev.yaml');
    const text = readFileSync('examples/dev.yaml', 'utf8');
    const all = compile(p, selectEnvironment(p, 'minimal'), {
      secret: 'test-secret-0123456789abcdef',
      targets: ['systemd'],
      sources: { 'dev.yaml': text },
    });
    expect(all.find((a) => a.path === 'hosts/local/monitor/platform/dev.yaml')?.content).toBe(text);
    const u = all.find((a) => a.path === 'hosts/local/systemd/user/dokomodo-monitor.service')!.content;
    expect(u).toMatch(/ -e minimal monitor --listen 127\.0\.0\.1:9710 .* --as-host local\n/);
  });
  it('escapes specifiers and quotes words with spaces', () => {
    expect(execWord('50%')).toBe('50%%');
    expect(execWord('$HOME')).toBe('$$HOME');
    expect(execWord('a b')).toBe('"a b"');
  });
});
