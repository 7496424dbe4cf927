/**
 * Child process for the crash tests (bundled by utxo.test.ts): runs a split and SIGKILLs itself
 * right after the named step — `journaled` (signed and on disk, not sent) or `sent` (accepted by
 * the daemon, journal not yet removed).
 * Usage: node kill-split.mjs <platform file> <chain> <journal dir> <step>
 */
import { nodeRuntime } from '../../src/operator/runtime.ts';
import { fileJournal, splitChain, type UtxoStep } from '../../src/operator/utxo.ts';
import { loadPlatformFile } from '../../src/platform/index.ts';

const [file, chainName, journalDir, step] = process.argv.slice(2) as [string, string, string, UtxoStep];
const platform = loadPlatformFile(file).platform!;
const chain = platform.chains.find((c) => c.name === chainName)!;
const client = nodeRuntime(platform, { secret: process.env['DOKOMODO_SECRET']! }).clients.chain(chain, {
  timeoutMs: 10_000,
});
await splitChain(client, chain, {
  journal: fileJournal(journalDir),
  pubkey: platform.defaults.pubkey,
  onStep: (s) => {
    if (s === step) process.kill(process.pid, 'SIGKILL');
  },
});
// Reaching this line means the step never came: the test sees exit code 3, not SIGKILL.
process.exit(3);
