import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execWord } from '../../src/compiler/renderers/systemd.ts';
import { haveTool, platformText, render } from './helpers.ts';

/** The example platforms with every binary pointing at a file that exists, as verify requires. */
function withBinaries(file: string): string {
  const text = readFileSync(file, 'utf8');
  const bins =
    '  binaries: { komodod: /usr/bin/true, komodo-cli: /usr/bin/true, iguana: /usr/bin/true, litecoind: /usr/bin/true, litecoin-cli: /usr/bin/true, marmarad: /usr/bin/true, marmara-cli: /usr/bin/true, tokeld: /usr/bin/true, tokel-cli: /usr/bin/true }\n';
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
    expect(u).toContain('ExecStart=/usr/bin/true notary\n');
    expect(u).toContain('WorkingDirectory=/home/notary/dPoW/iguana\n');
    const p3 = units.find((x) => x.path.endsWith('/system/dokomodo-iguana-3p.service'))!.content;
    expect(p3).toContain('ExecStart=/usr/bin/true 3rd_party\n');
  });
  it('escapes specifiers and quotes words with spaces', () => {
    expect(execWord('50%')).toBe('50%%');
    expect(execWord('$HOME')).toBe('$$HOME');
    expect(execWord('a b')).toBe('"a b"');
  });
});
