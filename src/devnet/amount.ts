/**
 * Amounts. The engine counts satoshis in plain numbers (safe up to 2^53 sats, ~90 million coins,
 * far above anything a devnet mints). komodod prints amounts with exactly 8 decimals
 * (`0.00010000`), which JSON.stringify cannot do, so replies carry `Amount` objects whose toJSON
 * emits a marker that `stringifyRpc` swaps for the literal number text. Going through toJSON keeps
 * JSON.stringify on its fast native path (no replacer callback).
 */
export const COIN = 100_000_000;

export class Amount {
  constructor(readonly sats: number) {}
  toJSON(): string {
    return `\u0001${this.sats}\u0001`;
  }
}

export function amount(sats: number): Amount {
  return new Amount(sats);
}

/** `-0.00098800` style text for a satoshi count. */
export function formatSats(sats: number): string {
  const neg = sats < 0;
  const a = Math.abs(sats);
  const int = Math.floor(a / COIN);
  const frac = String(a % COIN).padStart(8, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}

const MARK = /"\\u0001(-?\d+)\\u0001"/g;

/** JSON.stringify with Amount values printed as komodod prints them. */
export function stringifyRpc(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return 'null';
  return s.includes('\\u0001') ? s.replace(MARK, (_m, d: string) => formatSats(Number(d))) : s;
}

/**
 * Parses an RPC amount the way komodod's AmountFromValue does: a number or a numeric string,
 * at most 8 decimals, not negative. Returns satoshis or a message for the -3 error.
 */
export function parseAmount(v: unknown): { sats: number } | { error: string } {
  if (typeof v !== 'number' && typeof v !== 'string') return { error: 'Amount is not a number or string' };
  const text = typeof v === 'number' ? numberText(v) : v.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return { error: 'Invalid amount' };
  const frac = m[3] ?? '';
  if (frac.length > 8 && !/^0*$/.test(frac.slice(8))) return { error: 'Invalid amount' };
  const sats = Number(m[2] || '0') * COIN + Number(frac.slice(0, 8).padEnd(8, '0'));
  if (m[1] === '-' && sats !== 0) return { error: 'Amount out of range' };
  if (!Number.isSafeInteger(sats)) return { error: 'Amount out of range' };
  return { sats };
}

/** Decimal text of a JS number without exponent notation (1e-8 → "0.00000001"). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'x';
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}
