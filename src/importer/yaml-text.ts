/**
 * The few YAML spellings the importer writes, chosen so that js-yaml (the loader's value parser)
 * reads back exactly the string the checkout had: plain where that is safe, JSON-quoted otherwise.
 */
import yaml from 'js-yaml';

const PLAIN = /^[A-Za-z0-9._/~:-]+$/;

/** A scalar; decimal integers stay numbers unless `text` is set (leading zeros, > 2^53 are quoted). */
export function scalar(v: string, opts: { text?: boolean } = {}): string {
  if (/^(0|[1-9]\d*)$/.test(v)) {
    return !opts.text && Number.isSafeInteger(Number(v)) ? v : JSON.stringify(v);
  }
  // Decimals YAML reads back to the same text (0.000035), as komodod's amount options are written.
  if (!opts.text && /^(0|[1-9]\d*)\.\d*[1-9]$/.test(v) && String(Number(v)) === v) return v;
  if (PLAIN.test(v)) {
    try {
      if (yaml.load(v) === v) return v;
    } catch {
      // not plain-safe: quoted below
    }
  }
  return JSON.stringify(v);
}

export function key(k: string): string {
  return scalar(k, { text: true }).replace(/^"(\d+)"$/, '"$1"');
}

export function flowList(items: readonly string[]): string {
  return `[${items.map((x) => scalar(x)).join(', ')}]`;
}

export function flowMap(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `{ ${pairs.map(([k, v]) => `${key(k)}: ${scalar(v)}`).join(', ')} }`;
}
