import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../../src/devnet/chain.ts';
import { ChainRpcServer, ipMatcher } from '../../src/devnet/rpc-server.ts';
import { rawHttp } from './helpers.ts';

describe('rpcallowip', () => {
  let server: ChainRpcServer;
  let port: number;

  beforeAll(async () => {
    const chain = new Chain({ name: 'DKACL', magic: 1, p2pport: 1, rpcport: 2, blockTimeMs: 0 });
    chain.init();
    // komodod always admits loopback; switching that off lets a 127.0.0.1 test see the 403 path
    server = new ChainRpcServer({
      chain,
      user: 'u',
      password: 'p',
      allowIps: ['192.0.2.0/24'],
      allowLoopback: false,
    });
    port = await server.listen(0);
  });
  afterAll(() => server.close());

  it('answers 403 with an empty body to a peer outside rpcallowip, before method and auth checks', async () => {
    const r = await rawHttp(port, { method: 'GET' });
    expect(r.status).toBe(403);
    expect(r.body).toBe('');
    const p = await rawHttp(port, { body: '{"method":"getinfo"}', auth: 'u:p' });
    expect(p.status).toBe(403);
  });

  it('matches single addresses, CIDR and netmask forms', () => {
    expect(ipMatcher('10.1.2.3')('10.1.2.3')).toBe(true);
    expect(ipMatcher('10.1.2.3')('10.1.2.4')).toBe(false);
    expect(ipMatcher('10.0.0.0/8')('10.200.1.1')).toBe(true);
    expect(ipMatcher('10.0.0.0/8')('11.0.0.1')).toBe(false);
    expect(ipMatcher('192.168.1.0/255.255.255.0')('192.168.1.77')).toBe(true);
    expect(ipMatcher('0.0.0.0/0')('203.0.113.9')).toBe(true);
  });
});
