/** What `dokomodo monitor` prints while it runs. */
import { redact } from '../../core/redact.ts';
import type { AlertEvent } from '../../monitor/alerter.ts';
import { MONITOR_PATH } from '../../contract/metrics.ts';
import type { MonitorEvent } from '../../monitor/service.ts';
import type { Context } from '../context.ts';
import { paint } from '../output.ts';

export function printEvent(ctx: Context, e: MonitorEvent): void {
  if (e.kind === 'listening') {
    ctx.out.stderr(
      `dokomodo monitor: ${e.chains} chains every ${e.intervalMs / 1000} s, metrics on ${e.url}${MONITOR_PATH}, dashboard on ${e.url}/\n`,
    );
    return;
  }
  if (e.kind === 'log') {
    const p = e.event.pattern;
    ctx.out.stderr(
      paint(
        ctx.out,
        p.severity === 'critical' ? 'red' : 'yellow',
        `${e.event.source}${e.event.chain && e.event.chain !== e.event.source ? ` (${e.event.chain})` : ''}: ${p.name}: ${redact(e.event.line)}\n  → ${p.hint}\n`,
      ),
    );
    return;
  }
  const { snapshot: s, down } = e;
  if (!ctx.opts.verbose && !down.length) return;
  ctx.out.stderr(
    paint(
      ctx.out,
      down.length ? 'yellow' : 'dim',
      `poll: ${s.chains.length - down.length}/${s.chains.length} chains up in ${s.durationSeconds.toFixed(2)} s${down.length ? `; down: ${down.slice(0, 10).join(', ')}${down.length > 10 ? ', …' : ''}` : ''}\n`,
    ),
  );
}

export function printAlertEvent(ctx: Context, e: AlertEvent): void {
  switch (e.kind) {
    case 'transition':
      ctx.out.stderr(
        paint(
          ctx.out,
          e.transition.kind === 'resolved'
            ? 'green'
            : e.transition.alert.severity === 'critical'
              ? 'red'
              : 'yellow',
          `alert ${e.transition.kind}: ${e.transition.alert.summary}\n`,
        ),
      );
      return;
    case 'sent':
      if (ctx.opts.verbose) ctx.out.stderr(`alert sent to ${e.message.channel} (${e.message.kind})\n`);
      return;
    case 'retry':
      ctx.out.stderr(
        paint(
          ctx.out,
          'yellow',
          `alert channel ${e.message.channel}: ${redact(e.error)}; retrying in ${e.waitSeconds} s\n`,
        ),
      );
      return;
    case 'failed':
      ctx.out.stderr(
        paint(ctx.out, 'red', `alert channel ${e.message.channel}: ${redact(e.error)}; message dropped\n`),
      );
      return;
    case 'heartbeat-failed':
      ctx.out.stderr(paint(ctx.out, 'yellow', `heartbeat: ${redact(e.error)}\n`));
  }
}
