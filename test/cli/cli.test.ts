import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleYaml } from '../../examples/scale/generate.mjs';
import { dokomodo } from './helpers.ts';

const PASS = 'myverysecretandstrongpassphrase_noneabletobrute';
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const KMD_ADDR = 'RVNKRr2uxPMxJeDwFnTKjdtiLtcs7UzCZn';
const KMD_WIF = 'UtrRXqvRFUAtCrCTRAHPH6yroQKUrrTJRmxt2h5U4QTUN1jCxTAh';
const LTC_WIF = 'T7trfubd9dBEWe3EnFYfj1r1pBueqqCaUUVKKEvLAfQvz3JFsNhs';

describe('dokomodo CLI', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const r = dokomodo(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('--help lists the commands', () => {
    const r = dokomodo(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['validate', 'chains', 'schema', 'keys']) expect(r.stdout).toContain(c);
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const r = dokomodo(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });

  it('validate: a clean file exits 0 with a summary', () => {
    const r = dokomodo(['validate', '-f', 'examples/komodo-mainnet.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok examples\/komodo-mainnet\.yaml: 16 chains, 2 hosts, 2 iguana instances/);
  });

  it('validate: errors as FILE:LINE:COL error CODE: message, with frame and hint, exit 1', () => {
    const r = dokomodo(['validate', '-f', 'test/fixtures/typo.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'test/fixtures/typo.yaml:6:7 error unknown-param: unknown assetchain parameter `ac_suply`',
    );
    expect(r.stderr).toContain('hint: did you mean `ac_supply`?');
    expect(r.stderr).toMatch(/> +6 \| +ac_suply: 1000000/);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it('validate --json', () => {
    const r = dokomodo(['validate', '--json', '-f', 'test/fixtures/typo.yaml']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: false, errors: 1 });
    expect(j.diagnostics[0]).toMatchObject({ code: 'unknown-param', line: 6, col: 7 });
  });

  it('a missing platform file says how to point at one', () => {
    const r = dokomodo(['chains', '-f', 'nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('platform file nope.yaml not found');
    expect(r.stderr).toContain('-f');
  });

  it('chains --json has the documented fields', () => {
    const r = dokomodo(['chains', '--json', '-f', 'examples/komodo-mainnet.yaml']);
    expect(r.code).toBe(0);
    const chains = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const pirate = chains.find((c) => c.name === 'PIRATE')!;
    expect(pirate).toMatchObject({
      name: 'PIRATE',
      p2p: 45452,
      rpc: 45453,
      magic: 397860952,
      netmagic: '58e0b617',
      host: 'nn-main',
    });
    expect(pirate.args).toEqual([
      '-ac_name=PIRATE',
      '-ac_supply=0',
      '-ac_reward=25600000000',
      '-ac_halving=77777',
      '-ac_private=1',
      ...['209.222.101.247', '103.195.100.32', '88.99.212.81', '15.235.204.174', '148.113.1.52'].map(
        (a) => `-addnode=${a}`,
      ),
      ...['65.21.77.109', '89.19.26.211', '89.19.26.212'].map((a) => `-addnode=${a}`),
    ]);
  });

  it('chains --env narrows the list; a table by default', () => {
    const r = dokomodo(['chains', '--env', 'third-party', '-f', 'examples/komodo-mainnet.yaml']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+HOST\s+P2P\s+RPC\s+MAGIC\s+NETMAGIC\s+ARGS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['KMD_3P', 'MCL', 'TOKEL']);
  });

  it('chains --env with an unknown environment: usage error with did-you-mean', () => {
    const r = dokomodo(['chains', '--env', 'prod', '-f', 'examples/komodo-mainnet.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown-environment');
  });

  it('schema prints the committed JSON Schema', () => {
    const r = dokomodo(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('schema/dokomodo.schema.json', 'utf8')));
  });

  it('a reader that goes away early (| head) ends the output quietly: exit 0, no stack trace', () => {
    // 512 chains' JSON is far larger than a pipe's buffer: the CLI is still writing when `head` exits
    const dir = mkdtempSync(join(tmpdir(), 'dokomodo-epipe-'));
    try {
      writeFileSync(join(dir, 'p.yaml'), scaleYaml(512, 4));
      const r = spawnSync(
        'bash',
        [
          '-c',
          `set -o pipefail; node bin/dokomodo.js chains --json -f ${dir}/p.yaml | head -c 10 >/dev/null; echo "rc=$?"`,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('rc=0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dokomodo keys', () => {
  it('derive from stdin: pubkey and addresses, no secrets, passphrase never printed', () => {
    const r = dokomodo(['keys', 'derive', '--passphrase-stdin', '--json'], { input: `${PASS}\n` });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pubkey).toBe(PUBKEY);
    expect(j.coins.KMD).toEqual({ address: KMD_ADDR });
    expect(j.coins.LTC.address).toBe('LfK5cYTTSDoSVSYtxkTVv8dGnqXYZRsn86');
    expect(r.stdout + r.stderr).not.toContain(PASS);
    expect(r.stdout + r.stderr).not.toContain(KMD_WIF);
  });

  it('derive from DOKOMODO_PASSPHRASE with --show-secrets prints WIFs and the private key', () => {
    const r = dokomodo(['keys', 'derive', '--json', '--show-secrets', '--coins', 'KMD,LTC'], {
      env: { DOKOMODO_PASSPHRASE: PASS },
    });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({
      pubkey: PUBKEY,
      privkey: '907ece717a8f94e07de7bf6f8b3e9f91abb8858ebf831072cdbb9016ef53bc5d',
      coins: {
        KMD: { address: KMD_ADDR, wif: KMD_WIF },
        LTC: { address: 'LfK5cYTTSDoSVSYtxkTVv8dGnqXYZRsn86', wif: LTC_WIF },
      },
    });
    expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it('derive with no passphrase source and no terminal: clear error, exit 2', () => {
    const r = dokomodo(['keys', 'derive']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('passphrase-missing');
    expect(r.stderr).toContain('--passphrase-stdin');
  });

  it('derive from an empty stdin or several lines is refused without echoing anything', () => {
    const empty = dokomodo(['keys', 'derive', '--passphrase-stdin'], { input: '\n' });
    expect([empty.code, empty.stderr.includes('passphrase-empty')]).toEqual([2, true]);
    const multi = dokomodo(['keys', 'derive', '--passphrase-stdin'], { input: `${PASS}\nsecond line\n` });
    expect([multi.code, multi.stderr.includes('passphrase-multiline')]).toEqual([2, true]);
    expect(multi.stdout + multi.stderr).not.toContain(PASS);
    expect(multi.stdout + multi.stderr).not.toContain('second line');
  });

  it('derive: a passphrase given as an argument is refused', () => {
    const r = dokomodo(['keys', 'derive', PASS]);
    expect(r.code).toBe(2);
  });

  it('convert a KMD WIF to LTC (from stdin)', () => {
    const r = dokomodo(['keys', 'convert', '--to', 'LTC'], { input: `${KMD_WIF}\n` });
    expect(r).toMatchObject({ code: 0, stdout: `${LTC_WIF}\n` });
  });

  it('convert: a broken WIF is a clear error that does not echo it', () => {
    const broken = `${KMD_WIF.slice(0, -1)}x`;
    const r = dokomodo(['keys', 'convert', broken, '--to', 'LTC']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WIF is not valid');
    expect(r.stderr).not.toContain(broken);
  });

  it('convert: unknown target coin', () => {
    const r = dokomodo(['keys', 'convert', KMD_WIF, '--to', 'DOGE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown-coin');
  });
});

describe('the hidden passphrase prompt (a real pseudo-terminal via script(1))', () => {
  it('asks on the terminal, does not echo, derives the same key', async () => {
    const { spawn } = await import('node:child_process');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['DOKOMODO_PASSPHRASE'];
    const child = spawn(
      'script',
      ['-qec', `${process.execPath} bin/dokomodo.js keys derive --coins KMD`, '/dev/null'],
      { env },
    );
    let out = '';
    let sent = false;
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!sent && out.includes('passphrase:')) {
        sent = true;
        child.stdin.write(`${PASS}\r`);
      }
    });
    const timer = setTimeout(() => child.kill(), 15_000);
    const code = await done;
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(out).toContain(PUBKEY);
    expect(out).toContain(KMD_ADDR);
    expect(out).not.toContain(PASS);
  });
});

describe('docs/commands.md', () => {
  it('names every command the CLI has', () => {
    const doc = readFileSync('docs/commands.md', 'utf8');
    const top = dokomodo(['--help']).stdout;
    const names = [...top.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThan(12);
    expect(names.filter((n) => !doc.includes(`\`${n}`))).toEqual([]);
  });
});
