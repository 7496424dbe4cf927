/**
 * Daemon control of one host, behind one interface, whatever runs the daemons there: dokomodo's
 * own processes (`process`, local or over SSH), systemd units (`systemd`, `systemd-user`), docker
 * compose services (`compose`) or Kubernetes StatefulSets (`kubectl`). The backend is chosen per
 * host from the platform file (`hosts.H.control`); every program runs through the host's shell
 * (remote/shell.ts), so a backend never knows whether its host is this machine.
 *
 * start resolves when the chain's RPC answers outside warm-up (readiness by RPC, never a sleep);
 * stop when the daemon is gone. Both are idempotent, and both fail per chain with a coded
 * DokomodoError so a fan-out carries on with the other chains.
 */
import type { ChainModel, HostModel } from '../../platform/model.ts';
import type { RpcClient } from '../rpc/client.ts';
import type { HostShell } from '../remote/shell.ts';
import type { DaemonEvent, StartState, StopState } from './local.ts';

export type ControlKind = HostModel['control'];

/** What a backend knows of a daemon without asking it over RPC. */
export type UnitState = 'active' | 'inactive' | 'failed' | 'unknown';

export interface ControlContext {
  host: HostModel;
  shell: HostShell;
  /** The chain's RPC client as reached from here (through the host's shell when remote). */
  client(chain: ChainModel): Promise<RpcClient>;
  onEvent?: (e: DaemonEvent) => void;
}

export interface DaemonControl {
  readonly kind: ControlKind;
  start(chain: ChainModel): Promise<{ state: StartState }>;
  stop(chain: ChainModel): Promise<{ state: StopState }>;
  /** The unit/container/process state as the backend sees it (status adds it to the RPC view). */
  unitState(chain: ChainModel): Promise<UnitState>;
}
