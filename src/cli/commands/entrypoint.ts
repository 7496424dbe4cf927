/**
 * `dokomodo entrypoint chain|iguana NAME`: what a dokomodo container runs at start (through the
 * image's wrapper, containers/entrypoint.sh). Derives the RPC credentials from the platform
 * secret, writes the chain's conf (or Iguana's elected file and payloads) atomically with mode
 * 0600, and tells the wrapper what to exec: Node cannot replace itself with the daemon, the shell
 * can, and that is what makes the daemon PID 1.
 */
import { writeFileAtomic } from '../../core/atomic.ts';
import { closeSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import {
  CONTAINER_DATADIR,
  type ContainerPlan,
  chainContainerPlan,
  containerNames,
  containerSecretEnv,
  iguanaContainerPlan,
  RPC_ALLOWIP_ENV,
  SECRET_NAME,
} from '../../compiler/renderers/entrypoint.ts';
import { didYouMean } from '../../core/diagnostics.ts';
import { DokomodoError, ExitCode, usageError } from '../../core/errors.ts';
import { nodeHost, type SystemHost } from '../../core/host.ts';
import { registerSecret } from '../../core/redact.ts';
import { rpcCredentials } from '../../komodo/creds.ts';
import type { Platform } from '../../platform/model.ts';
import { readSecret } from '../../platform/secret.ts';
import { type Context, loadOrExit } from '../context.ts';
import { printJson } from '../output.ts';
import { unusablePath } from '../paths.ts';

export interface EntrypointOptions {
  datadir?: string;
  dryRun?: boolean;
  printExec?: boolean;
  perHost?: boolean;
}

export async function entrypoint(
  ctx: Context,
  kind: string,
  name: string,
  opts: EntrypointOptions,
): Promise<number> {
  if (kind !== 'chain' && kind !== 'iguana') {
    throw usageError(
      'bad-kind',
      `\`${kind}\` is neither chain nor iguana`,
      'dokomodo entrypoint chain NAME, or dokomodo entrypoint iguana NAME',
    );
  }
  const platform = await loadOrExit(ctx);
  const host = nodeHost();
  const datadir = opts.datadir ?? CONTAINER_DATADIR;
  if (!datadir.startsWith('/'))
    throw usageError('bad-datadir', `--datadir ${datadir} is not an absolute path`);
  let plan: ContainerPlan;
  if (kind === 'chain') {
    const chain = platform.chains.find((c) => c.name === name);
    if (!chain)
      throw unknown(
        'chain',
        name,
        platform.chains.map((c) => c.name),
      );
    const secret = containerSecret(platform, host);
    registerSecret(rpcCredentials(secret, chain.name).password);
    plan = chainContainerPlan(platform, secret, chain, { datadir, allowip: allowip(host) });
  } else {
    const g = platform.iguana.find((x) => x.name === name);
    if (!g)
      throw unknown(
        'iguana',
        name,
        platform.iguana.map((x) => x.name),
      );
    const secret = containerSecret(platform, host);
    for (const c of g.coins) registerSecret(rpcCredentials(secret, c).password);
    plan = iguanaContainerPlan(platform, secret, g, { dir: datadir, perHost: opts.perHost === true });
  }
  checkExecPlan(plan);

  const written: string[] = [];
  if (!opts.dryRun) {
    for (const f of plan.files) {
      try {
        writeAtomic(f.path, f.content, f.mode);
      } catch (e) {
        throw unusablePath(
          e,
          '--datadir',
          datadir,
          f.path,
          'point --datadir at a writable directory (the container’s data volume)',
        );
      }
      written.push(f.path);
    }
  }

  if (opts.printExec) {
    // The wrapper's protocol: the working directory, then one argv word per line.
    for (const f of plan.files)
      ctx.out.stderr(`dokomodo: ${opts.dryRun ? 'would write' : 'wrote'} ${f.path} (${mode(f.mode)})\n`);
    ctx.out.stderr(`dokomodo: exec ${plan.argv.join(' ')} (in ${plan.cwd})\n`);
    ctx.out.stdout(`${[plan.cwd, ...plan.argv].join('\n')}\n`);
    return ExitCode.ok;
  }
  if (ctx.opts.json) {
    printJson(ctx.out, {
      kind,
      name,
      service:
        kind === 'chain' ? containerNames(platform).chain(name) : containerNames(platform).iguana(name),
      dryRun: opts.dryRun === true,
      files: plan.files.map((f) => ({
        path: f.path,
        mode: mode(f.mode),
        bytes: Buffer.byteLength(f.content),
        written: written.includes(f.path),
      })),
      exec: { cwd: plan.cwd, argv: plan.argv },
    });
    return ExitCode.ok;
  }
  for (const f of plan.files) {
    ctx.out.stdout(`${opts.dryRun ? 'would write' : 'wrote'} ${f.path} (${mode(f.mode)})\n`);
    // Shown through the output's redaction: rpcpassword lines and the derived passwords are masked.
    if (opts.dryRun) ctx.out.stdout(indent(f.content));
  }
  ctx.out.stdout(`exec (in ${plan.cwd}): ${plan.argv.join(' ')}\n`);
  if (!opts.dryRun)
    ctx.out.stdout('the image runs this through dokomodo-entrypoint, which execs the daemon as PID 1\n');
  return ExitCode.ok;
}

function unknown(what: string, name: string, names: string[]): DokomodoError {
  const guess = didYouMean(name, names);
  return usageError(
    `unknown-${what}`,
    `no ${what === 'chain' ? 'chain' : 'Iguana instance'} named \`${name}\` in the platform file`,
    guess ? `did you mean \`${guess}\`?` : `defined: ${names.join(', ') || '(none)'}`,
  );
}

/**
 * The secret from the container's environment. A platform that reads it from a file still gets it
 * from DOKOMODO_SECRET here: containers mount the platform file, never the secret file.
 */
function containerSecret(platform: Platform, host: SystemHost): string {
  const env = containerSecretEnv(platform);
  const source: Platform = 'env' in platform.secret ? platform : { ...platform, secret: { env } };
  try {
    return readSecret(source, host);
  } catch (e) {
    if (e instanceof DokomodoError && e.code === 'secret-missing') {
      throw new DokomodoError(
        'secret-missing',
        `the platform secret is not set: environment variable ${env} is empty`,
        {
          hint:
            `compose: set ${env}= in .env next to docker-compose.yml (cp -p .env.example .env); ` +
            `Kubernetes: kubectl create secret generic ${SECRET_NAME} --from-literal=${env}=…; ` +
            'every host and container must use the same value',
        },
      );
    }
    throw e;
  }
}

function allowip(host: SystemHost): string[] | undefined {
  const raw = host.env[RPC_ALLOWIP_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ip of list) {
    if (!/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(ip)) {
      throw usageError(
        'bad-allowip',
        `${RPC_ALLOWIP_ENV}: \`${ip}\` is not an address or CIDR range`,
        'e.g. 127.0.0.1,10.0.0.0/8',
      );
    }
  }
  return list;
}

/** The wrapper reads one word per line: a line break inside one would split it. */
function checkExecPlan(plan: ContainerPlan): void {
  for (const w of [plan.cwd, ...plan.argv]) {
    if (w === '' || /[\r\n]/.test(w))
      throw new Error(`exec word ${JSON.stringify(w)} cannot be passed to the wrapper`);
  }
}

function mode(m: number): string {
  return m.toString(8).padStart(4, '0');
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ').replace(/ +$/, '');
}

// ---- writing --------------------------------------------------------------------------------

/** Berkeley DB's btree magic at offset 12, either byte order: the format of wallet.dat. */
function looksLikeBerkeleyDb(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    if (readSync(fd, buf, 0, 16, 0) < 16) return false;
    const m = buf.readUInt32LE(12);
    return m === 0x00053162 || buf.readUInt32BE(12) === 0x00053162;
  } finally {
    closeSync(fd);
  }
}

function walletError(path: string, why: string): DokomodoError {
  return new DokomodoError('wallet-protected', `refusing to write ${path}: ${why}`, {
    hint: 'dokomodo never replaces a wallet; move the wallet out of the way, or point --datadir elsewhere',
  });
}

/** wallet.dat, and the wallet*.dat names of `-wallet=` and backups (the writer's rule too). */
function isWalletName(name: string): boolean {
  return /^wallet.*\.dat$/.test(name);
}

/**
 * Refuses anything that is or could be a wallet: a file named wallet*.dat, a link (it could lead to
 * one), a directory, or a file in Berkeley DB format.
 */
function guard(path: string): void {
  if (isWalletName(basename(path))) throw walletError(path, 'it is a wallet');
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.isSymbolicLink()) {
    const target = readlinkSync(path);
    throw walletError(
      path,
      isWalletName(basename(target)) ? `it is a link to ${target}, a wallet` : `it is a link to ${target}`,
    );
  }
  if (!st.isFile()) throw walletError(path, 'it is not a regular file');
  if (looksLikeBerkeleyDb(path)) throw walletError(path, 'it holds a Berkeley DB file (a wallet)');
}

/** The one atomic writer (core/atomic.ts), after the wallet guard: never a wallet, never half a file. */
function writeAtomic(path: string, content: string, fileMode: number): void {
  guard(path);
  writeFileAtomic(path, content, { mode: fileMode, dirMode: 0o700 });
}
