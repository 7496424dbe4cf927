/** The `defaults` section: what every chain and host inherits, with the built-in defaults applied. */
import { DEFAULTS } from '../defaults.ts';
import type { Defaults } from '../model.ts';
import { type Parsed, parseDuration } from './context.ts';

export function normalizeDefaults(d: NonNullable<Parsed['defaults']>): Defaults {
  return {
    datadir: d.datadir ?? DEFAULTS.datadir,
    host: d.host,
    user: d.user,
    pubkey: d.pubkey?.toLowerCase(),
    binaries: { ...DEFAULTS.binaries, ...(d.binaries ?? {}) },
    rpc: {
      bind: d.rpc?.bind ?? DEFAULTS.rpc.bind,
      allowip: d.rpc?.allowip ?? [...DEFAULTS.rpc.allowip],
      workqueue: d.rpc?.workqueue ?? DEFAULTS.rpc.workqueue,
      threads: d.rpc?.threads,
    },
    start: {
      concurrency: d.start?.concurrency ?? DEFAULTS.start.concurrency,
      timeoutMs: parseDuration(d.start?.timeout, DEFAULTS.start.timeoutMs),
    },
    stop: { timeoutMs: parseDuration(d.stop?.timeout, DEFAULTS.stop.timeoutMs) },
    whitelist: d.whitelist ?? [],
    containers: {
      image: d.containers?.image ?? DEFAULTS.containers.image,
      iguanaImage: d.containers?.iguana_image ?? DEFAULTS.containers.iguanaImage,
      namespace: d.containers?.namespace ?? DEFAULTS.containers.namespace,
      storage: d.containers?.storage ?? DEFAULTS.containers.storage,
      storageClass: d.containers?.storage_class,
      cpu: d.containers?.cpu ?? DEFAULTS.containers.cpu,
      memory: d.containers?.memory ?? DEFAULTS.containers.memory,
    },
  };
}
