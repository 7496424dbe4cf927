/** The `alerts` section: channels in file order with their defaults, repeat and rate. */
import { DEFAULTS } from '../defaults.ts';
import type { AlertChannelModel, AlertsModel } from '../model.ts';
import type { PlatformInput } from '../schema.ts';

const ALERT_DEFAULTS = DEFAULTS.alerts;

type Warn = (code: string, path: Array<string | number>, message: string, hint?: string) => void;

export function normalizeAlerts(
  input: PlatformInput['alerts'],
  parseDurationMs: (v: number | string | undefined, fallbackMs: number) => number,
  warn: Warn,
): AlertsModel {
  const channels: AlertChannelModel[] = [];
  for (const [name, c] of Object.entries(input?.channels ?? {})) {
    const severity = c.severity ?? ALERT_DEFAULTS.severity;
    if (
      (c.type === 'discord' || c.type === 'webhook') &&
      typeof c.url === 'string' &&
      /\/webhooks?\/|token=/i.test(c.url)
    ) {
      warn(
        'alert-url-inline-secret',
        ['alerts', 'channels', name, 'url'],
        `the URL of alert channel ${name} carries its token in the platform file`,
        'move it out of the file: url: { env: VARIABLE } or url: { file: PATH } (0600)',
      );
    }
    switch (c.type) {
      case 'telegram':
        channels.push({
          name,
          severity,
          type: 'telegram',
          token: c.token,
          chat: String(c.chat),
          api: c.api ?? ALERT_DEFAULTS.api,
        });
        break;
      case 'ntfy':
        channels.push({ name, severity, type: 'ntfy', url: c.url, ...(c.token ? { token: c.token } : {}) });
        break;
      default:
        channels.push({ name, severity, type: c.type, url: c.url });
    }
  }
  return {
    channels,
    repeatSeconds: parseDurationMs(input?.repeat, ALERT_DEFAULTS.repeatSeconds * 1000) / 1000,
    ratePerMinute: input?.rate ?? ALERT_DEFAULTS.ratePerMinute,
    ...(input?.heartbeat ? { heartbeat: { url: input.heartbeat.url } } : {}),
  };
}
