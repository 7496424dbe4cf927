/**
 * Fencing: never two signers with one key. Every Iguana of a platform signs with the one notary
 * key, so before an Iguana instance is started (or unlocked) on its host, every other host of
 * the platform where an Iguana could run is asked, through its shell, whether an Iguana of the
 * same mode (main or third party) runs there under its service user. One that runs refuses the
 * start and is named — unless `fence` is given, which stops it first (SIGTERM, then SIGKILL) and
 * says so. A host that cannot be asked refuses too, unless `fenceUnreachable` says the operator
 * took it down.
 */
import { DokomodoError } from '../core/errors.ts';
import type { HostModel, IguanaModel } from '../platform/model.ts';
import { findIguanas, killIguana } from './daemon/iguana-process.ts';
import type { Runtime } from './runtime.ts';

export interface FenceFinding {
  host: string;
  /** `running`: an Iguana of a mode we start runs there; `unreachable`: the host could not be asked. */
  state: 'running' | 'unreachable';
  mode?: IguanaModel['mode'];
  pid?: number;
  args?: string;
  reason?: string;
  /** What was done about it. */
  action?: 'stopped' | 'killed' | 'accepted-unreachable';
}

export interface FenceOptions {
  /** The instances about to start, all on `target`. */
  instances: readonly IguanaModel[];
  /** Their host (undefined: this machine). */
  target: string | undefined;
  /** Stop a running Iguana found elsewhere instead of refusing. */
  fence?: boolean;
  /** Go on when a host cannot be asked (the operator says it is down). */
  fenceUnreachable?: boolean;
  onEvent?: (f: FenceFinding) => void;
}

/** Every host but the target that could run an Iguana: role `iguana`, or named by an instance. */
export function fenceHosts(rt: Runtime, target: string | undefined): HostModel[] {
  const named = new Set(rt.platform.iguana.map((g) => g.host));
  // This machine under several names (no host, or `local` hosts) is one machine: not "another host".
  const here = target === undefined || rt.hostOf(target)?.local === true;
  return rt.platform.hosts.filter(
    (h) => h.name !== target && !(here && h.local) && (h.roles.includes('iguana') || named.has(h.name)),
  );
}

/**
 * Checks the other hosts and fences (or refuses). Returns what was found and done; throws
 * `fence-conflict` or `fence-unreachable` when it refuses, before anything was stopped.
 */
export async function fenceCheck(rt: Runtime, opts: FenceOptions): Promise<FenceFinding[]> {
  const modes = new Set(opts.instances.map((g) => g.mode));
  if (modes.size === 0) return [];
  const hosts = fenceHosts(rt, opts.target);
  const findings: FenceFinding[] = [];
  const running: { finding: FenceFinding; host: HostModel }[] = [];
  await Promise.all(
    hosts.map(async (host) => {
      try {
        const shell = rt.shell(host);
        for (const f of await findIguanas(shell, host.user ?? host.ssh.user)) {
          if (!modes.has(f.mode)) continue;
          const finding: FenceFinding = {
            host: host.name,
            state: 'running',
            mode: f.mode,
            pid: f.pid,
            args: f.args,
          };
          findings.push(finding);
          running.push({ finding, host });
        }
      } catch (e) {
        findings.push({ host: host.name, state: 'unreachable', reason: (e as Error).message });
      }
    }),
  );
  findings.sort((a, b) => a.host.localeCompare(b.host) || (a.pid ?? 0) - (b.pid ?? 0));
  const lost = findings.filter((f) => f.state === 'unreachable');
  if (running.length > 0 && !opts.fence) {
    const list = running.map(({ finding: f }) => `${f.host} (pid ${f.pid}: ${f.args})`).join(', ');
    throw new DokomodoError(
      'fence-conflict',
      `an Iguana with this notary key already runs on ${list}: a second one would sign with the same key`,
      {
        hint: 'stop it there first, or pass --fence to have dokomodo stop it (SIGTERM, then SIGKILL) before starting this one',
      },
    );
  }
  if (lost.length > 0 && !opts.fenceUnreachable) {
    throw new DokomodoError(
      'fence-unreachable',
      `cannot check ${lost.map((f) => `${f.host} (${f.reason})`).join(', ')} for a running Iguana with this notary key`,
      {
        hint: 'make sure it is down (powered off, or its Iguana stopped), then pass --fence-unreachable to go on',
      },
    );
  }
  for (const f of lost) {
    f.action = 'accepted-unreachable';
    opts.onEvent?.(f);
  }
  for (const { finding, host } of running) {
    finding.action = await killIguana(rt.shell(host), finding.pid!, host.name);
    opts.onEvent?.(finding);
  }
  return findings;
}
