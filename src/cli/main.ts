declare const __DOKOMODO_VERSION__: string;
const argv = process.argv.slice(2);
// A reader that goes away (`dokomodo status | head`) ends our output, not the command: the rest
// of what it does (starting chains, closing connections, releasing a lock) still happens.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${__DOKOMODO_VERSION__}\n`);
} else {
  const { setDistFromModule } = await import('./paths.ts');
  setDistFromModule(import.meta.url);
  const { runCli } = await import('./run.ts');
  process.exitCode = await runCli(argv);
}
