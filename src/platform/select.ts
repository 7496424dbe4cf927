/** Narrowing a platform to an environment, a host, or a list of chains. */
import { didYouMean } from '../core/diagnostics.ts';
import { usageError } from '../core/errors.ts';
import type { ChainModel, Platform, Selection } from './model.ts';

/** The chains and hosts of environment `env` (all of them when undefined). Throws a usage error for an unknown name. */
export function selectEnvironment(platform: Platform, env: string | undefined): Selection {
  if (env === undefined) return { env: undefined, chains: platform.chains, hosts: platform.hosts };
  const e = platform.environments.find((x) => x.name === env);
  if (!e) {
    const names = platform.environments.map((x) => x.name);
    const guess = didYouMean(env, names);
    throw usageError(
      'unknown-environment',
      `environment \`${env}\` is not defined in ${platform.file}`,
      guess
        ? `did you mean \`${guess}\`?`
        : names.length
          ? `defined: ${names.join(', ')}`
          : 'add it under `environments`',
    );
  }
  const chains = new Set(e.chains);
  const hosts = new Set(e.hosts);
  return {
    env,
    chains: platform.chains.filter((c) => chains.has(c.name)),
    hosts: platform.hosts.filter((h) => hosts.has(h.name)),
  };
}

/**
 * Resolves chain targets named on the command line: chain names, `all`, or an environment name.
 * Unknown names are a usage error with a did-you-mean hint.
 */
export function selectChains(
  platform: Platform,
  selection: Selection,
  targets: readonly string[],
): ChainModel[] {
  if (targets.length === 0 || (targets.length === 1 && targets[0] === 'all')) return selection.chains;
  const byName = new Map(selection.chains.map((c) => [c.name, c]));
  const picked = new Set<string>();
  for (const t of targets.flatMap((x) => x.split(',')).filter(Boolean)) {
    const chain = byName.get(t);
    if (chain) {
      picked.add(chain.name);
      continue;
    }
    const env = platform.environments.find((e) => e.name === t);
    if (env) {
      for (const n of env.chains) if (byName.has(n)) picked.add(n);
      continue;
    }
    const guess = didYouMean(t, [...byName.keys(), ...platform.environments.map((e) => e.name)]);
    const outside = platform.chains.some((c) => c.name === t);
    throw usageError(
      'unknown-chain',
      outside
        ? `chain \`${t}\` is not part of environment \`${selection.env}\``
        : `no chain or environment named \`${t}\` in ${platform.file}`,
      guess ? `did you mean \`${guess}\`?` : '`dokomodo chains` lists them',
    );
  }
  // Platform-file order, whatever order the targets were named in.
  return selection.chains.filter((c) => picked.has(c.name));
}

/**
 * The platform as seen from host `name` itself (the monitor's `--as-host`): that host is this
 * machine — its daemons are reached on loopback and its files read directly — and every other
 * host stays as the platform file says (over SSH). Undefined when the platform has no such host.
 */
export function asHost(platform: Platform, name: string): Platform | undefined {
  if (!platform.hosts.some((h) => h.name === name)) return undefined;
  return {
    ...platform,
    hosts: platform.hosts.map((h) => (h.name === name ? { ...h, local: true, address: '127.0.0.1' } : h)),
  };
}
