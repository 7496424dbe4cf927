/** Reading an elected notary file next to the platform file. */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { FileReader } from '../../core/host.ts';
import type { NotaryModel } from '../model.ts';

export type NotaryFile =
  | { list: NotaryModel[]; port?: number; minsigs?: number; BTCminsigs?: number; seeds?: string[] }
  | { error: string; hint?: string };

/** Reads an elected file: Iguana's `{port, minsigs, seeds, notaries: [{name: pubkey}]}` or a flat `{name: pubkey}`. */
export function readNotaryFile(
  file: string,
  platformFile: string,
  reader: FileReader | undefined,
): NotaryFile {
  if (!reader) return { error: 'cannot be read here', hint: 'load the platform from disk' };
  const path = isAbsolute(file) ? file : resolve(dirname(platformFile), file);
  const got = reader.read(path);
  if ('error' in got) return { error: got.error, hint: 'the path is relative to the platform file' };
  let json: unknown;
  try {
    json = JSON.parse(got.text);
  } catch {
    return {
      error: 'is not valid JSON',
      hint: 'it must be an Iguana elected file or a flat {"name": "pubkey"} object',
    };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return {
      error: 'must be a JSON object',
      hint: 'an Iguana elected file or a flat {"name": "pubkey"} object',
    };
  }
  const obj = json as Record<string, unknown>;
  const pairs: Array<[string, unknown]> = [];
  if (Array.isArray(obj['notaries'])) {
    for (const entry of obj['notaries']) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry)) pairs.push(...Object.entries(entry));
      else return { error: 'has a `notaries` entry that is not a {"name": "pubkey"} object' };
    }
  } else {
    pairs.push(...Object.entries(obj));
  }
  const list: NotaryModel[] = [];
  for (const [name, pubkey] of pairs) {
    if (typeof pubkey !== 'string' || !/^(02|03)[0-9a-fA-F]{64}$/.test(pubkey)) {
      return { error: `notary ${name} has no valid 66-hex-digit compressed pubkey` };
    }
    list.push({ name, pubkey: pubkey.toLowerCase(), ip: undefined });
  }
  if (list.length === 0) return { error: 'lists no notaries' };
  const num = (k: string) => (typeof obj[k] === 'number' ? (obj[k] as number) : undefined);
  const seeds = Array.isArray(obj['seeds'])
    ? (obj['seeds'] as unknown[]).filter((s): s is string => typeof s === 'string')
    : undefined;
  const out: NotaryFile = { list };
  const port = num('port');
  const minsigs = num('minsigs');
  const btc = num('BTCminsigs');
  if (port !== undefined) out.port = port;
  if (minsigs !== undefined) out.minsigs = minsigs;
  if (btc !== undefined) out.BTCminsigs = btc;
  if (seeds) out.seeds = seeds;
  return out;
}
