/**
 * `recover --rehearse`: the recovery of a host whose real address is far away (and unreachable
 * here) is rehearsed on this machine against the devnet — same phases, each timed, ending
 * verified — in a throw-away directory that is removed afterwards, with no daemon left running,
 * nothing written to ~/.dokomodo, no passphrase asked. A port already taken here refuses it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dokomodo } from '../cli/helpers.ts';
import { freePort } from '../support/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'dk-rehearse-'));
const home = join(dir, 'home');
const env = { HOME: home, DOKOMODO_SECRET: 'rehearse-test-secret-0123456789', TMPDIR: dir };

async function platform(): Promise<{ file: string; kmdRpc: number }> {
  const kmdRpc = await freePort();
  const file = join(dir, `dokomodo-${kmdRpc}.yaml`);
  writeFileSync(
    file,
    `version: 1
hosts:
  nn: { address: 198.51.100.77, ssh: { user: notary }, roles: [chains, iguana] }
  other: { address: 198.51.100.78, ssh: { user: notary }, roles: [chains, iguana] }
chains:
  KMD: { host: nn, ports: { p2p: ${await freePort()}, rpc: ${kmdRpc}, override: true } }
  RHRA: { host: nn, params: { ac_supply: 71931 } }
  RHRB: { host: other, params: { ac_supply: 71932 } }
iguana:
  main: { host: nn, port: ${await freePort()}, coins: [KMD, RHRA, RHRB], notaries: season8 }
  other: { host: other, port: ${await freePort()}, coins: [KMD, RHRB], notaries: season8 }
notaries:
  season8: { season: 8 }
`,
  );
  return { file, kmdRpc };
}

const rehearsalDir = (stderr: string) => /rehearsal of recover --host nn in (\S+)/.exec(stderr)?.[1];

describe('recover --rehearse', () => {
  it('runs every phase here against the devnet, verifies, and leaves nothing behind', async () => {
    const { file } = await platform();
    const r = dokomodo(['recover', '--host', 'nn', '--rehearse', '--json', '-f', file], {
      env,
      timeoutMs: 120_000,
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const j = JSON.parse(r.stdout) as {
      host: string;
      ok: boolean;
      phases: { phase: string; state: string; durationMs: number; summary: string }[];
      verify: { ok: boolean; chains: { chain: string; state: string; ismine: boolean }[] };
    };
    expect(j.host).toBe('nn (rehearsal)');
    expect(j.phases.map((p) => [p.phase, p.state])).toEqual([
      ['fence', 'done'],
      ['deploy', 'done'],
      ['chains', 'done'],
      ['keys', 'done'],
      ['iguana', 'done'],
      ['utxo', 'done'],
      ['verify', 'done'],
    ]);
    for (const p of j.phases) expect(p.durationMs).toBeGreaterThanOrEqual(0);
    expect(j.phases[0]!.summary).toBe('no other host where an Iguana could run');
    // Every coin of nn's Iguana runs in the rehearsal, RHRB (another host's chain) included.
    expect(j.verify.chains.map((c) => [c.chain, c.state, c.ismine])).toEqual([
      ['KMD', 'running', true],
      ['RHRA', 'running', true],
      ['RHRB', 'running', true],
    ]);
    expect(j.phases.find((p) => p.phase === 'utxo')!.summary).toBe(
      '3 consolidated first, 3 split, 0 not due',
    );
    const where = rehearsalDir(r.stderr);
    expect(where).toBeDefined();
    expect(existsSync(where!)).toBe(false);
    expect(existsSync(join(home, '.dokomodo'))).toBe(false);
    const left = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l.includes(where!));
    expect(left).toEqual([]);
  }, 120_000);

  it('--keep keeps the directory (daemons stopped); a port taken here refuses the rehearsal', async () => {
    const { file, kmdRpc } = await platform();
    const kept = dokomodo(['recover', '--host', 'nn', '--rehearse', '--keep', '-f', file], {
      env,
      timeoutMs: 120_000,
    });
    expect(kept.code, `${kept.stdout}\n${kept.stderr}`).toBe(0);
    expect(kept.stdout).toMatch(/recovered in \d+\.\d s/);
    const where = rehearsalDir(kept.stderr)!;
    expect(readdirSync(where).sort()).toEqual(['chains', 'iguana', 'out', 'state', 'utxo']);
    expect(kept.stderr).toContain(`rehearsal kept in ${where}`);

    const srv = createServer();
    await new Promise<void>((res) => srv.listen(kmdRpc, '127.0.0.1', () => res()));
    try {
      const busy = dokomodo(['recover', '--host', 'nn', '--rehearse', '-f', file], {
        env,
        timeoutMs: 60_000,
      });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`error rehearse-port-busy: .*KMD rpc ${kmdRpc}`));
    } finally {
      srv.close();
    }
  }, 180_000);
});
