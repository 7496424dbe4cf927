/**
 * The deploy use case: apply a rendered tree to the hosts of the fleet through the engine each
 * host uses, a few hosts at a time, stopping at the first host that fails.
 *
 * - `ansible` hosts: `ansible-playbook` with the rendered inventory and dokomodo's playbooks,
 *   `--limit` to the hosts of one batch. The plan is the same run with `--check --diff`: Ansible
 *   itself compares what is on each host with what should be, so a host whose files did not
 *   change reports no change and is not touched. Changes per host come from the PLAY RECAP.
 * - `compose` and `kubernetes` hosts are not applied from here yet: they are reported with the
 *   command that applies their rendered directory (`manual`).
 *
 * The render happens before (the CLI's `deploy` renders into its tree first); this module only
 * drives the engines, never reimplements them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type Manifest, treeManifest } from '../compiler/write.ts';
import { DokomodoError } from '../core/errors.ts';
import type { ChainModel, HostModel } from '../platform/model.ts';
import { expandUserPath } from '../core/local.ts';
import { onHost } from './daemon/remote.ts';
import { startChains, stopChains } from './lifecycle.ts';
import { runProgram } from './remote/shell.ts';
import type { Runtime } from './runtime.ts';

export type DeployState =
  | 'unchanged'
  | 'changes'
  | 'applied'
  | 'failed'
  | 'unreachable'
  | 'skipped'
  | 'manual';

export interface DeployHostResult {
  host: string;
  engine: HostModel['engine'];
  state: DeployState;
  /** Tasks that changed (applied) or would change (plan) on the host. */
  changed: number;
  durationMs: number;
  message?: string;
  /** Chains whose conf, unit or binary changed (or would change) on the host. */
  affected?: string[];
  /** Of those, the running ones restarted after the apply, each answering RPC again. */
  restarted?: string[];
  /** Chains that left the host (moved or removed): stopped there and their conf removed (data kept). */
  retired?: string[];
}

/** A chain the previous render put on a host and this one does not (from the old host_vars). */
export interface DepartedChain {
  name: string;
  datadir: string;
  conf: string;
  daemon: string;
  unit?: string;
}

export type DeployEvent =
  | { type: 'batch'; hosts: string[]; plan: boolean }
  | { type: 'restart'; host: string; chains: string[] }
  | { type: 'host'; result: DeployHostResult };

export interface DeployOptions {
  /** The rendered tree (its `ansible/inventory.yml`). */
  root: string;
  hosts: readonly HostModel[];
  /** Only show what would change (`--check --diff`). */
  plan?: boolean;
  /** Hosts applied at once. Default 1 (one host at a time). */
  parallel?: number;
  /** More `-e NAME=VALUE` for the playbook. */
  extraVars?: readonly string[];
  /** The playbook. Default dokomodo's `ansible/site.yml`. */
  playbook?: string;
  /** Bound of one batch's run. Default 30 min. */
  timeoutMs?: number;
  /**
   * Run Ansible on every host. Default: a host whose rendered files, playbooks, variables and
   * binaries are those of its last successful deploy (the digest dokomodo leaves on the host) is
   * `unchanged` after one SSH round trip, without Ansible.
   */
  full?: boolean;
  /**
   * After a host is applied, restart its running chains whose conf, unit or binary changed, and
   * wait until they answer before the next host (`process` control). Default true.
   */
  restart?: boolean;
  onEvent?: (e: DeployEvent) => void;
}

/** dokomodo's playbooks: beside the bundle (dist/ → ../ansible) or the sources (src/operator/ → ../../ansible). */
export function defaultPlaybook(): string {
  for (const up of ['..', '../..']) {
    const p = resolve(import.meta.dirname, up, 'ansible', 'site.yml');
    if (existsSync(p)) return p;
  }
  throw new DokomodoError(
    'playbook-missing',
    "dokomodo's Ansible playbooks (ansible/site.yml) are not installed",
    {
      hint: 'reinstall dokomodo, or pass --playbook PATH',
    },
  );
}

interface Recap {
  changed: number;
  unreachable: number;
  failed: number;
}

/** The PLAY RECAP lines of an ansible-playbook run, by inventory host. */
export function parseRecap(out: string): Map<string, Recap> {
  const res = new Map<string, Recap>();
  const tail = out.slice(out.lastIndexOf('PLAY RECAP'));
  for (const m of tail.matchAll(/^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    res.set(m[1]!, { changed: Number(m[2]), unreachable: Number(m[3]), failed: Number(m[4]) });
  }
  return res;
}

/**
 * What changed per host and task, from the playbook's output: `changed: [HOST] => (item=X)` lines
 * under the task headers of the roles that touch a daemon (its conf, its unit, its binary).
 */
export function changedItems(
  out: string,
): Map<string, { confs: Set<string>; units: Set<string>; binaries: Set<string> }> {
  const res = new Map<string, { confs: Set<string>; units: Set<string>; binaries: Set<string> }>();
  let task = '';
  for (const line of out.split('\n')) {
    const t = /^TASK \[([^\]]+)\]/.exec(line);
    if (t) {
      task = t[1]!;
      continue;
    }
    const m = /^changed: \[([^\]]+)\] => \(item=(.+)\)\s*$/.exec(line);
    if (!m) continue;
    const kind =
      task === 'confs : Install the conf files'
        ? 'confs'
        : task === 'units : Install the user units'
          ? 'units'
          : task === 'binaries : Copy the binaries'
            ? 'binaries'
            : undefined;
    if (!kind) continue;
    const host = m[1]!.split(' -> ')[0]!;
    const entry = res.get(host) ?? { confs: new Set(), units: new Set(), binaries: new Set() };
    entry[kind].add(m[2]!.trim());
    res.set(host, entry);
  }
  return res;
}

/** The host's chains a changed conf, unit or binary concerns. */
function affectedChains(
  rt: Runtime,
  host: HostModel,
  items: { confs: Set<string>; units: Set<string>; binaries: Set<string> } | undefined,
): ChainModel[] {
  if (!items) return [];
  return rt.platform.chains.filter(
    (c) =>
      c.host === host.name &&
      (items.confs.has(c.name) ||
        items.units.has(`dokomodo-chain-${c.name}.service`) ||
        items.binaries.has(c.coin.daemon)),
  );
}

/** Restarts the running ones of `chains` (stop, then start: ready when RPC answers). */
async function restartRunning(
  rt: Runtime,
  chains: ChainModel[],
): Promise<{ restarted: string[]; failed?: string }> {
  const stopped = await stopChains(rt, chains);
  const bad = stopped.filter((r) => !r.ok);
  if (bad.length)
    return { restarted: [], failed: bad.map((b) => `${b.target}: ${b.error?.message}`).join('; ') };
  const wereRunning = chains.filter((c) =>
    stopped.some((r) => r.target === c.name && r.result?.state !== 'not-running'),
  );
  if (wereRunning.length === 0) return { restarted: [] };
  const started = await startChains(rt, wereRunning);
  const notUp = started.filter((r) => !r.ok);
  return {
    restarted: started.filter((r) => r.ok).map((r) => r.target),
    ...(notUp.length ? { failed: notUp.map((b) => `${b.target}: ${b.error?.message}`).join('; ') } : {}),
  };
}

const MARKER = '.dokomodo/deployed';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * What a host's deploy depends on besides its own rendered files: the playbooks, the variables
 * given on the command line, and the binaries `dokomodo_binaries_src` points at (name, size, time).
 */
function sharedDigest(playbook: string, extraVars: readonly string[]): string {
  const h = createHash('sha256');
  const dir = dirname(playbook);
  for (const f of [playbook, ...(existsSync(join(dir, 'roles')) ? filesUnder(join(dir, 'roles')) : [])])
    h.update(`${relative(dir, f)}\0`)
      .update(readFileSync(f))
      .update('\0');
  for (const e of extraVars) h.update(`var ${e}\0`);
  const src = extraVars
    .find((e) => e.startsWith('dokomodo_binaries_src='))
    ?.slice('dokomodo_binaries_src='.length);
  if (src && existsSync(src))
    for (const f of filesUnder(src)) {
      const st = statSync(f);
      h.update(`bin ${relative(src, f)} ${st.size} ${st.mtimeMs}\0`);
    }
  return h.digest('hex');
}

/** The digest of what deploying `host` installs: its files of the tree, the shared variables, and the rest. */
export function hostDigest(manifest: Manifest, host: HostModel, shared: string): string {
  const h = createHash('sha256').update(`${shared}\0`);
  for (const [path, e] of Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b))) {
    const mine =
      e.host === host.name ||
      path === 'ansible/group_vars/all.yml' ||
      (e.target === 'monitoring' && host.roles.includes('monitor'));
    if (mine) h.update(`${path} ${e.sha256} ${e.mode}\0`);
  }
  return h.digest('hex');
}

/** What the last successful deploy left on the host: its digest and the chains it installed there. */
interface DeployedRecord {
  digest?: string;
  chains: DepartedChain[];
}

async function deployedRecord(rt: Runtime, host: HostModel): Promise<DeployedRecord | undefined> {
  let text: string;
  try {
    const r = await rt
      .shell(host)
      .run(['sh', '-c', `cat "$HOME/${MARKER}" 2>/dev/null; exit 0`], { timeoutMs: 30_000 });
    text = r.stdout.trim();
  } catch {
    return undefined; // unreachable: Ansible says so
  }
  if (!text) return { chains: [] };
  try {
    const j = JSON.parse(text) as { digest?: unknown; chains?: unknown };
    return {
      ...(typeof j.digest === 'string' ? { digest: j.digest } : {}),
      chains: Array.isArray(j.chains) ? (j.chains as DepartedChain[]) : [],
    };
  } catch {
    return { chains: [] };
  }
}

async function markDeployed(rt: Runtime, host: HostModel, record: DeployedRecord): Promise<void> {
  await rt
    .shell(host)
    .run(
      [
        'sh',
        '-c',
        `mkdir -p "$HOME/.dokomodo" && cat > "$HOME/${MARKER}.tmp" && mv -f "$HOME/${MARKER}.tmp" "$HOME/${MARKER}"`,
      ],
      { input: `${JSON.stringify(record)}\n` },
    )
    .catch(() => undefined);
}

/** The chains each host's rendered host_vars lists (what the tree at `root` deploys there). */
export function renderedChains(root: string, hosts: readonly string[]): Map<string, DepartedChain[]> {
  const out = new Map<string, DepartedChain[]>();
  for (const h of hosts) {
    const file = join(root, 'ansible', 'host_vars', `${h}.yml`);
    if (!existsSync(file)) continue;
    try {
      const vars = parseYaml(readFileSync(file, 'utf8')) as { dokomodo_chains?: DepartedChain[] } | null;
      out.set(
        h,
        (vars?.dokomodo_chains ?? []).map((c) => ({
          name: String(c.name),
          datadir: String(c.datadir),
          conf: String(c.conf),
          daemon: String(c.daemon),
          ...(c.unit ? { unit: String(c.unit) } : {}),
        })),
      );
    } catch {
      // an unreadable old file: nothing known to retire
    }
  }
  return out;
}

/**
 * Stops the departed chains on their old host (SIGTERM through the pid file, then SIGKILL) and
 * removes their conf (it holds the RPC password) and user unit; the data directory and wallet
 * stay. One script per chain through the host's shell.
 */
async function retire(
  rt: Runtime,
  host: HostModel,
  chains: readonly DepartedChain[],
): Promise<{ retired: string[]; failed?: string }> {
  // Where start put the chain's data on that host (daemon/local.ts, daemon/remote.ts).
  const at = (p: string) => (host.local ? expandUserPath(p) : onHost(host, p));
  const retired: string[] = [];
  const bad: string[] = [];
  for (const c of chains) {
    const d = at(c.datadir);
    const pidFile = `${d}/${c.daemon === 'komodod' ? 'komodod' : c.daemon}.pid`;
    try {
      const r = await rt
        .shell(host)
        .run(
          [
            'sh',
            '-c',
            'd=$1; pf=$2; conf=$3; unit=$4; if [ -f "$pf" ]; then p=$(cat "$pf"); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill -TERM "$p"; n=600; while [ "$n" -gt 0 ] && kill -0 "$p" 2>/dev/null; do sleep 0.1; n=$((n-1)); done; kill -0 "$p" 2>/dev/null && kill -KILL "$p"; fi; rm -f "$pf"; fi; rm -f "$d/$conf"; [ -z "$unit" ] || rm -f "$HOME/.config/systemd/user/$unit"; exit 0',
            'sh',
            d,
            pidFile,
            c.conf,
            c.unit ?? '',
          ],
          { timeoutMs: 120_000 },
        );
      if (r.code === 0) retired.push(c.name);
      else bad.push(`${c.name}: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`}`);
    } catch (e) {
      bad.push(`${c.name}: ${(e as Error).message}`);
    }
  }
  return { retired, ...(bad.length ? { failed: bad.join('; ') } : {}) };
}

/** The last lines of the playbook's output that say why a host failed. */
function reasonOf(out: string, host: string): string {
  const lines = out.split('\n').filter((l) => l.includes(`[${host}]`) && /fatal|FAILED|UNREACHABLE/.test(l));
  return (lines.at(-1) ?? 'see the playbook output').trim().slice(0, 300);
}

export async function deploy(rt: Runtime, opts: DeployOptions): Promise<DeployHostResult[]> {
  const plan = opts.plan === true;
  const inventory = join(opts.root, 'ansible', 'inventory.yml');
  const results: DeployHostResult[] = [];
  const emit = (r: DeployHostResult) => {
    results.push(r);
    opts.onEvent?.({ type: 'host', result: r });
  };
  const viaAnsible = opts.hosts.filter((h) => h.engine === 'ansible');
  for (const h of opts.hosts.filter((x) => x.engine !== 'ansible')) {
    const dir = join(opts.root, h.engine === 'compose' ? 'compose' : 'kubernetes', h.name);
    emit({
      host: h.name,
      engine: h.engine,
      state: 'manual',
      changed: 0,
      durationMs: 0,
      message:
        h.engine === 'compose'
          ? `not applied from here yet: on ${h.name}, \`docker compose up -d\` in ${dir}`
          : `not applied from here yet: \`kubectl apply -k ${dir}\``,
    });
  }
  if (viaAnsible.length > 0 && !existsSync(inventory)) {
    throw new DokomodoError('deploy-not-rendered', `${inventory} does not exist`, {
      hint: 'render the ansible target into this directory first (deploy does it unless --no-render)',
    });
  }
  const playbook = opts.playbook ?? defaultPlaybook();
  const width = Math.max(1, opts.parallel ?? 1);
  const manifest = treeManifest(opts.root);
  const shared = sharedDigest(playbook, opts.extraVars ?? []);
  const digests = new Map(
    viaAnsible.map((h) => [h.name, manifest ? hostDigest(manifest, h, shared) : undefined]),
  );
  let failed = false;
  for (let i = 0; i < viaAnsible.length; i += width) {
    let batch = viaAnsible.slice(i, i + width);
    // What the last successful deploy left on each host of the batch (one SSH round trip each).
    const records = new Map(
      await Promise.all(batch.map(async (h) => [h.name, await deployedRecord(rt, h)] as const)),
    );
    if (!failed && !opts.full) {
      // Same as the last successful deploy there: no Ansible.
      const same = batch.map((h) => {
        const want = digests.get(h.name);
        return want !== undefined && records.get(h.name)?.digest === want;
      });
      for (const [k, h] of batch.entries())
        if (same[k])
          emit({
            host: h.name,
            engine: 'ansible',
            state: 'unchanged',
            changed: 0,
            durationMs: 0,
            message:
              'as deployed last time (files, playbooks, variables, binaries); Ansible not run — --full compares with the host',
          });
      batch = batch.filter((_, k) => !same[k]);
      if (batch.length === 0) continue;
    }
    if (failed) {
      for (const h of batch)
        emit({
          host: h.name,
          engine: 'ansible',
          state: 'skipped',
          changed: 0,
          durationMs: 0,
          message: 'an earlier host failed',
        });
      continue;
    }
    opts.onEvent?.({ type: 'batch', hosts: batch.map((h) => h.name), plan });
    const t0 = rt.clock.now();
    const r = await runProgram(
      'ansible-playbook',
      [
        '-i',
        inventory,
        playbook,
        '--limit',
        batch.map((h) => h.name).join(','),
        '--forks',
        String(width),
        ...(plan ? ['--check', '--diff'] : []),
        ...(opts.extraVars ?? []).flatMap((e) => ['-e', e]),
      ],
      { timeoutMs: opts.timeoutMs ?? 30 * 60_000 },
    ).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT'
        ? new DokomodoError('ansible-missing', 'ansible-playbook is not installed on this machine', {
            hint: 'install Ansible (apt-get install ansible) on the controller',
          })
        : e;
    });
    const out = `${r.stdout}\n${r.stderr}`;
    const recap = parseRecap(out);
    const items = changedItems(out);
    const durationMs = rt.clock.now() - t0;
    for (const h of batch) {
      const rc = recap.get(h.name);
      const base = { host: h.name, engine: 'ansible' as const, durationMs };
      if (!rc) {
        failed = true;
        emit({
          ...base,
          state: 'failed',
          changed: 0,
          message: out.trim().split('\n').at(-1)?.slice(0, 300) ?? `exit ${r.code}`,
        });
      } else if (rc.unreachable > 0) {
        failed = true;
        emit({ ...base, state: 'unreachable', changed: rc.changed, message: reasonOf(out, h.name) });
      } else if (rc.failed > 0) {
        failed = true;
        emit({ ...base, state: 'failed', changed: rc.changed, message: reasonOf(out, h.name) });
      } else {
        const affected = affectedChains(rt, h, items.get(h.name));
        const names = affected.map((c) => c.name);
        const result: DeployHostResult = {
          ...base,
          state: rc.changed === 0 ? 'unchanged' : plan ? 'changes' : 'applied',
          changed: rc.changed,
          ...(names.length ? { affected: names } : {}),
        };
        if (!plan && names.length && opts.restart !== false) {
          if (h.control !== 'process') {
            result.message = `restart ${names.join(', ')} with ${h.control} on ${h.name}: their conf, unit or binary changed`;
          } else {
            opts.onEvent?.({ type: 'restart', host: h.name, chains: names });
            const r = await restartRunning(rt, affected);
            result.restarted = r.restarted;
            result.durationMs = rt.clock.now() - t0;
            if (r.failed) {
              // Applied, but a restarted chain does not answer: the next host waits for a person.
              failed = true;
              result.state = 'failed';
              result.message = `applied, but the restart failed: ${r.failed}`;
            }
          }
        }
        const now = renderedChains(opts.root, [h.name]).get(h.name) ?? [];
        const here = new Set(now.map((c) => c.name));
        const gone = (records.get(h.name)?.chains ?? []).filter((c) => !here.has(c.name));
        if (gone.length && result.state !== 'failed') {
          if (plan)
            result.message = `${gone.map((c) => c.name).join(', ')} left this host: would be stopped here and their conf removed`;
          else {
            const r = await retire(rt, h, gone);
            result.retired = r.retired;
            if (r.failed) {
              failed = true;
              result.state = 'failed';
              result.message = `applied, but retiring what left the host failed: ${r.failed}`;
            }
          }
        }
        if (!plan && result.state !== 'failed') {
          const d = digests.get(h.name);
          await markDeployed(rt, h, { ...(d ? { digest: d } : {}), chains: now });
        }
        emit(result);
      }
    }
  }
  return results;
}
