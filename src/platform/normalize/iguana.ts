/** The `iguana` section: each instance's mode, port, coins and notary list, checked against the chains. */
import { didYouMean } from '../../core/diagnostics.ts';
import { DEFAULTS } from '../defaults.ts';
import type { ChainModel, Defaults, IguanaModel, NotaryListModel } from '../model.ts';
import { NAME_RE } from '../schema.ts';
import type { ClaimPort } from './clashes.ts';
import { type Parsed, parseDuration, type Report } from './context.ts';
import type { Hosts } from './hosts.ts';

/** Iguana dies (0 seeds), segfaults (1) or spins without opening its port (2–7) below this. */
export const MIN_SEEDS = 8;

export interface IguanaContext {
  defaults: Defaults;
  hosts: Hosts;
  chainByName: Map<string, ChainModel>;
  /** Every key under `chains`, valid or not (a wrong chain is reported there, not again here). */
  allChainNames: string[];
  notaries: NotaryListModel[];
  /** The `notaries` section as written (to place the seeds diagnostic). */
  notariesInput: Parsed['notaries'];
  claimPort: ClaimPort;
}

export function normalizeIguana(report: Report, input: Parsed['iguana'], ctx: IguanaContext): IguanaModel[] {
  const { err, warn } = report;
  const { defaults, chainByName, allChainNames, claimPort } = ctx;
  const notaryByName = new Map(ctx.notaries.map((x) => [x.name, x]));
  const iguana: IguanaModel[] = [];
  const seedsReported = new Set<string>();
  for (const [name, g] of Object.entries(input ?? {})) {
    const path = ['iguana', name];
    if (!NAME_RE.test(name)) {
      err(
        'bad-name',
        path,
        `iguana instance name \`${name}\` is not allowed`,
        'use letters, digits, `_` or `-`',
        true,
      );
      continue;
    }
    const mode = g.mode ?? (g.port === DEFAULTS.iguana.port3p || /3p|third/i.test(name) ? '3p' : 'main');
    const port = g.port ?? (mode === '3p' ? DEFAULTS.iguana.port3p : DEFAULTS.iguana.port);
    const hostName = ctx.hosts.resolve(g.host, path);
    const seen = new Set<string>();
    const symbols = new Map<string, string>();
    g.coins.forEach((coinName, i) => {
      if (seen.has(coinName))
        err('duplicate-coin', [...path, 'coins', i], `${coinName} is listed twice in iguana \`${name}\``);
      seen.add(coinName);
      const sym = chainByName.get(coinName)?.symbol;
      const other = sym === undefined ? undefined : symbols.get(sym);
      if (sym !== undefined && other !== undefined && other !== coinName) {
        err(
          'duplicate-symbol',
          [...path, 'coins', i],
          `${coinName} and ${other} are both \`${sym}\` to Iguana`,
          'one Iguana instance can notarize each symbol once; move one to another instance',
        );
      } else if (sym !== undefined) {
        symbols.set(sym, coinName);
      }
      if (!chainByName.has(coinName) && !allChainNames.includes(coinName)) {
        const guess = didYouMean(coinName, allChainNames);
        err(
          'unknown-chain',
          [...path, 'coins', i],
          `iguana \`${name}\` notarizes \`${coinName}\`, which is not defined under chains`,
          guess ? `did you mean \`${guess}\`?` : 'add the chain under `chains`',
        );
      }
    });
    if (
      !g.coins.some((cn) => chainByName.get(cn)?.kind === 'kmd') &&
      g.coins.every((cn) => chainByName.has(cn))
    ) {
      err(
        'iguana-needs-kmd',
        [...path, 'coins'],
        `iguana \`${name}\` has no KMD: every chain is notarized into KMD`,
        'add KMD to its coins (it is added first at bootstrap)',
      );
    }
    if (!notaryByName.has(g.notaries)) {
      const guess = didYouMean(g.notaries, notaryByName.keys());
      err(
        'unknown-notaries',
        [...path, 'notaries'],
        `notary list \`${g.notaries}\` is not defined under notaries`,
        guess ? `did you mean \`${guess}\`?` : 'add it under `notaries`, e.g. `season8: { season: 8 }`',
      );
    } else if (notaryByName.get(g.notaries)!.seeds.length < MIN_SEEDS) {
      const list = notaryByName.get(g.notaries)!;
      if (!seedsReported.has(list.name)) {
        seedsReported.add(list.name);
        const declared = ctx.notariesInput?.[list.name]?.seeds !== undefined;
        err(
          'too-few-seeds',
          ['notaries', list.name, ...(declared ? ['seeds'] : [])],
          `notary list \`${list.name}\` has ${list.seeds.length} seed${list.seeds.length === 1 ? '' : 's'}; Iguana needs at least ${MIN_SEEDS} to start (with fewer it crashes or never opens its port)`,
          'list 8 or more seed IPs under `seeds` (the elected file of dPoW has 10); a local devnet may repeat one address, e.g. 127.0.0.2, eight times',
        );
      }
    }
    if (
      notaryByName.has(g.notaries) &&
      defaults.pubkey &&
      !notaryByName.get(g.notaries)!.notaries.some((x) => x.pubkey === defaults.pubkey)
    ) {
      warn(
        'elected-lacks-pubkey',
        [...path, 'notaries'],
        `defaults.pubkey is not in the notary list \`${g.notaries}\``,
        'Iguana refuses `dpow` for a pubkey outside the elected set',
      );
    }
    const unlockSeconds = Math.round(parseDuration(g.unlock, DEFAULTS.iguana.unlockSeconds * 1000) / 1000);
    if (unlockSeconds < 1)
      err('out-of-range', [...path, 'unlock'], 'the unlock time must be at least 1 s', 'e.g. `unlock: 24h`');
    claimPort(hostName, port, `iguana ${name}`, path);
    iguana.push({
      name,
      host: hostName,
      port,
      mode,
      coins: g.coins,
      notaries: g.notaries,
      workdir: g.workdir ?? DEFAULTS.iguana.workdir,
      myip: g.myip,
      unlockSeconds,
    });
  }
  return iguana;
}
