/**
 * Entry point of the devnet Iguana executable (dist/iguana.js, bin/dokomodo-iguana.js): Iguana's
 * command line — `notary` (main: reads `elected` from the working directory) or `3rd_party`
 * (reads `3rd_party`), an optional `-port=N` — served by the simulator of devnet/iguana.ts until
 * SIGTERM or `SuperNET stop`. It lets a host run "an Iguana" the way a notary host does (a
 * process started in its working directory), for tests and rehearsals. Labelled a simulator in
 * its first log line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { startIguana } from './iguana.ts';

interface Elected {
  rpcport?: number;
  seeds?: string[];
  notaries?: Record<string, string>[];
}

function fail(message: string): never {
  process.stderr.write(`dokomodo-iguana: ${message}\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const mode = argv.includes('3rd_party') ? '3p' : 'main';
const file = mode === 'main' ? 'elected' : '3rd_party';
let elected: Elected = {};
if (existsSync(file)) {
  try {
    elected = JSON.parse(readFileSync(file, 'utf8')) as Elected;
  } catch (e) {
    fail(`${file}: not JSON (${(e as Error).message})`);
  }
}
const portArg = argv.find((a) => a.startsWith('-port='));
const port = portArg
  ? Number.parseInt(portArg.slice(6), 10)
  : (elected.rpcport ?? (mode === 'main' ? 7776 : 7779));
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`bad port ${portArg ?? elected.rpcport}`);
const notaries = (elected.notaries ?? []).flatMap((o) =>
  Object.entries(o).map(([name, pubkey]) => ({ name, pubkey })),
);
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
try {
  const sim = await startIguana({
    port,
    mode,
    ...(notaries.length ? { notaries } : {}),
    ...(elected.seeds ? { seeds: elected.seeds } : {}),
    log,
    onExit: () => process.exit(0),
  });
  log(
    `simulator of Iguana (dokomodo devnet), ${mode === 'main' ? 'notary' : '3rd_party'}, pid ${process.pid}`,
  );
  // Like Iguana: SIGTERM ends it at once, SIGINT is ignored.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {
    void sim.close().then(() => process.exit(0));
  });
} catch (e) {
  fail((e as Error).message);
}
