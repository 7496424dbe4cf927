// The Iguana gateway over loopback, in front of the devnet's Iguana simulator: calls go through
// with a pinned certificate and a token; every kind of bad request is refused with its own reason,
// counted, and audited without its parameters.
import { readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IguanaSim, startIguana } from '../../src/devnet/iguana.ts';
import { IguanaClient, IguanaError } from '../../src/operator/iguana-client.ts';
import { openAuditLog, type AuditEntry, type AuditLog } from '../../src/relay/audit.ts';
import { RelayIguanaClient } from '../../src/relay/client.ts';
import { type Gateway, NONCE_HEADER, startGateway, TIME_HEADER } from '../../src/relay/gateway.ts';
import { parseTokens } from '../../src/relay/tokens.ts';
import { smallDevnet } from '../devnet/helpers.ts';
import { rawHttps, relayCerts, tempDir, tokens } from './helpers.ts';

const PASSPHRASE = 'relay test passphrase that must never be written anywhere';

let t: ReturnType<typeof tempDir>;
let sim: IguanaSim;
let gw: Gateway;
let audit: AuditLog;
let pin: string;
let tls_: { cert: string; key: string };
let clear: Record<string, string>;
let auditPath: string;
let dev: Awaited<ReturnType<typeof smallDevnet>>;

const readAudit = async (): Promise<AuditEntry[]> => {
  // the log is written asynchronously, in order: wait until what was appended is there
  for (let i = 0; i < 200; i++) {
    const lines = readFileSync(auditPath, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= audit.lines) return lines.map((l) => JSON.parse(l) as AuditEntry);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('audit log never caught up');
};

const client = (id: string, extra: { url?: string; pin?: string; timeoutMs?: number } = {}) =>
  new RelayIguanaClient({
    url: extra.url ?? `https://127.0.0.1:${gw.port}`,
    token: clear[id]!,
    pin: extra.pin ?? pin,
    timeoutMs: extra.timeoutMs ?? 10_000,
  });

beforeAll(async () => {
  t = tempDir();
  const certs = await relayCerts(t.dir, 'relay1');
  pin = certs.made.fingerprint;
  tls_ = { cert: certs.tls.cert, key: certs.tls.key };
  dev = await smallDevnet(['DOC']);
  sim = await startIguana({ daemonRetryDelaysMs: [50] });
  const tk = tokens([
    { id: 'reader', allow: ['SuperNET.activehandle', 'dpow.*'] },
    { id: 'operator', allow: ['*', 'walletpassphrase'] },
    { id: 'star', allow: ['*'] },
    { id: 'old', allow: ['*'], expires: '2020-01-01T00:00:00Z' },
    { id: 'slowpoke', allow: ['*'], rate: 1 },
    { id: 'load', allow: ['SuperNET.activehandle'], rate: 100_000 },
  ]);
  clear = tk.clear;
  auditPath = path.join(t.dir, 'audit', 'relay.log');
  audit = openAuditLog(auditPath);
  // and one entry for a client certificate of the relay CA instead of a token
  const certEntry = parseTokens(
    'tokens:\n  - { id: laptop, cert: laptop, allow: [SuperNET.activehandle, "dpow.*"] }\n',
    'test',
  );
  gw = await startGateway({
    iguana: new IguanaClient({ port: sim.port, timeoutMs: 10_000 }),
    tokens: [...tk.list, ...certEntry],
    cert: tls_.cert,
    key: tls_.key,
    ca: certs.tls.ca,
    host: '127.0.0.1',
    port: 0,
    audit,
    limits: { maxBodyBytes: 4096, headersTimeoutMs: 400, requestTimeoutMs: 800 },
  });
});

afterAll(async () => {
  await gw?.close();
  await audit?.close();
  await sim?.close();
  await dev?.cleanup();
  t?.cleanup();
});

describe('relay gateway', () => {
  it('relays read-only and mutating calls, and a key-bearing call the token allows by name', async () => {
    const c = client('operator');
    expect(await c.notarychains()).toContain('KMD');
    expect(await c.myipaddr('127.0.0.9')).toMatchObject({ result: '127.0.0.9' });
    expect(await c.addnotary('127.0.0.10')).toBeTruthy();
    expect(sim.peers).toContain('127.0.0.10');
    const doc = dev.devnet.chain('DOC');
    await c.addcoin({
      newcoin: 'DOC',
      rpchost: `127.0.0.1:${doc.rpcport}`,
      userpass: `${doc.user}:${doc.password}`,
    });
    const unlocked = await c.walletpassphrase(PASSPHRASE, 3600);
    expect(unlocked['btcpubkey']).toBe(sim.pubkey);
    expect(sim.pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
    const handle = await c.activehandle();
    expect(handle['btcpubkey']).toBe(sim.pubkey);
  });

  it('refuses a relay whose certificate is not the pinned one, before sending the token', async () => {
    const other = tempDir();
    const fake = await relayCerts(other.dir, 'fake');
    other.cleanup();
    const c = client('operator', { pin: fake.made.fingerprint });
    const before = sim.calls.length;
    const e = await c.notarychains().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IguanaError);
    expect((e as IguanaError).message).toMatch(/not the pinned one/);
    expect(sim.calls.length).toBe(before);
  });

  it('authenticates a client certificate of the relay CA in place of a token; not one of another CA', async () => {
    const laptop = await relayCerts(t.dir, 'laptop', ['laptop.invalid']);
    const viaCert = (cert: { cert: string; key: string }) =>
      new RelayIguanaClient({
        url: `https://127.0.0.1:${gw.port}`,
        pin,
        clientCert: cert,
        timeoutMs: 10_000,
      });
    const c = viaCert({ cert: laptop.tls.cert, key: laptop.tls.key });
    expect(await c.ipaddrs()).toBeInstanceOf(Array);
    // its entry's allow list applies
    await expect(c.addnotary('127.0.0.11')).rejects.toThrow(
      /relay refused: not-allowed: token laptop does not allow iguana\.addnotary/,
    );
    const other = tempDir();
    const stranger = await relayCerts(other.dir, 'laptop', ['laptop.invalid']);
    other.cleanup();
    await expect(viaCert({ cert: stranger.tls.cert, key: stranger.tls.key }).ipaddrs()).rejects.toThrow(
      /relay refused: unauthenticated/,
    );
    const entries = await readAudit();
    expect(
      entries.some((e) => e.token === 'laptop' && e.method === 'dpow.ipaddrs' && e.result === 'ok'),
    ).toBe(true);
  });

  it('rejects every kind of bad request with its own reason, and counts it', async () => {
    const before = gw.stats().rejected;
    const auth = (id: string) => ({ authorization: `Bearer ${clear[id]}` });
    const nonce = (n: string, time = Date.now()) => ({ [NONCE_HEADER]: n, [TIME_HEADER]: String(time) });
    const read = JSON.stringify({ agent: 'dpow', method: 'notarychains' });
    const mutating = JSON.stringify({ agent: 'SuperNET', method: 'myipaddr', ipaddr: '127.0.0.9' });
    const cases: Array<[string, Parameters<typeof rawHttps>[1], number]> = [
      ['unauthenticated', { body: read }, 401],
      ['bad-token', { body: read, headers: { authorization: 'Bearer dkr_not-a-token' } }, 401],
      ['expired', { body: read, headers: auth('old') }, 401],
      [
        'not-allowed',
        {
          body: JSON.stringify({ agent: 'iguana', method: 'addcoin', newcoin: 'X' }),
          headers: auth('reader'),
        },
        403,
      ],
      [
        'key-not-allowed',
        {
          body: JSON.stringify({ method: 'walletpassphrase', params: [PASSPHRASE, 10] }),
          headers: { ...auth('star'), ...nonce('keykeykeykeykeykey1') },
        },
        403,
      ],
      ['nonce-missing', { body: mutating, headers: auth('star') }, 428],
      [
        'stale',
        {
          body: mutating,
          headers: { ...auth('star'), ...nonce('stalestalestalestale', Date.now() - 3_600_000) },
        },
        409,
      ],
      [
        'oversized',
        {
          body: JSON.stringify({ agent: 'dpow', method: 'ipaddrs', pad: 'x'.repeat(5000) }),
          headers: auth('star'),
        },
        413,
      ],
      ['bad-request', { body: '{not json', headers: auth('star') }, 400],
      ['not-found', { method: 'GET', path: '/etc/passwd' }, 404],
    ];
    for (const [reason, opts, status] of cases) {
      const r = await rawHttps(gw.port, opts);
      expect([reason, r.status]).toEqual([reason, status]);
      expect(r.headers['x-dokomodo-relay-error']).toBe(reason);
    }
    // replayed: the same nonce twice
    const once = { body: mutating, headers: { ...auth('star'), ...nonce('replayreplayreplay01') } };
    expect((await rawHttps(gw.port, once)).status).toBe(200);
    const again = await rawHttps(gw.port, once);
    expect([again.status, again.headers['x-dokomodo-relay-error']]).toEqual([409, 'replayed']);
    // rate-limited: 1 call/s, burst 2
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await rawHttps(gw.port, { body: read, headers: auth('slowpoke') })).status);
    expect(statuses).toEqual([200, 200, 429]);
    // slow-loris: headers that never end get 408 and the connection closed
    const slow = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: gw.port, rejectUnauthorized: false }, () => {
        s.write('POST /iguana HTTP/1.1\r\nHost: x\r\n');
        const drip = setInterval(() => s.write('X-Drip: 1\r\n'), 100);
        let got = '';
        s.on('data', (c: Buffer) => {
          got += c.toString();
        });
        s.on('close', () => {
          clearInterval(drip);
          resolve(got);
        });
        s.on('error', () => {});
      });
    });
    expect(slow).toMatch(/^HTTP\/1\.1 408/);
    // a TLS handshake that is not TLS
    await new Promise<void>((resolve) => {
      const s = net.connect(gw.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => {});
    });

    const after = gw.stats().rejected;
    const delta = Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
    );
    expect(delta).toEqual({
      unauthenticated: 1,
      'bad-token': 1,
      expired: 1,
      'rate-limited': 1,
      oversized: 1,
      'bad-request': 1,
      'not-allowed': 1,
      'key-not-allowed': 1,
      'nonce-missing': 1,
      stale: 1,
      replayed: 1,
      'queue-full': 0,
      slow: 1,
      tls: 1,
      'not-found': 1,
    });
    // the same counters, as JSON and as Prometheus text
    const health = JSON.parse((await rawHttps(gw.port, { method: 'GET', path: '/healthz' })).body);
    expect(health.rejected).toEqual(after);
    const metrics = (await rawHttps(gw.port, { method: 'GET', path: '/metrics' })).body;
    expect(metrics).toContain(`dokomodo_relay_rejected_total{reason="replayed"} ${after.replayed}`);
    // every refusal is audited with its reason
    const entries = await readAudit();
    for (const reason of Object.keys(delta).filter((k) => delta[k]! > 0 && k !== 'tls'))
      expect(entries.some((e) => e.result === reason)).toBe(true);
  });

  it('reads names as Iguana does: another case of a key-bearing call, or keys that clash in case, are refused', async () => {
    const headers = {
      authorization: `Bearer ${clear['star']}`,
      [NONCE_HEADER]: 'casecasecasecasecase01',
      [TIME_HEADER]: String(Date.now()),
    };
    const upper = await rawHttps(gw.port, {
      body: JSON.stringify({ method: 'WalletPassphrase', params: [PASSPHRASE, 10] }),
      headers,
    });
    expect([upper.status, upper.headers['x-dokomodo-relay-error']]).toEqual([403, 'key-not-allowed']);
    // Iguana's cJSON would take the first of METHOD/method; the relay refuses the pair
    const before = sim.calls.length;
    const clash = await rawHttps(gw.port, {
      body: JSON.stringify({
        METHOD: 'walletpassphrase',
        params: [PASSPHRASE, 10],
        agent: 'dpow',
        method: 'ipaddrs',
      }),
      headers: { ...headers, [NONCE_HEADER]: 'casecasecasecasecase02' },
    });
    expect([clash.status, clash.headers['x-dokomodo-relay-error']]).toEqual([400, 'bad-request']);
    expect(sim.calls.length).toBe(before);
  });

  it('keeps the audit log 0600, without parameters, passphrase or tokens', async () => {
    const entries = await readAudit();
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    const text = readFileSync(auditPath, 'utf8');
    expect(text).not.toContain(PASSPHRASE);
    for (const tok of Object.values(clear)) expect(text).not.toContain(tok);
    expect(text).not.toContain('127.0.0.10'); // addnotary's parameter
    const unlock = entries.find((e) => e.method === 'walletpassphrase' && e.result === 'ok');
    expect(unlock).toMatchObject({ token: 'operator', status: 200 });
    expect(Object.keys(unlock!).sort()).toEqual([
      'method',
      'ms',
      'peer',
      'result',
      'status',
      'time',
      'token',
    ]);
  });

  it('carries 20 clients × 50 calls one at a time to Iguana: nothing lost, every call audited', async () => {
    const before = sim.calls.length;
    const auditBefore = (await readAudit()).filter((e) => e.token === 'load').length;
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = client('load');
        let ok = 0;
        for (let i = 0; i < 50; i++) if ((await c.activehandle())['status'] !== undefined) ok++;
        return ok;
      }),
    );
    expect(results.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(sim.calls.length - before).toBe(1000);
    const entries = (await readAudit()).filter((e) => e.token === 'load');
    expect(entries.length - auditBefore).toBe(1000);
    expect(entries.every((e) => e.result === 'ok' && e.method === 'SuperNET.activehandle')).toBe(true);
  }, 60_000);
});

describe('relay gone mid-call', () => {
  it('gives the client a clear error, and the restarted relay serves the next call', async () => {
    // An "Iguana" that accepts and never answers: the call is in flight when the relay dies.
    const held: net.Socket[] = [];
    const stuck = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', () => r()));
    const stuckPort = (stuck.address() as net.AddressInfo).port;
    const a = openAuditLog(path.join(t.dir, 'audit2.log'));
    const tk = tokens([{ id: 'op', allow: ['*'] }]);
    const g = await startGateway({
      iguana: new IguanaClient({ port: stuckPort, timeoutMs: 30_000 }),
      tokens: tk.list,
      ...tls_,
      host: '127.0.0.1',
      port: 0,
      audit: a,
    });
    const c = new RelayIguanaClient({
      url: `https://127.0.0.1:${g.port}`,
      token: tk.clear['op']!,
      pin,
      timeoutMs: 20_000,
    });
    const pending = c.notarychains().catch((e: unknown) => e);
    for (let i = 0; i < 100 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.length).toBe(1);
    await g.close();
    const e = (await pending) as IguanaError;
    expect(e).toBeInstanceOf(IguanaError);
    expect(e.kind).toBe('empty');
    expect(e.message).toMatch(/relay closed the connection .*may or may not have reached Iguana/);
    // nothing listens now: a clear transport error
    const down = (await c.notarychains().catch((x: unknown) => x)) as IguanaError;
    expect([down.kind, down.message]).toEqual([
      'transport',
      expect.stringMatching(/connection refused \(is the relay running\?\)/),
    ]);
    // restarted on the same port, in front of a working Iguana: the next call goes through
    const g2 = await startGateway({
      iguana: new IguanaClient({ port: sim.port }),
      tokens: tk.list,
      ...tls_,
      host: '127.0.0.1',
      port: g.port,
      audit: a,
    });
    expect(await c.notarychains()).toContain('KMD');
    await g2.close();
    await a.close();
    for (const s of held) s.destroy();
    await new Promise<void>((r) => stuck.close(() => r()));
  });
});

describe('one call in flight to Iguana, a bounded queue', () => {
  it('holds calls behind the one in flight and refuses past the bound (queue-full, counted)', async () => {
    const held: net.Socket[] = [];
    const stuck = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', () => r()));
    const a = openAuditLog(path.join(t.dir, 'audit3.log'));
    const tk = tokens([{ id: 'op', allow: ['*'] }]);
    const g = await startGateway({
      iguana: new IguanaClient({ port: (stuck.address() as net.AddressInfo).port, timeoutMs: 30_000 }),
      tokens: tk.list,
      ...tls_,
      host: '127.0.0.1',
      port: 0,
      audit: a,
      limits: { maxQueue: 2 },
    });
    const mk = () =>
      new RelayIguanaClient({
        url: `https://127.0.0.1:${g.port}`,
        token: tk.clear['op']!,
        pin,
        timeoutMs: 20_000,
      });
    const first = [mk(), mk()].map((c) => c.notarychains().catch((e: unknown) => e));
    for (let i = 0; i < 200 && g.stats().inflight + g.stats().queued < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(g.stats()).toMatchObject({ inflight: 1, queued: 1 });
    // Iguana sees one connection: the second call waits in the relay, not at Iguana
    expect(held.length).toBe(1);
    const refused = (await Promise.all(
      [mk(), mk()].map((c) => c.notarychains().catch((e: unknown) => e)),
    )) as IguanaError[];
    for (const e of refused)
      expect(e.message).toMatch(/relay refused: queue-full: 2 calls already wait for Iguana/);
    expect(g.stats().rejected['queue-full']).toBe(2);
    await g.close();
    const ended = (await Promise.all(first)) as IguanaError[];
    for (const e of ended) expect(e.kind).toBe('empty');
    await a.close();
    for (const s of held) s.destroy();
    await new Promise<void>((r) => stuck.close(() => r()));
  });
});
