/** Shared helpers of the relay tests: certificates in a temp dir, tokens, raw HTTPS. */
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type MadeCerts, makeCerts, readTls, type TlsMaterial } from '../../src/relay/certs.ts';
import { hashToken, newToken, parseTokens, type Token } from '../../src/relay/tokens.ts';

export function tempDir(prefix = 'dk-relay-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function relayCerts(
  dir: string,
  name: string,
  names: string[] = ['127.0.0.1'],
): Promise<{ made: MadeCerts; tls: TlsMaterial }> {
  const made = await makeCerts({ dir, name, names });
  return { made, tls: readTls(dir, name) };
}

export interface TokenSpec {
  id: string;
  allow: string[];
  expires?: string;
  rate?: number;
}

/** Tokens as the relay reads them from its file, with the clear tokens for the test's clients. */
export function tokens(specs: TokenSpec[]): { list: Token[]; clear: Record<string, string> } {
  const clear: Record<string, string> = {};
  const entries = specs.map((s) => {
    const t = newToken();
    clear[s.id] = t;
    return { ...s, sha256: hashToken(t) };
  });
  return { list: parseTokens(JSON.stringify({ tokens: entries }), 'test'), clear };
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawHttps(
  port: number,
  opts: { method?: string; path?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/iguana',
        headers: { 'content-type': 'application/json', ...opts.headers },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
