/** No artifact carries the platform secret; RPC passwords only in 0600 files marked secret. */
import { describe, expect, it } from 'vitest';
import { rpcCredentials } from '../../src/komodo/creds.ts';
import { GOLDEN_TARGETS, platformOf, platformText, render, SECRET } from './helpers.ts';

const multiHost = `version: 1
hosts:
  a: { address: 198.51.100.1, ssh: { user: nn } }
  b: { address: 198.51.100.2, ssh: { user: nn } }
chains:
  KMD: { host: a }
  DOC: { host: b, params: { ac_supply: 1000000 } }
iguana:
  main: { host: a, coins: [KMD, DOC], notaries: s8 }
notaries:
  s8: { season: 8, seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1] }
`;

describe.each([
  ['dev', platformOf('examples/dev.yaml')],
  ['mainnet', platformOf('examples/komodo-mainnet.yaml')],
  ['multi-host', platformText(multiHost)],
])('secrets in the %s artifacts', (_name, p) => {
  const artifacts = render(p, GOLDEN_TARGETS);
  const passwords = p.chains.map((c) => rpcCredentials(SECRET, c.name).password);
  it('the platform secret appears nowhere', () => {
    expect(artifacts.filter((a) => a.content.includes(SECRET)).map((a) => a.path)).toEqual([]);
  });
  it('RPC passwords appear only in files marked secret, with mode 0600', () => {
    const leaks = artifacts.filter(
      (a) => passwords.some((pw) => a.content.includes(pw)) && (!a.secret || a.mode !== 0o600),
    );
    expect(leaks.map((a) => a.path)).toEqual([]);
    expect(artifacts.filter((a) => a.secret).every((a) => a.mode === 0o600)).toBe(true);
  });
});

describe('a chain on another host than its Iguana', () => {
  const p = platformText(multiHost);
  const artifacts = render(p, ['conf', 'iguana']);
  it('gets rpchost/userpass in its payload (a 0600 secret file)', () => {
    const doc = artifacts.find((a) => a.path === 'hosts/a/home/.dokomodo/iguana/main/coins/DOC.json')!;
    const creds = rpcCredentials(SECRET, 'DOC');
    const payload = JSON.parse(doc.content);
    const chain = p.chains.find((c) => c.name === 'DOC')!;
    expect(payload).toMatchObject({
      newcoin: 'DOC',
      rpchost: `198.51.100.2:${chain.rpc}`,
      userpass: `${creds.user}:${creds.password}`,
    });
    expect([doc.secret, doc.mode]).toEqual([true, 0o600]);
    const kmd = JSON.parse(
      artifacts.find((a) => a.path === 'hosts/a/home/.dokomodo/iguana/main/coins/KMD.json')!.content,
    );
    expect(kmd.rpchost).toBeUndefined();
    expect(kmd.path).toBe('home/nn/.komodo');
  });
  it('its conf lets that Iguana in, and only it', () => {
    const conf = artifacts.find((a) => a.path === 'hosts/b/home/.komodo/DOC/DOC.conf')!.content;
    expect(conf).toContain('rpcallowip=127.0.0.1\nrpcallowip=198.51.100.1\nrpcbind=0.0.0.0\n');
    const kmd = artifacts.find((a) => a.path === 'hosts/a/home/.komodo/komodo.conf')!.content;
    expect(kmd).toContain('rpcallowip=127.0.0.1\nrpcbind=127.0.0.1\n');
  });
});
