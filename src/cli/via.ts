/**
 * `--via URL --pin FINGERPRINT`: Iguana calls of a command go through a relay's gateway instead of
 * 127.0.0.1 (or SSH). The bearer token comes from `DOKOMODO_RELAY_TOKEN` or `--token-file` (0600),
 * never from the command line.
 */
import { readFileSync, statSync } from 'node:fs';
import { DokomodoError, usageError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';
import type { IguanaClient } from '../operator/iguana-client.ts';
import type { IguanaClientOptions } from '../operator/runtime.ts';
import { expandUserPath } from '../core/local.ts';
import type { Reach } from '../operator/runtime.ts';
import type { IguanaModel, Platform } from '../platform/model.ts';
import { readTls } from '../relay/material.ts';
import { relayReach } from '../relay/reach.ts';
import { normalizePin } from '../relay/wire.ts';
import { RelayIguanaClient } from '../relay/client.ts';

export const RELAY_TOKEN_ENV = 'DOKOMODO_RELAY_TOKEN';

export interface TunnelOptions {
  /** `--relay-certs DIR`: reach chains of other hosts through their relays' tunnels. */
  relayCerts?: string;
  /** `--relay-name NAME`: this machine's certificate in that directory. Default operator. */
  relayName?: string;
}

/** The reach of `--relay-certs`: chains of other hosts through the relays' mTLS tunnels. */
export function tunnelReach(opts: TunnelOptions): ((p: Platform) => Reach) | undefined {
  if (opts.relayCerts === undefined) return undefined;
  const material = readTls(expandUserPath(opts.relayCerts), opts.relayName ?? 'operator');
  return (p) => relayReach(p, material);
}

export interface ViaOptions {
  via?: string;
  pin?: string;
  tokenFile?: string;
}

/** The Iguana client factory of `--via`, or undefined without it. */
export function viaFactory(
  opts: ViaOptions & TunnelOptions,
  env: NodeJS.ProcessEnv = process.env,
): ((g: IguanaModel, o: IguanaClientOptions) => IguanaClient) | undefined {
  if (opts.via === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(opts.via);
  } catch {
    throw usageError('bad-option', `--via ${opts.via}: expected https://HOST:PORT of a relay`);
  }
  if (url.protocol !== 'https:' || url.pathname !== '/' || url.search !== '' || url.username !== '')
    throw usageError('bad-option', `--via ${opts.via}: expected https://HOST:PORT of a relay`);
  const pin = opts.pin === undefined ? undefined : normalizePin(opts.pin);
  if (pin === undefined)
    throw usageError(
      'relay-pin-missing',
      '--via needs --pin with the relay certificate’s sha256 fingerprint',
      '`dokomodo relay cert` printed it; `openssl x509 -noout -fingerprint -sha256 -in RELAY.pem` shows it again',
    );
  let token = env[RELAY_TOKEN_ENV];
  if (opts.tokenFile !== undefined) {
    try {
      if ((statSync(opts.tokenFile).mode & 0o077) !== 0)
        throw new DokomodoError('secret-file-mode', `${opts.tokenFile} is readable by group or others`, {
          hint: `chmod 600 ${opts.tokenFile}`,
        });
      token = readFileSync(opts.tokenFile, 'utf8').trim();
    } catch (e) {
      if (e instanceof DokomodoError) throw e;
      throw usageError('relay-token-missing', `cannot read --token-file ${opts.tokenFile}`);
    }
  }
  // without a token, this machine's certificate of the relay CA (--relay-certs) authenticates
  const material =
    !token && opts.relayCerts !== undefined
      ? readTls(expandUserPath(opts.relayCerts), opts.relayName ?? 'operator')
      : undefined;
  if (!token && !material)
    throw usageError(
      'relay-token-missing',
      `--via needs a relay token: set ${RELAY_TOKEN_ENV} or pass --token-file FILE (or --relay-certs DIR for a client certificate)`,
      '`dokomodo relay token` on the relay makes one; it is never taken from the command line',
    );
  if (token) registerSecret(token);
  const base = url.origin;
  return (g, o) =>
    new RelayIguanaClient({
      url: base,
      ...(token ? { token } : {}),
      ...(material ? { clientCert: { cert: material.cert, key: material.key } } : {}),
      pin,
      instance: g.name,
      label: `iguana ${g.name} via ${url.host}`,
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
      ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
    });
}
