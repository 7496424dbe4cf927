/**
 * `dokomodo deploy` of a `via: relay` path to two throw-away SSH hosts: both hosts of the path get
 * what their relay reads — the platform file's copy and, from the controller's certificate
 * directory (`relay cert --out`), the CA, the host's certificate and key, 0600 in a 0700
 * directory, never the CA's key — and a host on no relay path gets nothing. Tokens made on the
 * host are never replaced. Needs root for the harness.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../src/komodo/keys.ts';
import { KMD } from '../../src/komodo/coins.ts';
import { dokomodo } from '../cli/helpers.ts';
import { hostYaml, type TestHosts, upTestHosts } from '../harness/testhosts.ts';
import { ansibleEnv, deployUnavailable, fakeBinaries, SECRET } from './helpers.ts';

const why = deployUnavailable();
const RUN_TIMEOUT_MS = 300_000;
const PUBKEY = deriveKeys('relay deploy test', [KMD]).pubkey;

describe.skipIf(why !== undefined)(
  why ? `deploy of a relay path (skipped: ${why})` : 'deploy of a relay path over SSH',
  () => {
    let th: TestHosts;
    let file: string;
    let certs: string;
    let env: Record<string, string>;
    let extra: string[];

    beforeAll(async () => {
      th = await upTestHosts(3);
      const [h1, h2, h3] = th.hosts as [TestHosts['hosts'][0], TestHosts['hosts'][0], TestHosts['hosts'][0]];
      const host = (h: typeof h1, rest: string) => hostYaml(th, h, rest);
      const seeds = Array(8).fill('127.0.0.2').join(', ');
      file = join(th.dir, 'dokomodo.yaml');
      writeFileSync(
        file,
        `version: 1
defaults:
  pubkey: ${PUBKEY}
  binaries: { komodod: ~/bin/komodod, komodo-cli: ~/bin/komodo-cli, iguana: ~/bin/iguana }
hosts:
  ig: ${host(h1, 'roles: [chains, iguana]')}
  ch: ${host(h2, 'roles: [chains], via: relay')}
  plain: ${host(h3, 'roles: [chains]')}
chains:
  KMD: { host: ig }
  RLYA: { host: ch, params: { ac_supply: 61018 } }
  RLYB: { host: plain, params: { ac_supply: 61019 } }
iguana:
  main: { host: ig, coins: [KMD, RLYA, RLYB], notaries: dev, myip: 203.0.113.7 }
notaries:
  dev:
    minsigs: 1
    seeds: [${seeds}]
    list:
      - { name: devnode_EU, pubkey: ${PUBKEY} }
`,
      );
      const binDir = fakeBinaries(th.dir, ['komodod', 'komodo-cli', 'iguana']);
      env = { DOKOMODO_SECRET: SECRET, ...ansibleEnv(th.dir) };
      certs = join(th.dir, 'relay-ca');
      for (const [name, address] of [
        ['ig', h1.address],
        ['ch', h2.address],
      ] as const) {
        const r = dokomodo(['-f', file, 'relay', 'cert', '--out', certs, '--name', name, '--san', address], {
          env,
        });
        expect(r.code, r.stderr).toBe(0);
      }
      extra = [
        '--extra-vars',
        'dokomodo_manage_os=false',
        'dokomodo_manage_firewall=false',
        `dokomodo_binaries_src=${binDir}`,
        `dokomodo_relay_certs_src=${certs}`,
      ];
    }, 120_000);
    afterAll(() => th?.down());

    it(
      'installs the platform copy and the host’s certificates on both hosts of the path, nothing elsewhere',
      () => {
        const r = dokomodo(['deploy', '--json', '-f', file, ...extra], { env, timeoutMs: RUN_TIMEOUT_MS });
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        // no key material in what the deploy printed
        expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
        for (const [i, name] of [
          [0, 'ig'],
          [1, 'ch'],
        ] as const) {
          const dir = join(th.hosts[i]!.home, '.dokomodo/relay');
          expect(statSync(dir).mode & 0o777).toBe(0o700);
          expect(readFileSync(join(dir, 'platform/dokomodo.yaml'), 'utf8')).toBe(readFileSync(file, 'utf8'));
          for (const f of ['ca.pem', `${name}.pem`, `${name}-key.pem`]) {
            expect(readFileSync(join(dir, f), 'utf8')).toBe(readFileSync(join(certs, f), 'utf8'));
            expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
          }
          // the CA's key and the other host's key stay on the controller
          const names = readdirSync(dir);
          expect(names).not.toContain('ca-key.pem');
          expect(names.filter((n) => n.endsWith('-key.pem'))).toEqual([`${name}-key.pem`]);
        }
        // a host on no relay path has no relay directory
        expect(() => statSync(join(th.hosts[2]!.home, '.dokomodo/relay'))).toThrow();
      },
      RUN_TIMEOUT_MS,
    );

    it(
      'a tokens file made on the host is kept by the next full deploy',
      () => {
        const tokens = join(th.hosts[0]!.home, '.dokomodo/relay/relay.tokens');
        writeFileSync(tokens, 'tokens: []\n', { mode: 0o600 });
        const r = dokomodo(['deploy', '--json', '--full', '--host', 'ig', '-f', file, ...extra], {
          env,
          timeoutMs: RUN_TIMEOUT_MS,
        });
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
        expect(readFileSync(tokens, 'utf8')).toBe('tokens: []\n');
      },
      RUN_TIMEOUT_MS,
    );
  },
);
