/**
 * The monitor's own alert evaluation, over the rules of the contract (contract/alerts.ts), with
 * Prometheus' lifecycle: a condition that starts to hold is `pending`; once it has held for the
 * rule's `for:` at every evaluation it is `firing` (one notification); while it keeps firing it is
 * re-notified every repeat interval; when it stops holding a firing alert is `resolved` (one
 * notification), a pending one is dropped silently. A warning is not notified while the critical
 * rule of the same alert fires for the same series (Alertmanager's inhibition in the rendered
 * example does the same).
 *
 * The state is a plain value, saved by the caller after each evaluation, so a restarted monitor
 * neither repeats a notification nor loses a resolution that happened while it was down.
 */
import {
  type AlertRule,
  expandTemplate,
  type Labels,
  type MetricView,
  type Severity,
} from '../contract/alerts.ts';

export interface ActiveAlert {
  /** Stable identity: rule name, severity and the series' labels. */
  key: string;
  alert: string;
  severity: Severity;
  labels: Labels;
  state: 'pending' | 'firing';
  /** Unix seconds when the condition started to hold. */
  activeSince: number;
  /** Unix seconds of the last notification sent for it (firing or repeat). */
  notifiedAt?: number;
  value: number;
  summary: string;
  description: string;
}

export interface AlertState {
  version: 1;
  alerts: ActiveAlert[];
}

export type TransitionKind = 'firing' | 'repeat' | 'resolved';

export interface Transition {
  kind: TransitionKind;
  alert: ActiveAlert;
  /** Unix seconds of the evaluation that made it. */
  at: number;
}

export const EMPTY_ALERT_STATE: AlertState = Object.freeze({ version: 1, alerts: [] }) as AlertState;

/** Seconds of a Prometheus duration as the rules write it ('', '30s', '5m', '1h', '1d'). */
export function durationSeconds(text: string): number {
  if (text === '') return 0;
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a rule duration: ${text}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

export function alertKey(alert: string, severity: Severity, labels: Labels): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `${alert}/${severity}{${body}}`;
}

export interface EvaluateOptions {
  /** Seconds between notifications of an alert that keeps firing; default 4 h (Alertmanager's). */
  repeatSeconds?: number;
}

/** One evaluation: the new state and the notifications it calls for, in rule order. */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  view: MetricView,
  now: number,
  previous: AlertState,
  opts: EvaluateOptions = {},
): { state: AlertState; transitions: Transition[] } {
  const repeat = opts.repeatSeconds ?? 4 * 3600;
  const before = new Map(previous.alerts.map((a) => [a.key, a]));
  const next = new Map<string, ActiveAlert>();
  const transitions: Transition[] = [];
  for (const rule of rules) {
    if (!rule.evaluate) continue;
    const hold = durationSeconds(rule.for);
    for (const f of rule.evaluate(view, now)) {
      const key = alertKey(rule.alert, rule.severity, f.labels);
      const old = before.get(key);
      const a: ActiveAlert = {
        key,
        alert: rule.alert,
        severity: rule.severity,
        labels: f.labels,
        state: old?.state ?? 'pending',
        activeSince: old?.activeSince ?? now,
        value: f.value,
        summary: expandTemplate(rule.summary, f.labels, f.value),
        description: expandTemplate(rule.description, f.labels, f.value),
      };
      if (old?.notifiedAt !== undefined) a.notifiedAt = old.notifiedAt;
      if (a.state === 'pending' && now - a.activeSince >= hold) a.state = 'firing';
      next.set(key, a);
    }
  }
  const inhibited = (a: ActiveAlert): boolean =>
    a.severity === 'warning' && next.get(alertKey(a.alert, 'critical', a.labels))?.state === 'firing';
  // Resolutions first: a critical that ends and its warning that now speaks read in that order.
  for (const [key, old] of before) {
    // Only what was announced needs its end announced.
    if (!next.has(key) && old.state === 'firing' && old.notifiedAt !== undefined) {
      transitions.push({ kind: 'resolved', alert: old, at: now });
    }
  }
  for (const a of next.values()) {
    if (a.state !== 'firing' || inhibited(a)) continue;
    if (a.notifiedAt === undefined) {
      a.notifiedAt = now;
      transitions.push({ kind: 'firing', alert: a, at: now });
    } else if (now - a.notifiedAt >= repeat) {
      a.notifiedAt = now;
      transitions.push({ kind: 'repeat', alert: a, at: now });
    }
  }
  return { state: { version: 1, alerts: [...next.values()] }, transitions };
}

/** Reads a saved state; anything that is not one (torn, hand-edited, older) starts empty. */
export function parseAlertState(text: string | undefined): AlertState {
  if (text === undefined) return EMPTY_ALERT_STATE;
  try {
    const s = JSON.parse(text) as AlertState;
    if (s?.version === 1 && Array.isArray(s.alerts)) {
      const ok = s.alerts.every(
        (a) =>
          typeof a?.key === 'string' &&
          typeof a.alert === 'string' &&
          (a.state === 'pending' || a.state === 'firing') &&
          typeof a.activeSince === 'number',
      );
      if (ok) return s;
    }
  } catch {
    // fall through
  }
  return EMPTY_ALERT_STATE;
}
