/**
 * Redaction: every string that reaches a terminal, a log or an error passes through here.
 * Known secret values (passphrases, derived RPC passwords) are registered at run time and masked
 * wherever they appear; URL credentials, conf password lines and Authorization headers are masked
 * by shape.
 */
const MASK = '***';
/** Registered values that are 64 lower-case hex digits (every derived RPC password). */
const hexSecrets = new Set<string>();
const otherSecrets = new Set<string>();
const HEX64 = /^[0-9a-f]{64}$/;

/** Registers a value that must never be printed. Values shorter than 4 characters are ignored. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  if (HEX64.test(value)) hexSecrets.add(value);
  else otherSecrets.add(value);
}

export function clearSecrets(): void {
  hexSecrets.clear();
  otherSecrets.clear();
}

/** Whether `text` contains a registered secret. */
export function containsSecret(text: string): boolean {
  for (const v of otherSecrets) if (text.includes(v)) return true;
  return hexSecrets.size > 0 && maskHex(text) !== text;
}

/**
 * A fan-out registers a password per chain: looking for each of a thousand of them in a long
 * output is quadratic, so the hex ones are found in one pass over the text's hex runs instead.
 */
function maskHex(s: string): string {
  if (hexSecrets.size === 0) return s;
  return s.replace(/[0-9a-f]{64,}/g, (run) => {
    if (run.length === 64) return hexSecrets.has(run) ? MASK : run;
    let out = run;
    for (let i = 0; i + 64 <= run.length; i++) {
      const w = run.slice(i, i + 64);
      if (hexSecrets.has(w)) out = out.split(w).join(MASK);
    }
    return out;
  });
}

export function redact(text: string): string {
  let s = maskHex(text);
  for (const v of otherSecrets) if (s.includes(v)) s = s.split(v).join(MASK);
  // Each shape only where its keyword occurs: the patterns are slow on long outputs (a status of
  // a thousand chains as JSON) that contain none of them.
  const lower = s.toLowerCase();
  if (lower.includes('://'))
    s = s.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi, `$1$2:${MASK}@`);
  if (lower.includes('rpcpassword')) {
    s = s
      .replace(/^(\s*rpcpassword\s*=).*$/gim, `$1${MASK}`)
      .replace(/("?rpcpassword"?\s*[:=]\s*"?)[^"\s,}]+/gi, `$1${MASK}`);
  }
  if (lower.includes('authorization'))
    s = s.replace(/(authorization\s*[:=]\s*"?(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi, `$1${MASK}`);
  if (lower.includes('pass'))
    s = s.replace(/("?(?:passphrase|password)"?\s*[:=]\s*")[^"]*(")/gi, `$1${MASK}$2`);
  return s;
}
