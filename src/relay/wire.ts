/** What the relay's gateway and its clients agree on: paths, headers, the pin's spelling. Kept light: the client side loads only this. */
export const NONCE_HEADER = 'x-dokomodo-nonce';
export const TIME_HEADER = 'x-dokomodo-time';
export const ERROR_HEADER = 'x-dokomodo-relay-error';
export const IGUANA_PATH = '/iguana';

/** `sha256:aa:bb…`, `AA:BB…` or `aabb…` → `AA:BB:…`; undefined when it is not 32 bytes of hex. */
export function normalizePin(pin: string): string | undefined {
  const hex = pin
    .replace(/^sha256[:/]/i, '')
    .replace(/:/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}
