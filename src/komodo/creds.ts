/**
 * RPC credentials derived from the platform secret, so every host and container computes the same
 * values on its own without shipping a credentials file around.
 */
import { createHmac } from 'node:crypto';

/**
 * RPC user and password of one chain. Stable, versioned contract (`v1`) — changing it changes every
 * deployed conf file:
 *
 * ```
 * user     = 'dk' + hex(HMAC-SHA256(key = UTF-8(secret), msg = UTF-8('dokomodo/v1/rpcuser/' + chainKey)))[0..16]
 * password =        hex(HMAC-SHA256(key = UTF-8(secret), msg = UTF-8('dokomodo/v1/rpcpassword/' + chainKey)))
 * ```
 *
 * i.e. an 18-character user and a 64-character lower-case hex password; both only use characters
 * komodod's conf readers keep intact. `chainKey` names the chain instance (e.g. its platform name).
 */
export function rpcCredentials(secret: string, chainKey: string): { user: string; password: string } {
  // OpenSSL's HMAC: a render derives two per chain, 16,384 for the 8192-chain catalogue.
  const mac = (label: string): string =>
    createHmac('sha256', secret).update(`dokomodo/v1/${label}/${chainKey}`).digest('hex');
  return { user: `dk${mac('rpcuser').slice(0, 16)}`, password: mac('rpcpassword') };
}
