/**
 * Command-line entry: declares commands and options with commander, loads each command's code
 * only when it runs, and maps every failure to a message with a code, a hint and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { DokomodoError, ExitCode } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import type { Context, GlobalOptions } from './context.ts';
import { durationOption, intOption, listenOption, numberOption, pathOption, textOption } from './options.ts';
import { type Out, paint, processOut } from './output.ts';

declare const __DOKOMODO_VERSION__: string;
const VERSION = typeof __DOKOMODO_VERSION__ === 'string' ? __DOKOMODO_VERSION__ : '0.0.0-dev';

type Action = (ctx: Context, ...args: never[]) => Promise<number | undefined> | number | undefined;

export async function runCli(argv: string[], out: Out = processOut()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(out, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, out);
  }
}

/** Every command and option, wired to lazily loaded actions; `setExit` receives an action's exit code. */
export function createProgram(out: Out, setExit: (code: number) => void): Command {
  const program = new Command('dokomodo');

  /** Wraps a lazily imported command function into a commander action. */
  const lazy =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      if (globals.color === false) out.color = false;
      const ctx: Context = { opts: globals, out, cleanups: [] };
      const fn = await load();
      try {
        setExit((await fn(ctx, ...(args.slice(0, -1) as never[]))) ?? ExitCode.ok);
      } finally {
        // What the command opened (SSH masters and forwards of its runtime) ends with it.
        for (const c of ctx.cleanups.splice(0).reverse()) await c().catch(() => undefined);
      }
    };

  program
    .description('Run fleets of Komodo notary nodes and assetchains from one platform file.')
    .version(VERSION, '-V, --version')
    .addOption(
      pathOption('-f, --file <path>', 'platform file', process.env['DOKOMODO_FILE'] || 'dokomodo.yaml'),
    )
    .addOption(textOption('-e, --env <name>', 'environment (a named selection of chains and hosts)'))
    .option('--json', 'print data as JSON')
    .option('-v, --verbose', 'show retries and other details')
    .option('--no-color', 'no colours in the output')
    .addOption(
      textOption(
        '--via <url>',
        'reach Iguana through the relay gateway at https://HOST:PORT (token: DOKOMODO_RELAY_TOKEN)',
      ),
    )
    .addOption(textOption('--pin <sha256>', 'with --via: the relay certificate’s sha256 fingerprint'))
    .addOption(pathOption('--token-file <file>', 'with --via: read the relay token from this file (0600)'))
    .addOption(
      pathOption(
        '--relay-certs <dir>',
        'reach chains of other hosts through their relays’ mTLS tunnels (certificates in DIR)',
      ),
    )
    .addOption(
      textOption(
        '--relay-name <name>',
        'with --relay-certs: this machine’s certificate name (default operator)',
      ),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s), writeErr: (s) => out.stderr(s) });

  program
    .command('validate')
    .description('check the platform file; exit 0 when it is clean')
    .action(lazy(async () => (await import('./commands/validate.ts')).validate));

  program
    .command('chains')
    .description('list chains with their ports, magic, netmagic, daemon arguments and host')
    .action(lazy(async () => (await import('./commands/chains.ts')).chains));

  program
    .command('schema')
    .description('print the JSON Schema of the platform file (for editor completion)')
    .action(lazy(async () => (await import('./commands/schema.ts')).schema));

  program
    .command('render')
    .description(
      'write every deployment artifact (confs, iguana, systemd, compose, kubernetes, ansible, monitoring)',
    )
    .addOption(pathOption('-o, --out <dir>', 'output directory').makeOptionMandatory())
    .addOption(
      textOption('--host <name...>', 'only these hosts’ files (fleet-wide files are always written)'),
    )
    .addOption(textOption('-t, --target <list>', 'comma-separated targets, or all', 'all'))
    .option('--check', 'show what would change and exit 1 on drift; write nothing')
    .option('--prune', 'remove files written earlier that are no longer generated')
    .option('--force', 'replace files not written by dokomodo or changed by hand (backed up first)')
    .action(lazy(async () => (await import('./commands/render.ts')).render));

  program
    .command('deploy')
    .description('render, then apply it host by host through each host’s engine (Ansible over SSH)')
    .addOption(pathOption('-o, --out <dir>', 'the rendered tree (default: out/ beside the platform file)'))
    .addOption(textOption('--host <name...>', 'only these hosts'))
    .option('--plan', 'show what would change on which host (ansible --check --diff); change nothing')
    .addOption(intOption('--parallel <n>', 'hosts applied at once (default 1)', { min: 1, max: 256 }))
    .addOption(textOption('--extra-vars <name=value...>', 'more variables for the playbook'))
    .addOption(pathOption('--playbook <file>', 'another playbook than dokomodo’s ansible/site.yml'))
    .option('--no-render', 'apply the tree as it is, without rendering first')
    .option('--no-restart', 'do not restart running chains whose conf, unit or binary changed')
    .option(
      '--full',
      'run Ansible on every host, also those unchanged since their last deploy (finds hand edits)',
    )
    .action(lazy(async () => (await import('./commands/deploy.ts')).deploy));

  program
    .command('recover')
    .description(
      'rebuild a host from the platform file and the passphrase: fence, deploy, chains, keys, iguana, utxo, verify (resumable)',
    )
    .addOption(textOption('--host <name>', 'the host to recover').makeOptionMandatory())
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--fence', 'stop an Iguana with this key found running on another host (instead of refusing)')
    .option('--fence-unreachable', 'go on when a host cannot be checked for such an Iguana (it is down)')
    .option('--no-deploy', 'skip the deploy phase (the host’s files are already in place)')
    .option(
      '--consolidate',
      'before a split with no P2PKH funding, consolidate mined outputs into one and wait for it',
    )
    .option(
      '--rehearse',
      'the same phases here against the devnet, in a throw-away directory with a throw-away key',
    )
    .option('--keep', 'with --rehearse: keep the rehearsal’s directory (its daemons are stopped)')
    .addOption(
      pathOption('-o, --out <dir>', 'the rendered tree for deploy (default: out/ beside the platform file)'),
    )
    .addOption(textOption('--extra-vars <name=value...>', 'more variables for the playbook'))
    .addOption(pathOption('--playbook <file>', 'another playbook than dokomodo’s ansible/site.yml'))
    .addOption(pathOption('--journal-dir <dir>', 'the UTXO journals (default ~/.dokomodo/utxo)'))
    .addOption(
      durationOption('--wait <seconds>', 'how long a daemon or Iguana may take to answer after start', {
        min: 1,
        max: 3600,
        default: 60,
      }),
    )
    .action(lazy(async () => (await import('./commands/recover.ts')).recover));

  const season = program
    .command('season')
    .description('a season change as a planned change: plan it, then apply it fleet-wide');
  const seasonSource = (cmd: Command) =>
    cmd
      .addOption(intOption('--season <n>', 'a season built into dokomodo', { min: 1, max: 1000 }))
      .addOption(textOption('--set <set>', 'with --season: main (default) or 3p'))
      .addOption(
        pathOption('--elected <file>', 'an elected file (Iguana’s format), relative to the platform file'),
      )
      .addOption(textOption('--list <name>', 'the notary list that changes (default: the main Iguana’s)'));
  seasonSource(
    season
      .command('plan')
      .description('notaries and seeds in and out, whether this notary is elected, the Iguana restarts'),
  ).action(lazy(async () => (await import('./commands/season/plan.ts')).seasonPlanCommand));
  seasonSource(
    season
      .command('apply')
      .description(
        'point the list at the new season, then write each Iguana’s elected file on its host, restart it and run iguana up',
      ),
  )
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--fence', 'stop an Iguana with this key found running on another host (instead of refusing)')
    .option('--fence-unreachable', 'go on when a host cannot be checked for such an Iguana (it is down)')
    .option('--force', 'apply even when this notary’s pubkey is not in the new list')
    .option(
      '--again',
      'apply to the Iguanas although the platform file already has the list (after a failure)',
    )
    .addOption(
      durationOption('--wait <seconds>', 'how long an Iguana may take to answer after start', {
        min: 1,
        max: 3600,
        default: 60,
      }),
    )
    .action(lazy(async () => (await import('./commands/season/apply.ts')).seasonApplyCommand));

  program
    .command('import')
    .description('make a platform file from upstream data')
    .command('dpow')
    .description(
      'a platform file from a KomodoPlatform/dPoW checkout (or, with --diff, what upstream changed)',
    )
    .argument('<dir>', 'the dPoW checkout (the folder that holds iguana/)')
    .addOption(textOption('--host-main <address>', 'address of the main notary server', '203.0.113.10'))
    .addOption(textOption('--host-3p <address>', 'address of the third-party server', '203.0.113.11'))
    .addOption(pathOption('--out <file>', 'write the platform file here (default: standard output)'))
    .option('--force', 'replace an existing --out file')
    .option('--diff', 'compare with the platform file (-f) instead; exit 1 when upstream changed')
    .addOption(textOption('--commit <sha>', 'the checkout’s commit, for a checkout without .git'))
    .action(lazy(async () => (await import('./commands/import/dpow.ts')).importDpow));

  const lifecycle = (cmd: Command) =>
    cmd
      .argument('[chains...]', 'chains, environments, or all (default: the selection)')
      .option('--devnet', 'run dokomodo’s simulator instead of komodod')
      .addOption(pathOption('--datadir <dir>', 'put every chain’s data under this directory'))
      .addOption(
        intOption('--concurrency <n>', 'chains at once (default: defaults.start.concurrency)', {
          min: 1,
          max: 4096,
        }),
      )
      .addOption(
        durationOption('--warmup <seconds>', 'devnet only: -28 warm-up after start', { min: 0, max: 3600 }),
      );
  lifecycle(
    program.command('start').description('start chains; each counts as started when its RPC answers'),
  ).action(lazy(async () => (await import('./commands/start.ts')).start));
  lifecycle(program.command('stop').description('stop chains: RPC stop, wait, then signals')).action(
    lazy(async () => (await import('./commands/stop.ts')).stop),
  );
  lifecycle(program.command('restart').description('stop, then start chains')).action(
    lazy(async () => (await import('./commands/restart.ts')).restart),
  );
  program
    .command('status')
    .description('every chain and Iguana instance at a glance')
    .argument('[chains...]', 'chains, environments, or all')
    .option('-w, --watch', 'refresh until Ctrl-C')
    .addOption(
      durationOption('--interval <seconds>', 'refresh interval with --watch', {
        min: 1,
        max: 86400,
        default: 5,
      }),
    )
    .action(lazy(async () => (await import('./commands/status.ts')).status));
  program
    .command('rpc')
    .description('call one RPC method on one chain, a list, an environment, or all')
    .argument('<target>', 'chain, comma-separated chains, environment, or all')
    .argument('<method>', 'RPC method')
    .argument('[params...]', 'parameters (JSON values, or text)')
    .option('--ndjson', 'one JSON line per chain as each answers')
    .addOption(intOption('--concurrency <n>', 'chains at once', { min: 1, max: 4096, default: 128 }))
    .addOption(
      durationOption('--timeout <seconds>', 'per-call timeout', { min: 0.1, max: 3600, default: 30 }),
    )
    .action(lazy(async () => (await import('./commands/rpc.ts')).rpc));

  const utxo = program.command('utxo').description('notarization UTXOs: count, split, consolidate');
  utxo
    .command('status')
    .description('notarization UTXOs by Iguana’s rule, funds for a split, and whether one is due')
    .argument('[chains...]', 'chains, environments, or all')
    .addOption(intOption('--concurrency <n>', 'chains at once', { min: 1, max: 256, default: 8 }))
    .action(lazy(async () => (await import('./commands/utxo/status.ts')).utxoStatus));
  const utxoRun = (cmd: Command) =>
    cmd
      .argument('[chains...]', 'chains, environments, or all')
      .option('--dry-run', 'show the transactions; sign and send nothing')
      .addOption(
        numberOption('--fee-rate <sat/B>', 'fee rate for the size estimate', {
          above: 0,
          max: 1000,
          unit: 'sat/byte',
          default: 3.5,
        }),
      )
      .addOption(
        pathOption(
          '--journal-dir <dir>',
          'journal of signed transactions (crash recovery)',
          '~/.dokomodo/utxo',
        ),
      )
      .addOption(intOption('--concurrency <n>', 'chains at once', { min: 1, max: 256, default: 8 }));
  utxoRun(
    utxo
      .command('split')
      .description('below split_threshold: one transaction up to split_target (resumes a crashed run)'),
  ).action(lazy(async () => (await import('./commands/utxo/split.ts')).utxoSplit));
  utxoRun(
    utxo
      .command('consolidate')
      .description('merge everything but the notarization UTXOs into one P2PKH output to self'),
  )
    .addOption(
      intOption('--max-inputs <n>', 'inputs per transaction (at most 399)', {
        min: 1,
        max: 399,
        default: 399,
      }),
    )
    .action(lazy(async () => (await import('./commands/utxo/consolidate.ts')).utxoConsolidate));
  program
    .command('stats')
    .description('notarizations, last notarization, UTXOs, balance and days left, wallet size per chain')
    .argument('[chains...]', 'chains, environments, or all')
    .addOption(
      durationOption('--window <duration>', 'count notarizations over this window (e.g. 24h, 7d)', {
        min: 1,
        max: 366 * 86400,
        default: 86400,
      }),
    )
    .option('-w, --watch', 'refresh until Ctrl-C')
    .addOption(
      durationOption('--interval <seconds>', 'refresh interval with --watch', {
        min: 1,
        max: 86400,
        default: 30,
      }),
    )
    .addOption(
      pathOption('--datadir <dir>', 'the data directory given to `start --datadir` (for wallet.dat sizes)'),
    )
    .action(lazy(async () => (await import('./commands/stats.ts')).stats));
  program
    .command('checkfork')
    .description('compare each chain’s tip with longestchain and reference peers; report forks and lag > 10')
    .argument('[chains...]', 'chains, environments, or all')
    .addOption(pathOption('--peers <file>', 'JSON/YAML: { CHAIN: [{ url: http://user:pass@host:port }, …] }'))
    .addOption(
      durationOption('--timeout <seconds>', 'per-call timeout', { min: 0.1, max: 3600, default: 10 }),
    )
    .action(lazy(async () => (await import('./commands/checkfork.ts')).checkfork));

  const monitor = program
    .command('monitor')
    .description(
      'poll every chain and Iguana on a schedule; serve metrics and the API; evaluate and send alerts',
    )
    .argument('[chains...]', 'chains, environments, or all')
    // 9710 is MONITOR_PORT; importing it here would load the monitor for every command.
    .addOption(
      listenOption('--listen <[address:]port>', 'where to serve /metrics, /api and the page', {
        host: '127.0.0.1',
        port: 9710,
      }),
    )
    .addOption(
      durationOption('--interval <seconds>', 'seconds between polls', { min: 1, max: 86400, default: 30 }),
    )
    .option('--once', 'poll once, print the metrics, exit')
    .addOption(
      pathOption('--state-dir <dir>', 'where alert states and unsent messages are kept', '~/.dokomodo'),
    )
    .addOption(
      pathOption(
        '--datadir <dir>',
        'the data directory given to `start --datadir` (where the chains’ debug.log are)',
      ),
    )
    .addOption(
      textOption(
        '--as-host <name>',
        'the platform host this monitor runs on: its chains are reached on loopback, the others over SSH',
      ),
    )
    .addOption(
      textOption(
        '--container <compose|kubernetes>',
        'runs in a container of that target: compose reaches its host’s chains on loopback, kubernetes each chain’s Service; Iguana and log files are not read',
      ),
    )
    .action(lazy(async () => (await import('./commands/monitor.ts')).monitor));
  monitor
    .command('test-alert')
    .description(
      'send one test message through every alert channel of the platform file; exit 1 if one fails',
    )
    .action(lazy(async () => (await import('./commands/monitor/test-alert.ts')).testAlert));

  const relay = program
    .command('relay')
    .description(
      'on a host: the Iguana gateway (HTTPS, tokens) and the mTLS chain tunnels between hosts, until Ctrl-C',
    )
    .addOption(
      textOption('--host <name>', 'the platform host this relay runs on (default: the one local host)'),
    )
    .addOption(
      listenOption(
        '--listen <[address:]port>',
        'where the Iguana gateway listens (HTTPS; default 127.0.0.1 and the host’s relay.port, 7780)',
      ),
    )
    .addOption(
      listenOption(
        '--tunnel-listen <[address:]port>',
        'where the tunnel server for this host’s chains listens (mTLS; default the host’s address and relay.tunnel_port, 7781)',
      ),
    )
    .addOption(
      intOption(
        '--peer-port <port>',
        'the tunnel port of every other host’s relay (default: each host’s relay.tunnel_port)',
        {
          min: 1,
          max: 65535,
        },
      ),
    )
    .addOption(
      textOption(
        '--chain-address <address>',
        'where this host’s chains answer, for the tunnel server (default 127.0.0.1)',
      ),
    )
    .option('--no-gateway', 'serve no Iguana gateway here')
    .option('--no-tunnels', 'open no tunnel listeners for chains of other hosts')
    .addOption(
      pathOption(
        '--certs <dir>',
        'the CA and this relay’s certificate (`relay cert --out`)',
        '~/.dokomodo/relay',
      ),
    )
    .addOption(
      textOption('--name <name>', 'the certificate name (default: the host name; `relay cert`: required)'),
    )
    .addOption(pathOption('--tokens <file>', 'the tokens file', '~/.dokomodo/relay/relay.tokens'))
    .addOption(
      pathOption(
        '--audit <file>',
        'the audit log (JSON lines, 0600, appended)',
        '~/.dokomodo/relay/audit.log',
      ),
    )
    .addOption(
      intOption('--max-body <bytes>', 'largest request body', { min: 256, max: 16_777_216, default: 65_536 }),
    )
    .action(lazy(async () => (await import('./commands/relay.ts')).relay));
  relay
    .command('cert')
    .description('make the relay CA (once) and a relay’s certificate; print the fingerprint clients pin')
    .addOption(pathOption('--out <dir>', 'where the CA and certificates are kept').makeOptionMandatory())
    .addOption(
      textOption(
        '--san <list>',
        'comma-separated addresses and DNS names the relay is reached at',
      ).makeOptionMandatory(),
    )
    .addOption(
      intOption('--days <n>', 'validity of the relay certificate', { min: 1, max: 3650, default: 825 }),
    )
    .action(lazy(async () => (await import('./commands/relay/cert.ts')).relayCert));
  relay
    .command('token')
    .description('add a bearer token to the tokens file (only its sha256 is kept) and print it once')
    .addOption(
      textOption(
        '--id <name>',
        'who or what the token is for (shown in the audit log)',
      ).makeOptionMandatory(),
    )
    .addOption(
      textOption(
        '--allow <list>',
        'comma-separated methods: agent.method, agent.*, * (key-bearing calls such as walletpassphrase only by name)',
      ).makeOptionMandatory(),
    )
    .addOption(
      textOption(
        '--cert <name>',
        'an entry for the client certificate of this name (relay CA) instead of a bearer token',
      ),
    )
    .addOption(durationOption('--expires <seconds>', 'expiry from now', { min: 1, max: 10 * 365 * 86400 }))
    .addOption(
      numberOption('--rate <n>', 'calls per second (burst twice that)', {
        above: 0,
        max: 100_000,
        unit: 'calls/s',
      }),
    )
    .action(lazy(async () => (await import('./commands/relay/token.ts')).relayToken));

  const devnet = program.command('devnet').description('the built-in simulator of komodod and Iguana');
  devnet
    .command('up')
    .description('run every selected chain (and Iguana) simulated in one process, until Ctrl-C')
    .option('--detach', 'run in the background')
    .addOption(pathOption('--datadir <dir>', 'devnet data directory', '~/.dokomodo/devnet'))
    .addOption(
      durationOption('--blocktime <seconds>', 'seconds between simulated blocks; 0: only on `generate`', {
        min: 0,
        max: 86400,
        default: 10,
      }),
    )
    .addOption(
      durationOption('--warmup <seconds>', '-28 warm-up after start', { min: 0, max: 3600, default: 0 }),
    )
    .action(lazy(async () => (await import('./commands/devnet/up.ts')).devnetUp));
  devnet
    .command('down')
    .description('stop a detached devnet')
    .addOption(pathOption('--datadir <dir>', 'devnet data directory', '~/.dokomodo/devnet'))
    .action(lazy(async () => (await import('./commands/devnet/down.ts')).devnetDown));
  devnet
    .command('status')
    .description('is a devnet running')
    .addOption(pathOption('--datadir <dir>', 'devnet data directory', '~/.dokomodo/devnet'))
    .action(lazy(async () => (await import('./commands/devnet/status.ts')).devnetStatus));
  program
    .command('demo')
    .description('the example dev platform on the devnet: start it, show its status live, stop it on Ctrl-C')
    .addOption(pathOption('--datadir <dir>', 'demo data directory', '~/.dokomodo/demo'))
    .option('--once', 'show the status once, then stop')
    .addOption(durationOption('--interval <seconds>', 'refresh interval', { min: 1, max: 3600, default: 5 }))
    .action(lazy(async () => (await import('./commands/demo.ts')).demo));

  const keys = program.command('keys').description('notary keys: derive from the passphrase, convert WIFs');
  keys
    .command('derive')
    .description('derive the notary pubkey, and each coin’s address and WIF, from the passphrase')
    .addOption(textOption('--coins <list>', 'comma-separated coins (default: every known coin)'))
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--show-secrets', 'also print the private key and the WIFs')
    .action(lazy(async () => (await import('./commands/keys/derive.ts')).derive));
  keys
    .command('convert')
    .description('re-encode a WIF for another coin (reads the WIF from stdin or a prompt when omitted)')
    .argument('[wif]', 'the WIF, or - for standard input (an argument is visible to other users in `ps`)')
    .addOption(textOption('--to <coin>', 'target coin').makeOptionMandatory())
    .action(lazy(async () => (await import('./commands/keys/convert.ts')).convert));
  keys
    .command('import')
    .description('import the notary key into each chain’s wallet (no rescan) unless it holds it already')
    .argument('[chains...]', 'chains, environments, or all (default: the selection)')
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .addOption(intOption('--concurrency <n>', 'chains at once', { min: 1, max: 4096, default: 16 }))
    .addOption(
      durationOption('--wait <seconds>', 'how long to wait for a daemon in warm-up', {
        min: 0,
        max: 3600,
        default: 60,
      }),
    )
    .action(lazy(async () => (await import('./commands/keys/import.ts')).keysImport));

  const backupKey = (cmd: Command, what: string) =>
    cmd
      .option('--passphrase-stdin', 'read the wallet passphrase from standard input')
      .addOption(
        pathOption('--key-file <file>', `${what} with this backup key file instead of the passphrase`),
      );
  const backup = backupKey(
    program
      .command('backup')
      .description(
        'one encrypted file of what the platform file and the passphrase cannot rebuild (journals, state, the platform file, marked wallets)',
      )
      .addOption(
        pathOption(
          '--out <file>',
          'the backup file (default: ~/.dokomodo/backups/dokomodo-<UTC time>.backup)',
        ),
      )
      .addOption(pathOption('--journal-dir <dir>', 'where the UTXO journals are', '~/.dokomodo/utxo'))
      .addOption(
        pathOption('--datadir <dir>', 'the data directory given to `start --datadir` (for wallet files)'),
      ),
    'encrypt',
  ).action(lazy(async () => (await import('./commands/backup.ts')).backup));
  backupKey(
    backup
      .command('list')
      .description('the backups of a directory: time, size, key kind; with a key, their entries too')
      .argument('[dir]', 'the directory (default ~/.dokomodo/backups)'),
    'count the entries',
  ).action(lazy(async () => (await import('./commands/backup/list.ts')).backupList));
  backupKey(
    backup
      .command('verify')
      .description('decrypt a backup and check every entry’s sha256; restore nothing')
      .argument('<file>', 'the backup file'),
    'decrypt',
  ).action(lazy(async () => (await import('./commands/backup/verify.ts')).backupVerify));
  backupKey(
    program
      .command('restore')
      .description(
        'decrypt and check a whole backup, then write its files back with their modes (needs no platform file)',
      )
      .argument('<file>', 'the backup file')
      .option('--dry-run', 'list what would be written; write nothing')
      .option('--force', 'replace files that differ from the backup (each kept as FILE.bak-<time>)')
      .addOption(
        pathOption(
          '--extract <dir>',
          'write every entry as DIR/<entry name> instead (also those of other hosts, to copy there)',
        ),
      ),
    'decrypt',
  ).action(lazy(async () => (await import('./commands/restore.ts')).restore));

  const iguana = program.command('iguana').description('Iguana dPoW instances: bootstrap and status');
  iguana
    .command('up')
    .description('bootstrap an Iguana instance; resumable: finished steps are not repeated')
    .argument('[instance]', 'Iguana instance (default: every instance of the selection)')
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--fence', 'stop an Iguana with this key found running on another host (instead of refusing)')
    .option('--fence-unreachable', 'go on when a host cannot be checked for such an Iguana (it is down)')
    .addOption(
      pathOption(
        '--datadir <dir>',
        'the chains’ data directory as given to `start --datadir` (for addcoin paths)',
      ),
    )
    .addOption(
      durationOption('--wait <seconds>', 'how long to retry while Iguana starts or a daemon warms up', {
        min: 0,
        max: 3600,
        default: 60,
      }),
    )
    .action(lazy(async () => (await import('./commands/iguana/up.ts')).iguanaUp));
  iguana
    .command('status')
    .description('reachable?, coins added and dpow’d, peers, the current round, the age of the unlock')
    .argument('[instance]', 'Iguana instance (default: every instance of the selection)')
    .action(lazy(async () => (await import('./commands/iguana/status.ts')).iguanaStatusCmd));

  program
    .command('entrypoint')
    .description(
      'container start: write a chain’s conf (or Iguana’s files) from the platform secret, then name the daemon to exec',
    )
    .argument('<kind>', 'chain or iguana')
    .argument('<name>', 'the chain or Iguana instance, as named in the platform file')
    .addOption(
      pathOption(
        '--datadir <dir>',
        'the container’s data directory (Iguana: its working directory)',
        '/data',
      ),
    )
    .option('--dry-run', 'write nothing; show the files (passwords masked) and the command')
    .option(
      '--print-exec',
      'print the working directory and the daemon’s argv, one per line, for dokomodo-entrypoint to exec',
    )
    .option(
      '--per-host',
      'iguana: reach chains of other hosts at their host’s address (one compose project per host)',
    )
    .action(lazy(async () => (await import('./commands/entrypoint.ts')).entrypoint));

  return program;
}

function reportError(e: unknown, o: Out): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
      return ExitCode.ok;
    if (e.code === 'commander.executeSubCommandAsync') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (e instanceof DokomodoError) {
    o.stderr(`${paint(o, 'red', 'error')} ${e.code}: ${redact(e.message)}\n`);
    if (e.hint) o.stderr(`  hint: ${redact(e.hint)}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  o.stderr(
    `${paint(o, 'red', 'error')} internal: ${redact(message)}\n  hint: this is a bug in dokomodo; rerun with DOKOMODO_DEBUG=1 and report it\n`,
  );
  if (process.env['DOKOMODO_DEBUG'] && e instanceof Error && e.stack) o.stderr(`${redact(e.stack)}\n`);
  return ExitCode.internal;
}
