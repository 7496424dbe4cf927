/**
 * ansible target: the inventory and variables that drive the static playbooks under `ansible/` at
 * the repository root. Fleet-wide files, next to the rendered tree:
 *
 * - `ansible/inventory.yml`: every host of the selection with its SSH login, a group per role
 *   (`chains`, `iguana`, `monitor`) and one per environment (`env_NAME`);
 * - `ansible/group_vars/all.yml`: fleet settings (render dir, binaries, paths, service user);
 * - `ansible/host_vars/HOST.yml`: what the playbooks install on that host (chains, Iguana
 *   instances, units, firewall ports), with the rendered sources relative to the render dir.
 *
 * Nothing here carries a secret: the playbooks copy the rendered conf files and payloads, whose
 * contents never pass through these variables.
 */
import { dumpYaml } from '../yaml.ts';
import type { ChainModel, HostModel, IguanaModel } from '../../platform/model.ts';
import {
  type Artifact,
  artifact,
  artifactList,
  header,
  hostOf,
  hostPath,
  type RenderContext,
} from '../artifact.ts';
import { bootstrapOrder, iguanaPayload, iguanaStateDir } from './iguana.ts';
import { viaRelay } from './relay-service.ts';
import { chainUnitName, iguanaUnitName } from './systemd.ts';

export const ROLE_GROUPS = ['chains', 'iguana', 'monitor'] as const;

/**
 * Ansible reads YAML 1.1 (PyYAML): emitting with 1.1 rules quotes `yes`, `on`, `0644`, `1:20` and
 * the like, which a 1.2 emitter would leave plain and Ansible would read as booleans or numbers.
 */
function yaml(ctx: RenderContext, value: unknown): string {
  return header(ctx, '#') + dumpYaml(value);
}

/** Ansible group names must be identifiers; environment names may hold `-` or `.`. */
function envGroupName(name: string): string {
  return `env_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The daemon binaries a chain needs (names as keys of `defaults.binaries`). */
function chainBinaries(chain: ChainModel): string[] {
  return [chain.coin.daemon, chain.coin.cli];
}

/** Every host of the inventory: the selection's hosts in platform order, plus `local` for host-less platforms. */
function inventoryHosts(ctx: RenderContext): string[] {
  const names = ctx.selection.hosts.map((h) => h.name);
  for (const h of ctx.hosts) if (!names.includes(h)) names.push(h);
  return names;
}

/** Iguana instances that have files on `host` (same rule as the iguana renderer). */
const selectedNames = new WeakMap<readonly ChainModel[], Set<string>>();

function hostIguanas(ctx: RenderContext, host: string): IguanaModel[] {
  let selected = selectedNames.get(ctx.selection.chains);
  if (!selected) {
    selected = new Set(ctx.selection.chains.map((c) => c.name));
    selectedNames.set(ctx.selection.chains, selected);
  }
  return ctx.platform.iguana.filter((g) => hostOf(g.host) === host && g.coins.some((c) => selected.has(c)));
}

function hostChains(ctx: RenderContext, host: string): ChainModel[] {
  return ctx.selection.chains.filter((c) => hostOf(c.host) === host);
}

/** Roles of a declared host; a host-less platform's `local` host has the roles of what it runs. */
function rolesOf(ctx: RenderContext, name: string, model: HostModel | undefined): string[] {
  if (model) return [...model.roles];
  const roles: string[] = [];
  if (hostChains(ctx, name).length > 0) roles.push('chains');
  if (hostIguanas(ctx, name).length > 0) roles.push('iguana');
  return roles;
}

function inventory(ctx: RenderContext): Record<string, unknown> {
  const names = inventoryHosts(ctx);
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const h = ctx.platform.hosts.find((x) => x.name === name);
    if (!h) {
      // Chains without a host run on the machine dokomodo runs on.
      hosts[name] = { ansible_connection: 'local' };
      continue;
    }
    const entry: Record<string, unknown> = { ansible_host: h.address, ansible_port: h.ssh.port };
    if (h.ssh.user !== undefined) entry['ansible_user'] = h.ssh.user;
    if (h.ssh.key !== undefined) entry['ansible_ssh_private_key_file'] = h.ssh.key;
    // The same host key check and client options dokomodo's own SSH uses (remote/shell.ts).
    const common = Object.entries({
      ...(h.ssh.knownHosts ? { UserKnownHostsFile: h.ssh.knownHosts, StrictHostKeyChecking: 'yes' } : {}),
      ...h.ssh.options,
    }).map(
      ([k, v]) => `-o ${/^[\w@%+=:,./~-]+$/.test(v) ? `${k}=${v}` : `'${k}=${v.replaceAll("'", `'\\''`)}'`}`,
    );
    if (common.length > 0) entry['ansible_ssh_common_args'] = common.join(' ');
    hosts[name] = entry;
  }
  const children: Record<string, unknown> = {};
  const members = (list: string[]) =>
    list.length > 0 ? { hosts: Object.fromEntries(list.map((n) => [n, {}])) } : {};
  for (const role of ROLE_GROUPS) {
    const m = names.filter((n) =>
      rolesOf(
        ctx,
        n,
        ctx.platform.hosts.find((x) => x.name === n),
      ).includes(role),
    );
    children[role] = members(m);
  }
  const used = new Set<string>(ROLE_GROUPS);
  for (const env of ctx.platform.environments) {
    let group = envGroupName(env.name);
    for (let i = 2; used.has(group); i++) group = `${envGroupName(env.name)}_${i}`;
    used.add(group);
    // A host-less platform's `local` host belongs to every environment.
    const m = ctx.platform.hosts.length === 0 ? names : names.filter((n) => env.hosts.includes(n));
    children[group] = members(m);
  }
  return { all: { hosts, children } };
}

function groupVars(ctx: RenderContext): Record<string, unknown> {
  const d = ctx.platform.defaults;
  const binaries: Record<string, string> = { ...d.binaries };
  // Third-party daemons without an entry are looked up in PATH by name, like komodod's default.
  for (const chain of ctx.selection.chains) {
    for (const b of chainBinaries(chain)) if (!(b in binaries)) binaries[b] = b;
  }
  const vars: Record<string, unknown> = {
    dokomodo_source: ctx.source,
    dokomodo_environment: ctx.selection.env ?? null,
    // The inventory sits in RENDER_DIR/ansible/, so the rendered tree is its parent, wherever the
    // playbooks are run from.
    dokomodo_render_dir: '{{ inventory_dir | dirname }}',
    dokomodo_datadir: d.datadir,
    dokomodo_state_dir: '~/.dokomodo',
    dokomodo_units_dir: '~/.config/systemd/user',
    dokomodo_binaries: binaries,
  };
  if (d.user !== undefined) vars['dokomodo_user'] = d.user;
  return vars;
}

function hostVars(ctx: RenderContext, host: string): Record<string, unknown> {
  const { platform } = ctx;
  const model = platform.hosts.find((h) => h.name === host);
  const chains = hostChains(ctx, host);
  const iguanas = hostIguanas(ctx, host);

  const binaries: string[] = [];
  const need = (b: string) => {
    if (!binaries.includes(b)) binaries.push(b);
  };
  for (const c of chains) for (const b of chainBinaries(c)) need(b);
  if (iguanas.length > 0) need('iguana');

  const open = new Map<number, string[]>();
  const allow = (port: number, why: string) => open.set(port, [...(open.get(port) ?? []), why]);
  const closed = new Map<number, string[]>();
  const close = (port: number, why: string) => closed.set(port, [...(closed.get(port) ?? []), why]);
  const rpcFrom: Array<{ port: number; from: string; comment: string }> = [];

  const chainVars = chains.map((c) => {
    allow(c.p2p, `${c.name} p2p`);
    close(c.rpc, `${c.name} rpc`);
    // An Iguana on another host reaches this chain's RPC; only its address may (the conf allows it too).
    for (const g of platform.iguana) {
      if (!g.coins.includes(c.name) || g.host === c.host) continue;
      const from = platform.hosts.find((h) => h.name === g.host)?.address;
      // via: relay — the RPC port stays closed; the Iguana host's relay reaches the tunnel port.
      const relayed = viaRelay(platform, g, c);
      const port = relayed ? (model?.relay.tunnelPort ?? c.rpc) : c.rpc;
      if (from && !rpcFrom.some((r) => r.port === port && r.from === from)) {
        rpcFrom.push({
          port,
          from,
          comment: relayed
            ? `relay tunnel for iguana ${g.name} on ${g.host}`
            : `${c.name} rpc for iguana ${g.name} on ${g.host}`,
        });
      }
    }
    return {
      name: c.name,
      kind: c.kind,
      p2p: c.p2p,
      rpc: c.rpc,
      datadir: c.datadir,
      conf: c.confName,
      conf_src: `${hostPath(host, c.datadir)}/${c.confName}`,
      daemon: chainBinaries(c)[0],
      unit: chainUnitName(c),
    };
  });

  const iguanaVars = iguanas.map((g) => {
    const notaries = platform.notaries.find((n) => n.name === g.notaries)!;
    allow(notaries.port, `iguana ${g.name} dPoW`);
    close(g.port, `iguana ${g.name} rpc`);
    const state = iguanaStateDir(g);
    return {
      name: g.name,
      mode: g.mode,
      port: g.port,
      dpow_port: notaries.port,
      workdir: g.workdir,
      workdir_src: hostPath(host, g.workdir),
      elected: g.mode === 'main' ? 'elected' : '3rd_party',
      state_dir: state,
      state_src: hostPath(host, state),
      // A payload for a chain on another host holds that chain's RPC password: 0600 like the conf.
      coins: bootstrapOrder(platform, g).map((c) => ({
        symbol: c.symbol,
        mode: iguanaPayload(platform, ctx.secret, g, c).remote ? '0600' : '0644',
      })),
      unit: iguanaUnitName(g),
    };
  });

  const vars: Record<string, unknown> = { dokomodo_host: host };
  if (model?.user !== undefined) vars['dokomodo_user'] = model.user;
  if (model?.home !== undefined) vars['dokomodo_home'] = model.home;
  vars['dokomodo_roles'] = rolesOf(ctx, host, model);
  if (model && Object.keys(model.labels).length > 0) vars['dokomodo_labels'] = { ...model.labels };
  vars['dokomodo_binaries_needed'] = binaries;
  vars['dokomodo_chains'] = chainVars;
  vars['dokomodo_iguana'] = iguanaVars;
  const byPort = (m: Map<number, string[]>) =>
    [...m.entries()]
      .sort(([a], [b]) => a - b)
      .map(([port, why]) => ({ port, proto: 'tcp', comment: why.join(', ') }));
  vars['dokomodo_firewall'] = {
    open: byPort(open),
    rpc_from: rpcFrom.sort((a, b) => a.port - b.port || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)),
    closed: byPort(closed),
  };
  return vars;
}

export function renderAnsible(ctx: RenderContext): Artifact[] {
  const out = artifactList(ctx);
  out.push(
    artifact('ansible', 'ansible/inventory.yml', yaml(ctx, inventory(ctx))),
    artifact('ansible', 'ansible/group_vars/all.yml', yaml(ctx, groupVars(ctx))),
  );
  for (const host of ctx.hosts) {
    out.push(artifact('ansible', `ansible/host_vars/${host}.yml`, yaml(ctx, hostVars(ctx, host)), { host }));
  }
  return out;
}
