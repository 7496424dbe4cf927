/**
 * A rehearsal of `recover --host H`: the same phases, on this machine, against the devnet, in a
 * throw-away directory — so the procedure can be run constantly (a timer, CI) and timed, without
 * touching a production host or key.
 *
 * The rehearsal platform is the platform's own model with host H made this machine: H's chains
 * (and every other coin its Iguana instances notarize) with their data under the directory, each
 * instance's working directory there too, H the only host (fencing asks no production host),
 * and a throw-away notary: a random passphrase whose pubkey replaces the notary list and
 * `-pubkey=` (the devnet mines to it). Ports stay the platform's, so a rehearsal refuses to start
 * where something already listens on one of them (`rehearse-port-busy`): run it on the
 * controller, in CI, or on a spare machine.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel, HostModel, IguanaModel, Platform } from '../platform/model.ts';
import { bootstrapOrder } from '../compiler/renderers/iguana.ts';
import { stopIguana } from './daemon/iguana-process.ts';
import { stopChains } from './lifecycle.ts';
import type { Runtime } from './runtime.ts';

export interface RehearsalPlan {
  platform: Platform;
  host: HostModel;
  /** Chains and instances the rehearsal runs. */
  chains: ChainModel[];
  instances: IguanaModel[];
}

/** A random passphrase for the throw-away notary of a rehearsal (never the operator's). */
export function rehearsalPassphrase(): string {
  return `dokomodo rehearsal ${randomBytes(24).toString('hex')}`;
}

/** The rehearsal platform of host `hostName` in `dir`, for the throw-away notary `pubkey`. */
export function rehearsalPlatform(
  platform: Platform,
  hostName: string,
  dir: string,
  pubkey: string,
): RehearsalPlan {
  const original = platform.hosts.find((h) => h.name === hostName);
  if (!original)
    throw new DokomodoError('unknown-host', `no host ${hostName} in ${platform.file}`, {
      hint: 'see `hosts:` in the platform file',
    });
  const host: HostModel = {
    ...original,
    address: '127.0.0.1',
    local: true,
    control: 'process',
    engine: 'ansible',
    user: undefined,
    home: dir,
    ssh: { ...original.ssh, options: {} },
  };
  const instances = platform.iguana
    .filter((g) => g.host === hostName)
    .map((g) => ({ ...g, workdir: `${dir}/iguana/${g.name}`, myip: g.myip ?? '127.0.0.1' }));
  const names = new Set(platform.chains.filter((c) => c.host === hostName).map((c) => c.name));
  for (const g of instances) for (const c of bootstrapOrder(platform, g)) names.add(c.name);
  const chains = platform.chains
    .filter((c) => names.has(c.name))
    .map((c) => ({
      ...c,
      host: hostName,
      datadir: `${dir}/chains/${c.name}`,
      customDatadir: true,
      // The devnet mines to -pubkey: the throw-away notary's coins (komodod chains; a coin has none).
      launchArgs: [
        ...c.launchArgs
          .filter((a) => !a.startsWith('-pubkey='))
          .map((a) => (a.startsWith('-notary=') ? `-notary=${dir}/notary.conf` : a)),
        ...(c.kind === 'coin' ? [] : [`-pubkey=${pubkey}`]),
      ],
    }));
  const lists = new Set(instances.map((g) => g.notaries));
  const notaries = platform.notaries
    .filter((n) => lists.has(n.name))
    .map((n) => ({ ...n, notaries: [{ name: 'rehearsal_XX', pubkey, ip: undefined }] }));
  const rehearsal: Platform = {
    ...platform,
    defaults: { ...platform.defaults, pubkey },
    hosts: [host],
    chains,
    iguana: instances,
    notaries,
    environments: [],
  };
  return { platform: rehearsal, host, chains, instances };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Refuses a rehearsal whose ports are taken here (a chain or Iguana of this machine). */
export async function checkRehearsalPorts(plan: RehearsalPlan): Promise<void> {
  const ports: [string, number][] = [
    ...plan.chains.flatMap((c): [string, number][] => [
      [`${c.name} rpc`, c.rpc],
      [`${c.name} p2p`, c.p2p],
    ]),
    ...plan.instances.map((g): [string, number] => [`iguana ${g.name}`, g.port]),
  ];
  const busy = (
    await Promise.all(
      ports.map(async ([what, port]) => ((await listening(port)) ? `${what} ${port}` : undefined)),
    )
  ).filter((x): x is string => x !== undefined);
  if (busy.length > 0) {
    throw new DokomodoError(
      'rehearse-port-busy',
      `a rehearsal uses the platform's ports, and something listens here on ${busy.join(', ')}`,
      {
        hint: 'rehearse on a machine that runs none of these chains (the controller, CI), or stop what listens',
      },
    );
  }
}

/** Stops what a rehearsal started (its Iguanas, then its chains). */
export async function endRehearsal(rt: Runtime, plan: RehearsalPlan): Promise<void> {
  for (const g of plan.instances) await stopIguana(rt, g).catch(() => undefined);
  await stopChains(rt, plan.chains).catch(() => undefined);
}
