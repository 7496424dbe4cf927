declare const __DOKOMODO_VERSION__: string;
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${__DOKOMODO_VERSION__}\n`);
} else {
  const { setDistFromModule } = await import('./paths.ts');
  setDistFromModule(import.meta.url);
  const { runCli } = await import('./run.ts');
  process.exitCode = await runCli(argv);
}
