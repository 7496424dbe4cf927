/**
 * Clients for a platform's daemons: every chain's JSON-RPC (credentials derived from the platform
 * secret) and every Iguana instance's API. The one place that decides which address a chain or
 * Iguana instance is reached at.
 */
import type { Dispatcher } from 'undici';
import { rpcCredentials } from '../komodo/creds.ts';
import { iguanaAddress, serviceAddress } from '../platform/address.ts';
import type { ChainModel, IguanaModel, Platform } from '../platform/model.ts';
import { IguanaClient } from './iguana-client.ts';
import { RpcClient, type RpcClientOptions } from './rpc/client.ts';

/** Where a chain on `hostName` is reached: the same address the rendered `rpchost` names (platform/address.ts). */
export function hostAddress(platform: Platform, hostName: string | undefined): string {
  return serviceAddress(platform.hosts.find((h) => h.name === hostName));
}

export interface ChainClientOptions
  extends Pick<RpcClientOptions, 'timeoutMs' | 'retry' | 'onEvent' | 'connections' | 'limits'> {
  dispatcher?: Dispatcher;
}

export function chainClient(
  platform: Platform,
  chain: ChainModel,
  secret: string,
  opts: ChainClientOptions = {},
): RpcClient {
  const creds = rpcCredentials(secret, chain.name);
  return new RpcClient({
    host: hostAddress(platform, chain.host),
    port: chain.rpc,
    user: creds.user,
    password: creds.password,
    label: chain.name,
    ...opts,
  });
}

export function iguanaClient(
  platform: Platform,
  g: IguanaModel,
  opts: { timeoutMs?: number; connectTimeoutMs?: number } = {},
): IguanaClient {
  return new IguanaClient({
    host: iguanaAddress(platform.hosts.find((h) => h.name === g.host)),
    port: g.port,
    label: `iguana ${g.name}`,
    ...opts,
  });
}
