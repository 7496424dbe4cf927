/**
 * Redaction: every string that reaches a terminal, a log or an error passes through here.
 * Known secret values (passphrases, derived RPC passwords) are registered at run time and masked
 * wherever they appear; URL credentials, conf password lines and Authorization headers are masked
 * by shape.
 */
const MASK = '***';
const secrets = new Set<string>();

/** Registers a value that must never be printed. Values shorter than 4 characters are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function clearSecrets(): void {
  secrets.clear();
}

export function redact(text: string): string {
  let s = text;
  for (const v of secrets) if (s.includes(v)) s = s.split(v).join(MASK);
  return s
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi, `$1$2:${MASK}@`)
    .replace(/^(\s*rpcpassword\s*=).*$/gim, `$1${MASK}`)
    .replace(/("?rpcpassword"?\s*[:=]\s*"?)[^"\s,}]+/gi, `$1${MASK}`)
    .replace(/(authorization\s*[:=]\s*"?(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi, `$1${MASK}`)
    .replace(/("?(?:passphrase|password)"?\s*[:=]\s*")[^"]*(")/gi, `$1${MASK}$2`);
}
