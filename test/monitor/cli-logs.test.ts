// `dokomodo monitor` as it runs: the chains' debug.log and Iguana's iguana.log (in its working
// directory, where the rendered unit writes it) are tailed by the CLI's own wiring; a known line
// in either is printed with its pattern, an Iguana line with the chain it names.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'dk-cli-logs-'));
const file = join(dir, 'dokomodo.yaml');
const work = join(dir, 'iguana');
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
writeFileSync(
  file,
  `version: 1
defaults: { datadir: ${join(dir, 'komodo')} }
chains:
  KMD: { ports: { p2p: 17870, rpc: 17871, override: true } }
  LOGX00: { params: { ac_supply: 4300 } }
iguana:
  main: { port: 17876, coins: [KMD, LOGX00], notaries: dev, workdir: ${work} }
notaries:
  dev: { seeds: [127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2, 127.0.0.2], list: [{ name: dev_EU, pubkey: ${PUBKEY} }] }
`,
);

let child: ReturnType<typeof spawn> | undefined;
afterAll(() => child?.kill('SIGTERM'));

describe('dokomodo monitor tails the logs', () => {
  it('a line in a chain’s debug.log and one in iguana.log naming a chain are printed as events', async () => {
    child = spawn(
      process.execPath,
      [
        'bin/dokomodo.js',
        '-f',
        file,
        'monitor',
        '--listen',
        '127.0.0.1:0',
        '--interval',
        '1',
        '--state-dir',
        join(dir, 'state'),
      ],
      { env: { ...process.env, DOKOMODO_SECRET: 'cli-logs-secret-0123456789', NO_COLOR: '1' } },
    );
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b;
    });
    /** Waits (bounded) until the monitor's stderr matches. */
    const until = async (re: RegExp, what: string) => {
      for (let i = 0; i < 200 && !re.test(err); i++) await new Promise((r) => setTimeout(r, 100));
      if (!re.test(err)) throw new Error(`no ${what} in: ${err}`);
    };
    await until(/dashboard on http/, 'listening line');
    // Neither file exists at start: each is read from its start once it appears.
    const chainDir = join(dir, 'komodo', 'LOGX00');
    mkdirSync(chainDir, { recursive: true });
    mkdirSync(work, { recursive: true });
    appendFileSync(join(chainDir, 'debug.log'), '2026-12-03 10:00:00 Error: Disk space is low!\n');
    appendFileSync(
      join(work, 'iguana.log'),
      'no ( -> LOGX00) utxo: need to fund address.(RXL3YXG2ceaB6C5hfJcN4fvmLH2C34knhA) or wait for splitfund to confirm\n',
    );
    await until(/LOGX00: disk-full: .*Disk space is low/, 'disk-full event');
    await until(
      /iguana-main \(LOGX00\): need-funds: no \( -> LOGX00\) utxo: need to fund address/,
      'Iguana need-funds event',
    );
    // each once: the next polls read nothing new
    await new Promise((r) => setTimeout(r, 2500));
    expect(err.match(/: disk-full: /g)).toHaveLength(1);
    expect(err.match(/: need-funds: /g)).toHaveLength(1);
  }, 40_000);
});
