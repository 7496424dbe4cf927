/** The `environments` section: named selections of chains and hosts. */
import { didYouMean } from '../../core/diagnostics.ts';
import type { ChainModel, EnvironmentModel } from '../model.ts';
import { hostHint, type Parsed, type Report } from './context.ts';
import type { Hosts } from './hosts.ts';

export function normalizeEnvironments(
  report: Report,
  input: Parsed['environments'],
  hosts: Hosts,
  chains: ChainModel[],
  allChainNames: string[],
): EnvironmentModel[] {
  const { err } = report;
  const environments: EnvironmentModel[] = [];
  for (const [name, e] of Object.entries(input ?? {})) {
    const path = ['environments', name];
    const hostSel = e.hosts === undefined || e.hosts === 'all' ? hosts.names : e.hosts;
    if (Array.isArray(e.hosts)) {
      e.hosts.forEach((h, i) => {
        if (!hosts.byName.has(h))
          err(
            'unknown-host',
            [...path, 'hosts', i],
            `environment \`${name}\` names host \`${h}\`, which is not defined`,
            hostHint(h, hosts.names),
          );
      });
    }
    let chainSel: string[];
    if (e.chains === undefined || e.chains === 'all') {
      chainSel = chains.filter((c) => c.host === undefined || hostSel.includes(c.host)).map((c) => c.name);
    } else {
      chainSel = [];
      e.chains.forEach((cn, i) => {
        if (!allChainNames.includes(cn)) {
          const guess = didYouMean(cn, allChainNames);
          err(
            'unknown-chain',
            [...path, 'chains', i],
            `environment \`${name}\` names chain \`${cn}\`, which is not defined`,
            guess ? `did you mean \`${guess}\`?` : 'add the chain under `chains`',
          );
        } else {
          chainSel.push(cn);
        }
      });
    }
    environments.push({ name, chains: chainSel, hosts: [...hostSel], description: e.description });
  }
  return environments;
}
