/** Alertmanager: an example routing critical and warning alerts to two webhook receivers. */
import { WEBHOOK_PLACEHOLDER } from './files.ts';

export function alertmanagerDocument(): unknown {
  const webhook = (name: string) => ({
    name,
    webhook_configs: [{ url: WEBHOOK_PLACEHOLDER, send_resolved: true }],
  });
  return {
    route: {
      receiver: 'dokomodo-warning',
      group_by: ['alertname', 'severity', 'host'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { matchers: ['severity="critical"'], receiver: 'dokomodo-critical', repeat_interval: '1h' },
        { matchers: ['severity="warning"'], receiver: 'dokomodo-warning' },
      ],
    },
    // Warning and critical rules of one alert both fire at the critical level; page once.
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'chain', 'host', 'mountpoint'],
      },
    ],
    receivers: [webhook('dokomodo-critical'), webhook('dokomodo-warning')],
  };
}
