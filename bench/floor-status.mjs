// The floor of `dokomodo status`: the same calls (getinfo, then getblockheader of the notarized
// hash when there is one) against the same servers, over raw sockets with a minimal HTTP/1.1
// reader, no library. Not a product: the bound a real client is measured against.
// Usage: node bench/floor-status.mjs COUNT BASEPORT [--node-http]  (env BENCH_SECRET; chain i is
// BENCH%04d on rpc port BASEPORT + 2i + 1, as bench/status.mjs lays them out). --node-http makes
// the same calls through Node's own HTTP client instead (a library, for comparison). Prints JSON.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { connect } from 'node:net';

const [count, base] = process.argv.slice(2, 4).map(Number);
const viaNodeHttp = process.argv.includes('--node-http');
const secret = process.env.BENCH_SECRET;
const CONCURRENCY = 64;
const mac = (label, chain) =>
  createHmac('sha256', secret).update(`dokomodo/v1/${label}/${chain}`).digest('hex');

/** One keep-alive connection that sends a request and resolves with the parsed JSON-RPC reply. */
function connection(port, auth) {
  const sock = connect({ host: '127.0.0.1', port });
  sock.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let waiting = null;
  sock.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body;
    let used;
    if (m) {
      used = end + 4 + Number(m[1]);
      if (buf.length < used) return;
      body = buf.toString('utf8', end + 4, used);
    } else {
      // chunked (Node's http server without a Content-Length): size line, data, CRLF … 0
      const parts = [];
      let at = end + 4;
      for (;;) {
        const eol = buf.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = Number.parseInt(buf.toString('latin1', at, eol), 16);
        if (buf.length < eol + 2 + size + 2) return;
        if (size === 0) break;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      used = buf.indexOf('\r\n', at) + 4;
      body = Buffer.concat(parts).toString('utf8');
    }
    buf = buf.subarray(used);
    const w = waiting;
    waiting = null;
    w.resolve(JSON.parse(body));
  });
  sock.on('error', (e) => waiting?.reject(e));
  let id = 0;
  return {
    call(method, params = []) {
      const body = JSON.stringify({ jsonrpc: '1.0', id: ++id, method, params });
      sock.write(
        `POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    close: () => sock.destroy(),
  };
}

/** The same, through node:http with one keep-alive socket per chain. */
function nodeHttpConnection(port, auth) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let id = 0;
  return {
    call(method, params = []) {
      const body = JSON.stringify({ jsonrpc: '1.0', id: ++id, method, params });
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            agent,
            headers: { authorization: auth, 'content-type': 'application/json' },
          },
          (res) => {
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

async function statusOf(i) {
  const name = `BENCH${String(i).padStart(4, '0')}`;
  const user = `dk${mac('rpcuser', name).slice(0, 16)}`;
  const auth = `Basic ${Buffer.from(`${user}:${mac('rpcpassword', name)}`).toString('base64')}`;
  const c = (viaNodeHttp ? nodeHttpConnection : connection)(base + 2 * i + 1, auth);
  try {
    const info = (await c.call('getinfo')).result;
    let age = null;
    if (info.notarized && info.notarizedhash && !/^0+$/.test(info.notarizedhash)) {
      const h = (await c.call('getblockheader', [info.notarizedhash])).result;
      age = Math.round(Date.now() / 1000 - h.time);
    }
    return { chain: name, state: 'running', blocks: info.blocks, notarized: info.notarized, age };
  } catch (e) {
    return { chain: name, state: 'error', message: e.message };
  } finally {
    c.close();
  }
}

const results = new Array(count);
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await statusOf(i);
    }
  }),
);
const running = results.filter((r) => r.state === 'running').length;
process.stdout.write(`${JSON.stringify({ running, chains: results }, null, 2)}\n`);
