import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iguanaReplyBytes } from '../../src/devnet/iguana.ts';
import { IguanaClient, type IguanaError } from '../../src/operator/iguana-client.ts';

/** A fake Iguana that replies in Iguana's format after a delay and records request bytes and concurrency. */
let server: net.Server;
let port: number;
let open = 0;
let maxOpen = 0;
const requests: string[] = [];
let nextReply: (body: string) => string | null = () => '{"result":"ok","tag":"1"}';

beforeAll(async () => {
  server = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (c: Buffer) => {
      buf += c.toString();
      const end = buf.indexOf('\r\n\r\n');
      const m = /Content-Length: (\d+)/.exec(buf);
      if (end < 0 || !m || buf.length < end + 4 + Number(m[1])) return;
      requests.push(buf);
      // requests being handled at once: the client's next request must not arrive before this reply
      open++;
      maxOpen = Math.max(maxOpen, open);
      const body = buf.slice(end + 4);
      setTimeout(() => {
        open--;
        const reply = nextReply(body);
        if (reply === null) sock.destroy();
        else sock.end(iguanaReplyBytes(reply));
      }, 30);
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('IguanaClient', () => {
  it('writes the exact Content-Length spelling and no Origin/Referer', async () => {
    requests.length = 0;
    await new IguanaClient({ port }).request({ agent: 'SuperNET', method: 'help' });
    const req = requests[0]!;
    expect(req).toMatch(/^POST \/ HTTP\/1\.1\r\n/);
    const body = '{"agent":"SuperNET","method":"help"}';
    expect(req.endsWith(`\r\nContent-Length: ${body.length}\r\n\r\n${body}`)).toBe(true);
    expect(req.toLowerCase()).not.toMatch(/\r\n(origin|referer):/);
  });

  it('keeps one call in flight per instance and answers in order', async () => {
    maxOpen = 0;
    const c = new IguanaClient({ port });
    const order: number[] = [];
    nextReply = (body) => `{"result":${JSON.parse(body).n},"tag":"7"}`;
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        c.request({ agent: 'x', method: 'y', n }).then((r) => order.push((r as { result: number }).result)),
      ),
    );
    expect(maxOpen).toBe(1);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('turns {"error": …} into IguanaError(kind iguana) in call(), returns bare strings as strings', async () => {
    const c = new IguanaClient({ port, label: 'main' });
    nextReply = () => '{"error":"cant dPoW KMD without LTC","tag":"9"}';
    const err = (await c.dpow('KMD', '02'.padEnd(66, '0')).catch((e) => e)) as IguanaError;
    expect(err).toMatchObject({ kind: 'iguana', label: 'main', iguanaError: 'cant dPoW KMD without LTC' });
    expect(err.message).toBe('main: iguana.dpow: cant dPoW KMD without LTC');
    nextReply = () => 'some bare string';
    expect(await c.request({ method: 'walletpassphrase', params: [] })).toBe('some bare string');
  });

  it('reports an empty reply, a timeout and a refused connection as typed errors, without the passphrase', async () => {
    const c = new IguanaClient({ port, timeoutMs: 1000 });
    nextReply = () => null;
    const pass = 'a very secret notary passphrase';
    const empty = (await c.walletpassphrase(pass).catch((e) => e)) as IguanaError;
    expect(empty.kind).toBe('empty');
    expect(JSON.stringify({ m: empty.message, s: empty.stack })).not.toContain(pass);
    const slow = new IguanaClient({ port, timeoutMs: 10 });
    nextReply = () => '{"result":"late"}';
    expect(((await slow.help().catch((e) => e)) as IguanaError).kind).toBe('timeout');
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const free = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    const refused = (await new IguanaClient({ port: free }).help().catch((e) => e)) as IguanaError;
    expect(refused.kind).toBe('transport');
    expect(refused.message).toMatch(/connection refused/);
  });
});
