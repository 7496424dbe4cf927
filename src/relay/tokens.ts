/**
 * The relay's bearer tokens: a file that holds, per token, an id, the sha256 of the token (never
 * the token itself), the Iguana methods it may call and an optional expiry and rate. A presented
 * token is hashed and compared with every entry in constant time.
 *
 * Method names are `agent.method` (`dpow.ipaddrs`, `SuperNET.activehandle`) or, for Iguana's
 * bitcoin-style calls that have no agent, the bare method (`walletpassphrase`). An allow entry is a
 * name, `agent.*`, or `*`; a wildcard never covers a key-bearing call: those are allowed only by
 * their exact name.
 *
 * Names are compared without regard to case, as Iguana's cJSON looks keys up
 * (`cJSON_GetObjectItem` uses `cJSON_strcasecmp`): `WalletPassphrase` is `walletpassphrase`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import yaml from 'js-yaml';
import { z } from 'zod';
import { DokomodoError } from '../core/errors.ts';

/** Calls whose parameters carry a private key or the passphrase, or that hand one out. */
export const KEY_BEARING = new Set([
  'walletpassphrase',
  'walletpassphrasechange',
  'encryptwallet',
  'importprivkey',
  'dumpprivkey',
  'dumpwallet',
  'importwallet',
  'bitcoinrpc.walletpassphrase',
  'bitcoinrpc.importprivkey',
  'bitcoinrpc.dumpprivkey',
  'bitcoinrpc.encryptwallet',
  'SuperNET.login',
  'SuperNET.encryptjson',
  'SuperNET.decryptjson',
  'SuperNET.priv2pub',
  'SuperNET.wif2priv',
  'SuperNET.priv2wif',
]);

/** Calls a wildcard does not cover either: the key-bearing ones and stopping Iguana. */
export const BY_NAME_ONLY = new Set([...KEY_BEARING, 'SuperNET.stop']);

/** Calls that change nothing in Iguana: no nonce needed. Everything else counts as mutating. */
export const READ_ONLY = new Set([
  'SuperNET.activehandle',
  'SuperNET.help',
  'dpow.ipaddrs',
  'dpow.notarychains',
  'dpow.notarizations',
  'bitcoinrpc.getinfo',
  'getinfo',
]);
const READ_ONLY_LC = new Set([...READ_ONLY].map((m) => m.toLowerCase()));
/** The method part (after the agent): a key-bearing method is one under any agent. */
const part = (m: string) => m.slice(m.indexOf('.') + 1).toLowerCase();
const KEY_METHODS = new Set([...KEY_BEARING].map(part));
const BY_NAME_METHODS = new Set([...BY_NAME_ONLY].map(part));

export const isKeyBearing = (method: string): boolean => KEY_METHODS.has(part(method));
export const isByNameOnly = (method: string): boolean => BY_NAME_METHODS.has(part(method));
export const isReadOnly = (method: string): boolean => READ_ONLY_LC.has(method.toLowerCase());

/**
 * Top-level keys that differ only in case (`method` and `METHOD`): Iguana would read the first,
 * the relay the exact one, so such a request is refused.
 */
export function caseClash(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return undefined;
  const seen = new Set<string>();
  for (const k of Object.keys(req)) {
    const l = k.toLowerCase();
    if (seen.has(l)) return k;
    seen.add(l);
  }
  return undefined;
}

export function methodName(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return undefined;
  const r = req as Record<string, unknown>;
  const method = r['method'];
  if (typeof method !== 'string' || method === '') return undefined;
  const agent = r['agent'];
  return typeof agent === 'string' && agent !== '' ? `${agent}.${method}` : method;
}

const METHOD_PATTERN = /^(\*|[A-Za-z0-9_]+(\.(\*|[A-Za-z0-9_]+))?)$/;

const TokenEntrySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  /** The sha256 of a bearer token… */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** …or the common name of a client certificate of the relay CA. */
  cert: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
  allow: z.array(z.string().regex(METHOD_PATTERN)).min(1),
  expires: z.union([z.string(), z.date()]).optional(),
  /** Calls per second (token bucket refill); burst is twice that. */
  rate: z.number().positive().max(100_000).optional(),
});
const TokensFileSchema = z.strictObject({ tokens: z.array(TokenEntrySchema).nullable() });

export interface Token {
  id: string;
  /** sha256 of the bearer token; undefined for a certificate entry. */
  hash: Uint8Array | undefined;
  /** Common name of the client certificate (signed by the relay CA) this entry stands for. */
  cert: string | undefined;
  allow: string[];
  /** Milliseconds since the epoch; undefined: never. */
  expiresAt: number | undefined;
  rate: number;
}

export const DEFAULT_RATE = 100;

export function hashToken(token: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(token)));
}

/** A new random token: `dkr_` and 32 random bytes in base64url. */
export function newToken(): string {
  return `dkr_${randomBytes(32).toString('base64url')}`;
}

export function parseTokens(text: string, where: string): Token[] {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    throw invalid(where, (e as Error).message.split('\n')[0] ?? 'not YAML');
  }
  const parsed = TokensFileSchema.safeParse(doc ?? { tokens: [] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(where, `${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const seen = new Set<string>();
  return (parsed.data.tokens ?? []).map((t) => {
    if (seen.has(t.id)) throw invalid(where, `token id ${t.id} appears twice`);
    seen.add(t.id);
    let expiresAt: number | undefined;
    if (t.expires !== undefined) {
      expiresAt = t.expires instanceof Date ? t.expires.getTime() : Date.parse(t.expires);
      if (!Number.isFinite(expiresAt)) throw invalid(where, `token ${t.id}: expires is not a date`);
    }
    if ((t.sha256 === undefined) === (t.cert === undefined))
      throw invalid(
        where,
        `token ${t.id}: give either sha256 (a bearer token) or cert (a client certificate's name)`,
      );
    return {
      id: t.id,
      hash: t.sha256 === undefined ? undefined : hexToBytes(t.sha256),
      cert: t.cert,
      allow: t.allow,
      expiresAt,
      rate: t.rate ?? DEFAULT_RATE,
    };
  });
}

function invalid(where: string, why: string): DokomodoError {
  return new DokomodoError('relay-tokens-invalid', `${where}: ${why}`, {
    hint: 'each entry: { id, sha256, allow: [agent.method, …], expires?, rate? }; `dokomodo relay token` makes one',
  });
}

/** The YAML text of one entry, for `relay token` to append. */
export function tokenEntryYaml(t: {
  id: string;
  sha256?: string;
  cert?: string;
  allow: string[];
  expires?: string;
  rate?: number;
}): string {
  return `${yaml.dump([t], { lineWidth: 200 }).trimEnd().replace(/^/gm, '  ')}\n`;
}

/** The entry whose hash is the token's, comparing every entry in constant time. */
export function findToken(tokens: readonly Token[], presented: string): Token | undefined {
  const h = sha256(new TextEncoder().encode(presented));
  let found: Token | undefined;
  for (const t of tokens) if (t.hash && timingSafeEqual(t.hash, h) && found === undefined) found = t;
  return found;
}

/** The entry of a client certificate (already verified against the relay CA) by its common name. */
export function findCertToken(tokens: readonly Token[], commonName: string): Token | undefined {
  return tokens.find((t) => t.cert !== undefined && t.cert === commonName);
}

/** Whether a token's allow list covers a method (wildcards never cover BY_NAME_ONLY calls). */
export function allows(token: Token, method: string): boolean {
  const m = method.toLowerCase();
  const byName = isByNameOnly(m);
  const dot = m.indexOf('.');
  const agent = dot > 0 ? m.slice(0, dot) : undefined;
  for (const a0 of token.allow) {
    const a = a0.toLowerCase();
    if (a === m) return true;
    if (byName) continue;
    if (a === '*') return true;
    if (agent !== undefined && a === `${agent}.*`) return true;
  }
  return false;
}
