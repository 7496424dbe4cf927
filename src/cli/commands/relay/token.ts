/**
 * `dokomodo relay token`: a new bearer token for the relay's gateway. Its sha256, id, allow list,
 * expiry and rate are added to the tokens file (0600, atomically); the token itself is printed
 * once and kept nowhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DokomodoError, ExitCode, usageError } from '../../../core/errors.ts';
import { expandUserPath } from '../../../core/local.ts';
import { writeFileAtomic } from '../../../core/atomic.ts';
import { hashToken, isKeyBearing, newToken, parseTokens, tokenEntryYaml } from '../../../relay/tokens.ts';
import type { Context } from '../../context.ts';
import { printJson } from '../../output.ts';
import { RELAY_DIR } from '../relay.ts';

export interface RelayTokenOptions {
  id: string;
  /** An entry for a client certificate of this common name instead of a bearer token. */
  cert?: string;
  allow: string;
  /** Seconds from now, parsed by the option. */
  expires?: number;
  rate?: number;
}

export async function relayToken(ctx: Context, opts: RelayTokenOptions): Promise<number> {
  // --tokens is the relay command's own option (`relay token --tokens FILE` reaches it)
  const tokens = (ctx.opts as { tokens?: string }).tokens;
  const path = expandUserPath(tokens ?? join(RELAY_DIR, 'relay.tokens'));
  let text = 'tokens:\n';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const existing = parseTokens(text, path);
  if (existing.some((t) => t.id === opts.id))
    throw usageError(
      'relay-token-exists',
      `${path} already has a token ${opts.id}`,
      'pick another --id, or remove that entry first',
    );
  const allow = opts.allow
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const token = opts.cert === undefined ? newToken() : undefined;
  const entry = {
    id: opts.id,
    ...(token === undefined ? { cert: opts.cert } : { sha256: hashToken(token) }),
    allow,
    ...(opts.expires === undefined
      ? {}
      : { expires: new Date(Date.now() + opts.expires * 1000).toISOString() }),
    ...(opts.rate === undefined ? {} : { rate: opts.rate }),
  };
  const base = text.trimEnd() === 'tokens: []' || text.trim() === '' ? 'tokens:' : text.trimEnd();
  const next = `${base}\n${tokenEntryYaml(entry)}`;
  // what is written must read back
  parseTokens(next, path);
  try {
    writeFileAtomic(path, next, { mode: 0o600 });
  } catch (e) {
    throw new DokomodoError('write-failed', `cannot write ${path}: ${(e as Error).message}`, {
      hint: 'check the directory and its permissions, or pass --tokens FILE',
    });
  }
  const keyCalls = allow.filter(isKeyBearing);
  if (ctx.opts.json)
    printJson(ctx.out, {
      id: opts.id,
      ...(token === undefined ? { cert: opts.cert } : { token }),
      file: path,
      allow,
      expires: entry.expires ?? null,
    });
  else {
    if (token !== undefined) ctx.out.stdout(`${token}\n`);
    ctx.out.stderr(
      (token === undefined
        ? `entry ${opts.id} added to ${path}: a client certificate of the relay CA named ${opts.cert}\n`
        : `token ${opts.id} added to ${path} (only its sha256 is kept; this is the one time it is shown)\n`) +
        (keyCalls.length ? `  it may send key-bearing calls: ${keyCalls.join(', ')}\n` : '') +
        '  a running relay re-reads the file on SIGHUP\n',
    );
  }
  return ExitCode.ok;
}
