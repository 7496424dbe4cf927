/**
 * A daemon's `getinfo`, also for daemons that no longer have it (bitcoind and litecoind removed
 * `getinfo`): then the same fields from `getblockchaininfo`, `getnetworkinfo` and `getbalance`.
 */
import { RpcError } from './rpc/client.ts';
import type { Rpc } from './utxo.ts';

export interface DaemonInfo {
  blocks?: number;
  longestchain?: number;
  connections?: number;
  balance?: number;
  notarized?: number;
  notarizedhash?: string;
  version?: number;
  KMDversion?: string;
  subversion?: string;
  /** Median offset of the peers' clocks from this host's, in seconds (komodod's getinfo). */
  timeoffset?: number;
}

const METHOD_NOT_FOUND = -32601;

export async function daemonInfo(rpc: Rpc): Promise<DaemonInfo> {
  try {
    return await rpc.call<DaemonInfo>('getinfo');
  } catch (e) {
    if (!(e instanceof RpcError) || e.code !== METHOD_NOT_FOUND) throw e;
  }
  const chain = await rpc.call<{ blocks?: number; headers?: number }>('getblockchaininfo');
  const info: DaemonInfo = {};
  if (typeof chain.blocks === 'number') info.blocks = chain.blocks;
  // Third-party daemons have no longestchain: the best header they know plays its part.
  if (typeof chain.headers === 'number') info.longestchain = chain.headers;
  try {
    const net = await rpc.call<{
      connections?: number;
      version?: number;
      subversion?: string;
      timeoffset?: number;
    }>('getnetworkinfo');
    if (typeof net.connections === 'number') info.connections = net.connections;
    if (typeof net.version === 'number') info.version = net.version;
    if (typeof net.subversion === 'string') info.subversion = net.subversion;
    if (typeof net.timeoffset === 'number') info.timeoffset = net.timeoffset;
  } catch {
    // network fields stay unknown
  }
  try {
    const balance = await rpc.call<number>('getbalance');
    if (typeof balance === 'number') info.balance = balance;
  } catch {
    // a daemon without a wallet
  }
  return info;
}
