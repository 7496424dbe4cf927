/**
 * Assetchains of the third-party Iguana. dPoW's `assetchains.json` lists only the main server's
 * chains: the 3P chains' launch parameters live in dPoW's update notes, and each runs its own
 * build of komodod. `dokomodo import dpow` takes them from here and checks them against the
 * checkout's coin files (netmagic and ports), so a change upstream is an error, not a silent drift.
 */
import type { Rules } from './params.ts';

export interface ThirdPartyChain {
  /** -ac_* parameters in the order the update notes give them. */
  params: Readonly<Record<string, string>>;
  rules: Rules;
  args: Readonly<Record<string, string>>;
  /** Daemon and CLI as keys of defaults.binaries. */
  daemon: { binary: string; cli: string };
  /** Where the binaries live in the layout dPoW's notes use. */
  paths: { binary: string; cli: string };
  /** Where the parameters and the binary name come from. */
  source: string;
}

export const THIRD_PARTY_CHAINS: Readonly<Record<string, ThirdPartyChain>> = {
  MCL: {
    params: { ac_supply: '2000000', ac_cc: '2', ac_marmara: '1', ac_staked: '75', ac_reward: '3000000000' },
    rules: 'marmara',
    args: { addressindex: '1', spentindex: '1' },
    daemon: { binary: 'marmarad', cli: 'marmara-cli' },
    // The notes start `marmarad` (0.7.10 spells it `mamarad`) and stop it with that build's komodo-cli.
    paths: { binary: '~/marmara/src/marmarad', cli: '~/marmara/src/komodo-cli' },
    source: 'KomodoPlatform/dPoW doc/update0510.md, doc/update0710.md',
  },
  TOKEL: {
    params: {
      ac_supply: '100000000',
      ac_eras: '2',
      ac_cbmaturity: '1',
      ac_reward: '100000000,4250000000',
      ac_end: '80640,0',
      ac_decay: '0,77700000',
      ac_halving: '0,525600',
      ac_cc: '555',
      ac_ccenable: '236,245,246,247',
      ac_adaptivepow: '6',
    },
    rules: 'komodo',
    args: {},
    daemon: { binary: 'tokeld', cli: 'tokel-cli' },
    paths: { binary: '~/tokel/src/tokeld', cli: '~/tokel/src/komodo-cli' },
    source: 'KomodoPlatform/dPoW doc/update059.md, doc/update0710.md',
  },
};
