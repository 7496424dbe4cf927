/**
 * `dokomodo keys import` against ten devnet chain processes over real sockets: import, an
 * idempotent rerun, a chain down in the middle, malformed passphrase sources, and a daemon whose
 * error echoes the WIF. Every CLI run's output is scanned for the passphrases, keys and WIFs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { cli, freePort, killLeftovers, secretsOf } from './helpers.ts';

const PASS = 'notary test passphrase one — never for real coins';
const PASS2 = 'notary test passphrase two — never for real coins';
const PASS3 = 'notary test passphrase three — never for real coins';
const SECRETS = secretsOf([PASS, PASS2, PASS3]);
const key = (p: string) => deriveKeys(p, [KMD]);
const ADDR = key(PASS).coins['KMD']!.address;
const ADDR2 = key(PASS2).coins['KMD']!.address;
const ADDR3 = key(PASS3).coins['KMD']!.address;

const SECRET = 'notary-keys-test-secret-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'dokomodo-keys-'));
const data = join(dir, 'data');
const names = Array.from({ length: 10 }, (_, i) => `NTKY${String(i).padStart(2, '0')}`);
const file = join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
defaults: { start: { concurrency: 10, timeout: 30s }, stop: { timeout: 10s } }
chains:
${names.map((n, i) => `  ${n}: { params: { ac_supply: ${41000 + 13 * i} } }`).join('\n')}
environments:
  ten: { chains: [${names.join(', ')}] }
`,
);
const env = { DOKOMODO_SECRET: SECRET, HOME: dir };
const run = (args: string[], input?: string, extra: Record<string, string | undefined> = {}) =>
  cli([...args, '-f', file], {
    env: { ...env, ...extra },
    secrets: SECRETS,
    ...(input !== undefined ? { input } : {}),
  });

interface ImportJson {
  pubkey: string;
  results: Array<{
    chain: string;
    ok: boolean;
    state: string;
    address: string;
    error?: { code: string; message: string; hint?: string };
  }>;
  summary: { imported: number; already: number; failed: number; total: number };
}

async function ismine(address: string, target = 'ten'): Promise<Record<string, boolean>> {
  const r = await run(['rpc', target, 'validateaddress', address, '--json']);
  const list = JSON.parse(r.stdout) as Array<{ chain: string; ok: boolean; result?: { ismine: boolean } }>;
  return Object.fromEntries(list.map((x) => [x.chain, x.ok && x.result!.ismine === true]));
}

describe('keys import on ten devnet chains', () => {
  beforeAll(async () => {
    const r = await run(['start', '--devnet', '--datadir', data, 'ten']);
    expect(r.stdout + r.stderr).toContain('start: 10 ok, 0 failed');
  }, 120_000);
  afterAll(async () => {
    await run(['stop', '--datadir', data]).catch(() => undefined);
    killLeftovers(data, names);
  }, 60_000);

  it('imports the key into every wallet, without a rescan', async () => {
    expect(Object.values(await ismine(ADDR)).some(Boolean)).toBe(false);
    const r = await run(['keys', 'import', 'ten', '--passphrase-stdin', '--json'], `${PASS}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ImportJson;
    expect(out.pubkey).toBe(key(PASS).pubkey);
    expect(out.results.map((x) => [x.chain, x.state, x.address])).toEqual(
      names.map((n) => [n, 'imported', ADDR]),
    );
    expect(out.summary).toEqual({ imported: 10, already: 0, failed: 0, total: 10 });
    expect(Object.values(await ismine(ADDR)).every(Boolean)).toBe(true);
  });

  it('a rerun changes nothing: every chain already holds the key', async () => {
    const r = await run(['keys', 'import', '--json'], undefined, { DOKOMODO_PASSPHRASE: PASS });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as ImportJson;
    expect(out.results.map((x) => x.state)).toEqual(names.map(() => 'already'));
    expect(out.summary).toEqual({ imported: 0, already: 10, failed: 0, total: 10 });
    const text = await run(['keys', 'import', 'ten'], undefined, { DOKOMODO_PASSPHRASE: PASS });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/· NTKY00 already there R\w+/);
    expect(text.stdout).toContain('keys import: 0 imported, 10 already there, 0 failed');
  });

  it('a chain down in the middle is reported; the others are imported; exit 1', async () => {
    const pid = Number(readFileSync(join(data, 'NTKY05', 'komodod.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r = await run(['keys', 'import', 'ten', '--passphrase-stdin', '--json'], `${PASS2}\n`);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as ImportJson;
    const failed = out.results.filter((x) => !x.ok);
    expect(failed.map((x) => [x.chain, x.error!.code])).toEqual([['NTKY05', 'rpc-transport']]);
    expect(failed[0]!.error!.hint).toContain('dokomodo start');
    expect(out.results.filter((x) => x.ok).map((x) => x.state)).toEqual(names.slice(1).map(() => 'imported'));
    const text = await run(['keys', 'import', 'ten', '--passphrase-stdin'], `${PASS2}\n`);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /✗ NTKY05 failed: rpc-transport: NTKY05: validateaddress: connection refused/,
    );
    expect(text.stdout).toContain('keys import: 0 imported, 9 already there, 1 failed');

    const started = await run(['start', '--devnet', '--datadir', data, 'NTKY05']);
    expect(started.code).toBe(0);
    const again = await run(['keys', 'import', 'ten', '--passphrase-stdin', '--json'], `${PASS2}\n`);
    expect(again.code).toBe(0);
    const out2 = JSON.parse(again.stdout) as ImportJson;
    expect(out2.results.filter((x) => x.state === 'imported').map((x) => x.chain)).toEqual(['NTKY05']);
    expect(out2.summary.already).toBe(9);
    expect(Object.values(await ismine(ADDR2)).every(Boolean)).toBe(true);
  }, 60_000);

  it('malformed passphrase sources: clear codes, exit 2, nothing echoed, nothing imported', async () => {
    const empty = await run(['keys', 'import', '--passphrase-stdin'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/error passphrase-empty: /);

    const multi = await run(['keys', 'import', '--passphrase-stdin'], `${PASS3}\nsecond line of it\n`);
    expect(multi.code).toBe(2);
    expect(multi.stderr).toMatch(/error passphrase-multiline: standard input holds more than one line/);
    expect(multi.stderr + multi.stdout).not.toContain('second line of it');

    const none = await run(['keys', 'import']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/error passphrase-missing: no passphrase given and there is no terminal/);
    expect(none.stderr).toContain('--passphrase-stdin');

    const blankEnv = await run(['keys', 'import'], undefined, { DOKOMODO_PASSPHRASE: '' });
    expect(blankEnv.code).toBe(2);
    expect(blankEnv.stderr).toMatch(/error passphrase-empty: DOKOMODO_PASSPHRASE is set but empty/);

    // 52 base58 characters: a WIF to Iguana's shape test, not to komodod's decoder
    const ambiguous = `Ux${'aB3'.repeat(16)}cD`;
    const amb = await cli(['keys', 'import', '--passphrase-stdin', '-f', file], {
      env,
      input: `${ambiguous}\n`,
      secrets: [...SECRETS, ambiguous],
    });
    expect(amb.code).toBe(1);
    expect(amb.stderr).toMatch(/error ambiguous-passphrase: /);

    expect(Object.values(await ismine(ADDR3)).some(Boolean)).toBe(false);
  });
});

describe('keys import: secrets stay out of errors', () => {
  it('the output scan of these tests catches a leak (self-check)', async () => {
    await expect(
      cli(['keys', 'derive', '--coins', 'KMD', '--show-secrets', '--passphrase-stdin'], {
        input: `${PASS}\n`,
        secrets: SECRETS,
      }),
    ).rejects.toThrow('a secret appeared in the output');
  });

  let fake: Server;
  const received: string[] = [];
  let fakeFile: string;
  let fakeEnv: Record<string, string>;

  beforeAll(async () => {
    // A daemon that echoes the WIF it was sent in its error, as a careless fork could.
    fake = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        const call = JSON.parse(body) as { id: unknown; method: string; params: unknown[] };
        let reply: unknown;
        if (call.method === 'validateaddress')
          reply = { result: { isvalid: true, ismine: false }, error: null, id: call.id };
        else {
          received.push(String(call.params[0]));
          reply = {
            result: null,
            error: { code: -5, message: `Invalid private key encoding: ${String(call.params[0])}` },
            id: call.id,
          };
        }
        res.writeHead(call.method === 'validateaddress' ? 200 : 500, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(reply)}\n`);
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const port = (fake.address() as AddressInfo).port;
    fakeFile = join(dir, 'fake.yaml');
    writeFileSync(
      fakeFile,
      `version: 1
defaults: { pubkey: ${key(PASS).pubkey} }
chains:
  NTKYFAKE: { params: { ac_supply: 31999 }, ports: { p2p: ${await freePort()}, rpc: ${port}, override: true } }
`,
    );
    fakeEnv = { DOKOMODO_SECRET: SECRET, HOME: dir };
  });
  afterAll(async () => {
    await new Promise((r) => fake.close(r));
  });

  it('an importprivkey error that echoes the WIF is printed with the WIF masked', async () => {
    const r = await cli(['keys', 'import', '--passphrase-stdin', '--json', '-f', fakeFile], {
      env: fakeEnv,
      input: `${PASS}\n`,
      secrets: SECRETS,
    });
    expect(r.code).toBe(1);
    expect(received).toEqual([key(PASS).coins['KMD']!.wif]);
    const out = JSON.parse(r.stdout) as ImportJson;
    expect(out.results[0]!.error).toMatchObject({ code: 'rpc-error' });
    expect(out.results[0]!.error!.message).toBe(
      'NTKYFAKE: importprivkey: Invalid private key encoding: *** (-5)',
    );
    const text = await cli(['keys', 'import', '-f', fakeFile], {
      env: { ...fakeEnv, DOKOMODO_PASSPHRASE: PASS },
      secrets: SECRETS,
    });
    expect(text.stdout).toContain('Invalid private key encoding: ***');
  });

  it('a passphrase whose pubkey is not the platform’s is refused before any call', async () => {
    const before = received.length;
    const r = await cli(['keys', 'import', '--passphrase-stdin', '-f', fakeFile], {
      env: fakeEnv,
      input: `${PASS2}\n`,
      secrets: SECRETS,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error pubkey-mismatch: the passphrase gives the pubkey 0[23]\w{64}, but defaults.pubkey/,
    );
    expect(r.stderr).toContain('hint: check the passphrase');
    expect(received.length).toBe(before);
  });
});
