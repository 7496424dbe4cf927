/**
 * Entry point of the devnet `komodod` executable (dist/komodod.js, bin/dokomodo-komodod.js).
 * Kept to the minimum so start-up only loads what running one chain needs.
 */
import { processIo, runKomodod } from './komodod-cli.ts';

process.exitCode = await runKomodod(process.argv.slice(2), processIo());
