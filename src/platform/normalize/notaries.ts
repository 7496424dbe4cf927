/** The `notaries` section: elected lists from a built-in season, an elected file, or inline. */
import type { FileReader } from '../../core/host.ts';
import { builtinSeason } from '../../komodo/seasons.ts';
import { DEFAULTS } from '../defaults.ts';
import type { NotaryListModel, NotaryModel } from '../model.ts';
import type { Parsed, Report } from './context.ts';
import { readNotaryFile } from './notary-file.ts';

export function normalizeNotaries(
  report: Report,
  input: Parsed['notaries'],
  platformFile: string,
  reader: FileReader | undefined,
): NotaryListModel[] {
  const { err } = report;
  const notaries: NotaryListModel[] = [];
  for (const [name, n] of Object.entries(input ?? {})) {
    const path = ['notaries', name];
    const sources = (['season', 'file', 'list'] as const).filter((k) => n[k] !== undefined);
    if (sources.length !== 1) {
      err(
        'notaries-source',
        path,
        `notary list \`${name}\` needs exactly one of season, file or list${sources.length ? ` (has ${sources.join(' and ')})` : ''}`,
        'e.g. `season: 8`, `file: elected.json` or `list: [{ name: …, pubkey: … }]`',
        true,
      );
      continue;
    }
    let list: NotaryModel[] = [];
    let source = 'inline';
    let fromFile: { port?: number; minsigs?: number; BTCminsigs?: number; seeds?: string[] } = {};
    if (n.season !== undefined) {
      const season = builtinSeason(n.season, n.set ?? DEFAULTS.notaries.set);
      if (!season) {
        err(
          'unknown-season',
          [...path, 'set'],
          `dokomodo has no built-in ${n.set === '3p' ? 'third-party' : 'main'} list for season ${n.season}`,
          'copy the elected file next to the platform file and use `file:` instead',
        );
        continue;
      }
      list = season.notaries.map((x) => ({ name: x.name, pubkey: x.pubkey, ip: undefined }));
      source = season.label;
      fromFile = {
        port: season.port,
        minsigs: season.minsigs,
        BTCminsigs: season.BTCminsigs,
        ...(season.seeds.length ? { seeds: [...season.seeds] } : {}),
      };
    } else if (n.set !== undefined) {
      err(
        'bad-value',
        [...path, 'set'],
        '`set` chooses between the built-in lists of a season',
        'use it with `season:`, or remove it',
        true,
      );
      continue;
    } else if (n.file !== undefined) {
      source = n.file;
      const loaded = readNotaryFile(n.file, platformFile, reader);
      if ('error' in loaded) {
        err('notaries-file', [...path, 'file'], `notary list file ${n.file}: ${loaded.error}`, loaded.hint);
        continue;
      }
      list = loaded.list;
      fromFile = loaded;
    } else {
      list = n.list!.map((x) => ({ name: x.name, pubkey: x.pubkey.toLowerCase(), ip: x.ip }));
    }
    const seenName = new Set<string>();
    const seenKey = new Set<string>();
    list.forEach((x, i) => {
      const epath = n.list ? [...path, 'list', i] : path;
      if (seenName.has(x.name))
        err('duplicate-notary', epath, `notary ${x.name} appears twice in \`${name}\``);
      if (seenKey.has(x.pubkey))
        err('duplicate-notary', epath, `pubkey of ${x.name} appears twice in \`${name}\``);
      seenName.add(x.name);
      seenKey.add(x.pubkey);
    });
    if (list.length > 64)
      err(
        'out-of-range',
        path,
        `notary list \`${name}\` has ${list.length} notaries; Iguana takes at most 64`,
      );
    notaries.push({
      name,
      source,
      file: n.file,
      port: n.port ?? fromFile.port ?? DEFAULTS.notaries.port,
      minsigs: n.minsigs ?? fromFile.minsigs ?? DEFAULTS.notaries.minsigs,
      BTCminsigs: n.BTCminsigs ?? fromFile.BTCminsigs ?? DEFAULTS.notaries.BTCminsigs,
      seeds: n.seeds ?? fromFile.seeds ?? [],
      notaries: list,
    });
  }
  return notaries;
}
