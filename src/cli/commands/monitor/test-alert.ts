/** `dokomodo monitor test-alert`: one message through every channel, a line per channel. */
import { DokomodoError, ExitCode } from '../../../core/errors.ts';
import { redact } from '../../../core/redact.ts';
import { memoryStateStore } from '../../../core/state.ts';
import { Alerter } from '../../../monitor/alerter.ts';
import { resolveChannels } from '../../../monitor/notify.ts';
import { nodeHost } from '../../../core/host.ts';
import { type Context, loadSelection } from '../../context.ts';
import { paint } from '../../output.ts';

/** `dokomodo monitor test-alert`: one message through every channel, a line per channel. */
export async function testAlert(ctx: Context): Promise<number> {
  const { platform } = await loadSelection(ctx);
  if (platform.alerts.channels.length === 0) {
    throw new DokomodoError('no-alert-channels', `${platform.file} has no alert channels`, {
      hint: 'add alerts: { channels: { NAME: { type: webhook|telegram|discord|ntfy, … } } } to the platform file',
    });
  }
  const alerter = new Alerter({
    platform,
    channels: resolveChannels(platform, nodeHost()),
    store: memoryStateStore(),
  });
  const events = await alerter.testAlert();
  let failed = 0;
  for (const c of platform.alerts.channels) {
    const mine = events.filter((e) => e.message.channel === c.name);
    const sent = mine.find((e) => e.kind === 'sent');
    const last = mine[mine.length - 1];
    if (sent) {
      ctx.out.stdout(`${paint(ctx.out, 'green', 'sent')}    ${c.name} (${c.type})\n`);
    } else {
      failed++;
      const why = last && last.kind !== 'sent' ? redact(last.error) : 'not attempted';
      ctx.out.stdout(`${paint(ctx.out, 'red', 'failed')}  ${c.name} (${c.type}): ${why}\n`);
    }
  }
  return failed ? ExitCode.failure : ExitCode.ok;
}
