/**
 * `dokomodo relay`: on a host of the platform, the Iguana gateway (HTTPS, tokens) in front of its
 * Iguana instances, the tunnel server for its chains, and tunnel listeners on 127.0.0.1 for the
 * chains its Iguana notarizes on other hosts; until SIGINT/SIGTERM. SIGHUP re-reads the tokens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DokomodoError, ExitCode } from '../../core/errors.ts';
import { expandUserPath } from '../../core/local.ts';
import { readTls } from '../../relay/certs.ts';
import { serviceAddress } from '../../platform/address.ts';
import { relayHost, relayPlan, startRelay } from '../../relay/service.ts';
import { parseTokens, type Token } from '../../relay/tokens.ts';
import { type Context, loadOrExit } from '../context.ts';
import type { Listen } from '../options.ts';
import { paint, printJson } from '../output.ts';

export interface RelayOptions {
  host?: string;
  listen?: Listen;
  tunnelListen?: Listen;
  gateway?: boolean;
  tunnels?: boolean;
  peerPort?: number;
  certs?: string;
  name?: string;
  tokens?: string;
  audit?: string;
  maxBody?: number;
  chainAddress?: string;
}

export const RELAY_DIR = '~/.dokomodo/relay';

export function readTokensFile(path: string): Token[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new DokomodoError('relay-tokens-missing', `cannot read the tokens file ${path}`, {
      hint: 'make a token with `dokomodo relay token --id NAME --allow METHODS` (it creates the file)',
    });
  }
  return parseTokens(text, path);
}

export async function relay(ctx: Context, opts: RelayOptions): Promise<number> {
  const platform = await loadOrExit(ctx);
  const host = relayHost(platform, opts.host);
  const plan = relayPlan(platform, host, opts.peerPort);
  const certs = expandUserPath(opts.certs ?? RELAY_DIR);
  const tls = readTls(certs, opts.name ?? host.name);
  const tokensPath = expandUserPath(opts.tokens ?? join(RELAY_DIR, 'relay.tokens'));
  const gatewayOn = opts.gateway !== false && plan.iguana.size > 0;
  const tokens = gatewayOn ? readTokensFile(tokensPath) : [];
  const auditPath = expandUserPath(opts.audit ?? join(RELAY_DIR, 'audit.log'));
  const listen = opts.listen ?? { host: '127.0.0.1', port: host.relay.port };
  const tunnelListen = opts.tunnelListen ?? {
    host: serviceAddress(host),
    port: host.relay.tunnelPort,
  };
  const r = await startRelay({
    plan,
    tls,
    tokens,
    auditPath,
    ...(gatewayOn
      ? { gateway: { ...listen, limits: opts.maxBody === undefined ? {} : { maxBodyBytes: opts.maxBody } } }
      : {}),
    ...(plan.chainPorts.size > 0 ? { tunnelServer: tunnelListen } : {}),
    ...(opts.chainAddress ? { chainHost: opts.chainAddress } : {}),
    tunnels: opts.tunnels !== false,
    log: (line) => ctx.out.stderr(`${line}\n`),
  });
  ctx.cleanups.push(() => r.close());
  const summary = {
    host: host.name,
    gateway: r.gateway ? `https://${r.gateway.host}:${r.gateway.port}` : null,
    iguana: Object.fromEntries(plan.iguana),
    tunnelServer: r.tunnelServer ? `${r.tunnelServer.host}:${r.tunnelServer.port}` : null,
    chains: [...plan.chainPorts.values()],
    tunnels: r.tunnels.map((t) => ({
      chain: t.spec.name,
      listen: `127.0.0.1:${t.port}`,
      peer: `${t.spec.peer.host}:${t.spec.peer.port}`,
    })),
    tokens: tokens.length,
    audit: auditPath,
  };
  if (ctx.opts.json) printJson(ctx.out, summary);
  else {
    const o = ctx.out;
    o.stdout(`${paint(o, 'bold', `relay ${host.name}`)}\n`);
    if (summary.gateway)
      o.stdout(
        `  gateway   ${summary.gateway} → Iguana ${[...plan.iguana].map(([n, p]) => `${n}@127.0.0.1:${p}`).join(', ')} (${tokens.length} token${tokens.length === 1 ? '' : 's'})\n`,
      );
    if (summary.tunnelServer)
      o.stdout(
        `  chains    ${summary.tunnelServer} (mTLS) → ${summary.chains.join(', ')} on ${opts.chainAddress ?? '127.0.0.1'}\n`,
      );
    for (const t of summary.tunnels) o.stdout(`  tunnel    ${t.listen} → ${t.peer} (${t.chain})\n`);
    o.stdout(`  audit     ${auditPath}\n`);
  }
  if (!r.gateway && !r.tunnelServer && r.tunnels.length === 0) {
    ctx.out.stderr(`${paint(ctx.out, 'yellow', 'warning')}: nothing to relay on host ${host.name}\n`);
    return ExitCode.failure;
  }
  await new Promise<void>((resolve) => {
    const reload = () => {
      try {
        r.gateway?.setTokens(readTokensFile(tokensPath));
        ctx.out.stderr(`relay: tokens re-read from ${tokensPath}\n`);
      } catch (e) {
        ctx.out.stderr(`relay: tokens kept: ${(e as Error).message}\n`);
      }
    };
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.off('SIGHUP', reload);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    process.on('SIGHUP', reload);
  });
  return ExitCode.ok;
}
