/**
 * The one rule for where a host's services are reached, shared by the renderer (`rpchost` in an
 * addcoin payload) and dokomodo's own clients, so Iguana and dokomodo always call a chain at the
 * same address: the host's address as written — a loopback alias such as 127.0.0.2 stays
 * 127.0.0.2, since a daemon bound there does not answer on 127.0.0.1 — with `localhost`/`::1` and
 * a chain without a host meaning 127.0.0.1.
 */
import type { HostModel } from './model.ts';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1)$/;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address);
}

/** Where a chain daemon on `host` is reached (by Iguana's `rpchost` and by dokomodo). */
export function serviceAddress(host: Pick<HostModel, 'address'> | undefined): string {
  if (!host || host.address === 'localhost' || host.address === '::1') return '127.0.0.1';
  return host.address;
}

/**
 * Where an Iguana on `host` is reached: Iguana binds its API to 127.0.0.1 only (reference
 * iguana-dpow-rpc.md §1), so on this machine — any loopback address — that is 127.0.0.1.
 */
export function iguanaAddress(host: Pick<HostModel, 'address'> | undefined): string {
  return !host || isLoopback(host.address) ? '127.0.0.1' : host.address;
}
