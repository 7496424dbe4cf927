/** `dokomodo deploy`: render, then apply it host by host through each host's engine (or --plan). */
import { dirname, join, resolve } from 'node:path';
import { parseTargets } from '../../compiler/compile.ts';
import { ExitCode, usageError } from '../../core/errors.ts';
import { type DeployHostResult, deploy as deployHosts } from '../../operator/deploy.ts';
import { type Context, loadRuntime } from '../context.ts';
import { paint, printJson } from '../output.ts';
import { renderOptions, writeTree } from './render.ts';

export interface DeployOptions {
  out?: string;
  host?: string[];
  plan?: boolean;
  parallel?: number;
  extraVars?: string[];
  playbook?: string;
  render?: boolean;
  restart?: boolean;
  full?: boolean;
}

const COLOURS: Record<DeployHostResult['state'], 'green' | 'yellow' | 'red' | 'dim'> = {
  unchanged: 'green',
  applied: 'green',
  changes: 'yellow',
  manual: 'yellow',
  skipped: 'dim',
  failed: 'red',
  unreachable: 'red',
};

export async function deploy(ctx: Context, opts: DeployOptions): Promise<number> {
  const { platform, selection, runtime } = await loadRuntime(ctx);
  const known = new Set(platform.hosts.map((h) => h.name));
  for (const h of opts.host ?? []) {
    if (!known.has(h))
      throw usageError(
        'unknown-host',
        `no host ${h} in ${platform.file}`,
        'see `hosts:` in the platform file',
      );
  }
  const hosts = selection.hosts.filter((h) => !opts.host || opts.host.includes(h.name));
  if (hosts.length === 0)
    throw usageError('no-targets', 'no host to deploy to', 'the platform file (or --env) names no hosts');
  const root = resolve(opts.out ?? join(dirname(resolve(platform.file)), 'out'));
  if (opts.render !== false) {
    // The whole tree (every host's files): the inventory must list every host for groups and vars.
    writeTree(platform, selection, renderOptions(platform, runtime.secret(), parseTargets('all')), root);
  }
  const json = ctx.opts.json === true;
  const results = await deployHosts(runtime, {
    root,
    hosts,
    ...(opts.plan ? { plan: true } : {}),
    ...(opts.parallel !== undefined ? { parallel: opts.parallel } : {}),
    ...(opts.extraVars ? { extraVars: opts.extraVars } : {}),
    ...(opts.playbook ? { playbook: resolve(opts.playbook) } : {}),
    ...(opts.restart === false ? { restart: false } : {}),
    ...(opts.full ? { full: true } : {}),
    onEvent: (e) => {
      if (json) return;
      if (e.type === 'batch')
        ctx.out.stderr(`${e.plan ? 'planning' : 'deploying'} ${e.hosts.join(', ')} …\n`);
      else if (e.type === 'restart')
        ctx.out.stderr(`restarting on ${e.host}: ${e.chains.join(', ')} (conf, unit or binary changed) …\n`);
      else {
        const r = e.result;
        const what = r.state === 'changes' ? `${r.changed} change${r.changed === 1 ? '' : 's'}` : r.state;
        const retired = r.retired?.length
          ? `  retired ${r.retired.join(', ')} (stopped, conf removed, data kept)`
          : '';
        const chains = r.restarted?.length
          ? `  restarted ${r.restarted.join(', ')}`
          : opts.plan && r.affected?.length
            ? `  would restart ${r.affected.join(', ')} if running`
            : '';
        const line = `${r.host.padEnd(16)} ${r.engine.padEnd(10)} ${paint(ctx.out, COLOURS[r.state], what)}${r.state === 'applied' ? ` (${r.changed} changed)` : ''}  ${(r.durationMs / 1000).toFixed(1)} s${chains}${retired}${r.message ? `  ${r.message}` : ''}`;
        ctx.out.stdout(`${line}\n`);
      }
    },
  });
  const bad = results.filter((r) => r.state === 'failed' || r.state === 'unreachable').length;
  if (json) printJson(ctx.out, { out: root, plan: opts.plan === true, hosts: results });
  else {
    const n = (s: DeployHostResult['state']) => results.filter((r) => r.state === s).length;
    ctx.out.stdout(
      opts.plan
        ? `deploy --plan: ${n('changes')} host(s) with changes, ${n('unchanged')} unchanged, ${bad} failed; nothing was applied`
        : `deploy: ${n('applied')} applied, ${n('unchanged')} unchanged, ${bad} failed, ${n('skipped')} skipped`,
    );
    ctx.out.stdout('\n');
  }
  return bad > 0 ? ExitCode.failure : ExitCode.ok;
}
