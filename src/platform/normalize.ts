/**
 * Schema-valid input → Platform model, with the semantic rules that need the whole file:
 * names, references, parameters, computed vs declared ports, port and datadir clashes.
 * Each section has its own step under normalize/; the built-in defaults are in defaults.ts.
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import type { FileReader } from '../core/host.ts';
import { DEFAULTS } from './defaults.ts';
import type { Platform } from './model.ts';
import { normalizeAlerts } from './normalize/alerts.ts';
import { normalizeChains } from './normalize/chains.ts';
import { checkChainClashes, portClaims } from './normalize/clashes.ts';
import { createReport, type Parsed, parseDuration } from './normalize/context.ts';
import { normalizeDefaults } from './normalize/defaults-section.ts';
import { normalizeEnvironments } from './normalize/environments.ts';
import { normalizeHosts } from './normalize/hosts.ts';
import { MIN_SEEDS, normalizeIguana } from './normalize/iguana.ts';
import { normalizeNotaries } from './normalize/notaries.ts';
import { wireNotaryNode } from './normalize/notary-node.ts';
import type { PlatformInput } from './schema.ts';
import type { PlatformSource } from './source.ts';

export { MIN_SEEDS, parseDuration };

export function normalize(
  src: PlatformSource,
  input: Parsed,
  reader: FileReader | undefined,
): { platform: Platform; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const report = createReport(src, diags);

  const defaults = normalizeDefaults(input.defaults ?? {});
  const hosts = normalizeHosts(report, input.hosts, defaults);
  const chains = normalizeChains(report, input.chains, defaults, hosts);
  const chainByName = new Map(chains.map((c) => [c.name, c]));
  const allChainNames = Object.keys(input.chains);
  const claimPort = portClaims(report);
  checkChainClashes(report, chains, claimPort);
  const notaries = normalizeNotaries(report, input.notaries, src.file, reader);
  const iguana = normalizeIguana(report, input.iguana, {
    defaults,
    hosts,
    chainByName,
    allChainNames,
    notaries,
    notariesInput: input.notaries,
    claimPort,
  });
  wireNotaryNode(report, input.defaults, defaults, iguana, chainByName);
  const environments = normalizeEnvironments(report, input.environments, hosts, chains, allChainNames);

  const platform: Platform = {
    file: src.file,
    version: 1,
    secret: input.secret ?? { env: DEFAULTS.secretEnv },
    defaults,
    hosts: hosts.hosts,
    chains,
    iguana,
    notaries,
    environments,
    alerts: normalizeAlerts(input.alerts, parseDuration, report.warn),
  };
  return { platform, diagnostics: diags };
}

export type { PlatformInput };
