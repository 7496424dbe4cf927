/** A notary node: KMD reads LTC's conf (-notary) and every daemon needs the notary pubkey. */
import type { ChainModel, Defaults, IguanaModel } from '../model.ts';
import type { Parsed, Report } from './context.ts';

/** Warns when Iguana runs without defaults.pubkey; adds -notary=<LTC conf> to KMD's launch arguments. */
export function wireNotaryNode(
  report: Report,
  inputDefaults: Parsed['defaults'],
  defaults: Defaults,
  iguana: IguanaModel[],
  chainByName: Map<string, ChainModel>,
): void {
  if (iguana.length > 0 && !defaults.pubkey) {
    report.warn(
      'notary-pubkey-unset',
      inputDefaults ? ['defaults'] : [],
      'defaults.pubkey is not set: the daemons start without -pubkey and Iguana cannot `dpow` for this node',
      'derive it with `dokomodo keys derive` and set `defaults.pubkey: 02…`',
    );
  }
  if (!defaults.pubkey) return;
  for (const g of iguana) {
    if (g.mode !== 'main') continue;
    const ltc = g.coins
      .map((n) => chainByName.get(n))
      .find((c) => c?.kind === 'coin' && c.coin.symbol === 'LTC');
    if (!ltc?.datadir.startsWith('~/')) continue;
    for (const kmd of g.coins.map((n) => chainByName.get(n))) {
      if (kmd?.kind !== 'kmd' || 'notary' in kmd.args || ltc.host !== kmd.host) continue;
      // komodod reads the LTC conf given relative to $HOME to check KMD→LTC notarizations.
      const conf = `${ltc.datadir.replace(/^~\//, '')}/${ltc.confName}`;
      const at = kmd.launchArgs.findIndex((a) => a.startsWith('-pubkey='));
      kmd.launchArgs.splice(at + 1, 0, `-notary=${conf}`);
    }
  }
}
