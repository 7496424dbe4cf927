/**
 * dokomodo devnet: a simulator of komodod and Iguana for tests, demos and dry runs. Everything it
 * serves is labelled as a simulator (getnetworkinfo `subversion` `/dokomodo-devnet:…/`, `help`).
 *
 * Entry points:
 * - {@link startDevnet}: many chains (and optionally Iguana instances) in one process — what
 *   `dokomodo devnet up` runs.
 * - {@link launchChain}: one chain started exactly like komodod (datadir, conf, ports, pid file).
 * - {@link startIguana}: one Iguana API simulator on a raw socket.
 * - `dist/komodod.js` / `bin/dokomodo-komodod.js`: a komodod-compatible executable
 *   (src/devnet/komodod-cli.ts), for process-level tests of start/stop.
 *
 * Clients for the real and simulated daemons live in src/operator (rpc/client.ts,
 * iguana-client.ts).
 */
export { Chain, type ChainOptions, type NotarizationRecord } from './chain.ts';
export { type Devnet, type DevnetChainSpec, type DevnetOptions, startDevnet } from './host.ts';
export { IguanaSim, type IguanaOptions, iguanaReplyBytes, startIguana } from './iguana.ts';
export { DevnetError, type LaunchSpec, type RunningChain, launchChain, resolvePaths } from './launch.ts';
export { ChainRpcServer, type RpcServerOptions, WARMUP_STATUSES } from './rpc-server.ts';
export { METHODS, SUBVERSION } from './rpc-methods.ts';
