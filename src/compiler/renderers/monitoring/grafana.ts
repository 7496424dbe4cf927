/** The Grafana dashboard: the same panels and colour bands as the monitor's page. */
import { LOG_QUIET_SECONDS } from '../../../contract/alerts.ts';
import { BANDS } from '../../../contract/metrics.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
const DS = { type: 'prometheus', uid: '${datasource}' };
const CHAIN_SEL = '{chain=~"$chain",host=~"$host"}';
const HOST_SEL = '{host=~"$host"}';

interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  format?: 'table' | 'time_series';
}

function tgt(refId: string, expr: string, extra: Partial<Target> = {}): Target & { datasource: unknown } {
  return { datasource: DS, refId, expr, ...extra };
}

function steps(...s: Array<[string, number | null]>): unknown {
  return { mode: 'absolute', steps: s.map(([color, value]) => ({ color, value })) };
}

const AGE_THRESHOLDS = steps(
  ['green', null],
  ['yellow', BANDS.notarizationIrregularSeconds],
  ['red', BANDS.notarizationInactiveSeconds],
);
const UTXO_THRESHOLDS = steps(['red', null], ['yellow', BANDS.utxoRed], ['green', BANDS.utxoYellow]);
const FUNDS_THRESHOLDS = steps(
  ['red', null],
  ['yellow', BANDS.fundsCriticalDays * 86400],
  ['green', BANDS.fundsWarningDays * 86400],
);
const DISK_THRESHOLDS = steps(['red', null], ['yellow', BANDS.diskCritical], ['green', BANDS.diskWarning]);
const UP_MAPPINGS = [
  {
    type: 'value',
    options: { '0': { text: 'DOWN', color: 'red', index: 0 }, '1': { text: 'UP', color: 'green', index: 1 } },
  },
];

function override(name: string, properties: Array<{ id: string; value: unknown }>): unknown {
  return { matcher: { id: 'byName', options: name }, properties };
}

export function dashboard(): unknown {
  const tableColumns: Array<[string, string, string]> = [
    ['A', 'Up', `dokomodo_chain_up${CHAIN_SEL}`],
    ['B', 'Blocks', `dokomodo_chain_blocks${CHAIN_SEL}`],
    ['C', 'Longest', `dokomodo_chain_longest_chain${CHAIN_SEL}`],
    ['D', 'Notarized', `dokomodo_chain_notarized_height${CHAIN_SEL}`],
    ['E', 'Notarization age', `time() - dokomodo_chain_last_notarization_timestamp_seconds${CHAIN_SEL}`],
    ['F', 'UTXOs', `dokomodo_chain_notarization_utxos${CHAIN_SEL}`],
    ['G', 'Split threshold', `dokomodo_chain_split_threshold${CHAIN_SEL}`],
    ['H', 'Peers', `dokomodo_chain_connections${CHAIN_SEL}`],
    ['I', 'Balance', `dokomodo_chain_balance_coins${CHAIN_SEL}`],
    ['J', 'Funds left', `dokomodo_chain_funds_left_seconds${CHAIN_SEL}`],
  ];
  const panels = [
    {
      id: 1,
      type: 'stat',
      title: 'Chains up',
      gridPos: { h: 4, w: 6, x: 0, y: 0 },
      datasource: DS,
      targets: [tgt('A', `sum(dokomodo_chain_up${CHAIN_SEL}) or vector(0)`, { instant: true })],
      fieldConfig: { defaults: { unit: 'none', thresholds: steps(['green', null]) }, overrides: [] },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      id: 2,
      type: 'stat',
      title: 'Chains down',
      gridPos: { h: 4, w: 6, x: 6, y: 0 },
      datasource: DS,
      targets: [tgt('A', `count(dokomodo_chain_up${CHAIN_SEL} == 0) or vector(0)`, { instant: true })],
      fieldConfig: {
        defaults: { unit: 'none', thresholds: steps(['green', null], ['red', 1]) },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
      },
    },
    {
      id: 3,
      type: 'stat',
      title: 'Iguana',
      gridPos: { h: 4, w: 6, x: 12, y: 0 },
      datasource: DS,
      targets: [tgt('A', `dokomodo_iguana_up${HOST_SEL}`, { legendFormat: '{{iguana}} @ {{host}}' })],
      fieldConfig: {
        defaults: { mappings: UP_MAPPINGS, thresholds: steps(['red', null], ['green', 1]) },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
      },
    },
    {
      id: 4,
      type: 'stat',
      title: 'Last monitor poll',
      gridPos: { h: 4, w: 6, x: 18, y: 0 },
      datasource: DS,
      targets: [tgt('A', 'time() - dokomodo_poll_timestamp_seconds', { legendFormat: '{{host}}' })],
      fieldConfig: {
        defaults: { unit: 's', thresholds: steps(['green', null], ['yellow', 120], ['red', 300]) },
        overrides: [],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      id: 5,
      type: 'table',
      title: 'Chains',
      gridPos: { h: 12, w: 24, x: 0, y: 4 },
      datasource: DS,
      targets: tableColumns.map(([ref, , expr]) => tgt(ref, expr, { instant: true, format: 'table' })),
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, env: true, instance: true, job: true, __name__: true },
            indexByName: { chain: 0, host: 1 },
            renameByName: Object.fromEntries(tableColumns.map(([ref, title]) => [`Value #${ref}`, title])),
          },
        },
      ],
      fieldConfig: {
        defaults: { custom: { align: 'auto' } },
        overrides: [
          override('Up', [
            { id: 'mappings', value: UP_MAPPINGS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
          override('Notarization age', [
            { id: 'unit', value: 's' },
            { id: 'thresholds', value: AGE_THRESHOLDS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
          override('UTXOs', [
            { id: 'thresholds', value: UTXO_THRESHOLDS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
          override('Funds left', [
            { id: 'unit', value: 's' },
            { id: 'thresholds', value: FUNDS_THRESHOLDS },
            { id: 'custom.cellOptions', value: { type: 'color-background' } },
          ]),
        ],
      },
      options: { showHeader: true, sortBy: [{ displayName: 'chain', desc: false }] },
    },
    {
      id: 6,
      type: 'timeseries',
      title: 'Time since last notarization',
      gridPos: { h: 9, w: 12, x: 0, y: 16 },
      datasource: DS,
      targets: [
        tgt(
          'A',
          `time() - dokomodo_chain_last_notarization_timestamp_seconds${CHAIN_SEL} and dokomodo_chain_notarization_enabled${CHAIN_SEL} == 1`,
          { legendFormat: '{{chain}}' },
        ),
      ],
      fieldConfig: {
        defaults: {
          unit: 's',
          min: 0,
          thresholds: AGE_THRESHOLDS,
          custom: { thresholdsStyle: { mode: 'line+area' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] } },
    },
    {
      id: 7,
      type: 'timeseries',
      title: 'Notarization UTXOs',
      gridPos: { h: 9, w: 12, x: 12, y: 16 },
      datasource: DS,
      targets: [tgt('A', `dokomodo_chain_notarization_utxos${CHAIN_SEL}`, { legendFormat: '{{chain}}' })],
      fieldConfig: {
        defaults: { min: 0, thresholds: UTXO_THRESHOLDS, custom: { thresholdsStyle: { mode: 'line+area' } } },
        overrides: [],
      },
      options: { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] } },
    },
    {
      id: 8,
      type: 'timeseries',
      title: 'Blocks behind the network',
      gridPos: { h: 8, w: 12, x: 0, y: 25 },
      datasource: DS,
      targets: [
        tgt('A', `dokomodo_chain_longest_chain${CHAIN_SEL} - dokomodo_chain_blocks${CHAIN_SEL}`, {
          legendFormat: '{{chain}}',
        }),
      ],
      fieldConfig: {
        defaults: {
          thresholds: steps(['green', null], ['yellow', BANDS.behindBlocks + 1]),
          custom: { thresholdsStyle: { mode: 'line' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom' } },
    },
    {
      id: 9,
      type: 'bargauge',
      title: 'Disk free',
      gridPos: { h: 8, w: 12, x: 12, y: 25 },
      datasource: DS,
      targets: [
        tgt(
          'A',
          `node_filesystem_avail_bytes{host=~"$host",fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"} / node_filesystem_size_bytes{host=~"$host",fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse.*"}`,
          { legendFormat: '{{host}} {{mountpoint}}', instant: true },
        ),
      ],
      fieldConfig: {
        defaults: { unit: 'percentunit', min: 0, max: 1, thresholds: DISK_THRESHOLDS },
        overrides: [],
      },
      options: {
        orientation: 'horizontal',
        displayMode: 'gradient',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      },
    },
    {
      id: 10,
      type: 'table',
      title: 'Trouble in the logs (last 30 min)',
      gridPos: { h: 8, w: 12, x: 0, y: 33 },
      datasource: DS,
      targets: [
        tgt(
          'A',
          `time() - dokomodo_chain_log_pattern_last_seen_timestamp_seconds${CHAIN_SEL} < ${LOG_QUIET_SECONDS}`,
          { instant: true, format: 'table' },
        ),
      ],
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, env: true, instance: true, job: true, __name__: true },
            indexByName: { chain: 0, host: 1, pattern: 2, level: 3 },
            renameByName: { Value: 'Seen ago' },
          },
        },
      ],
      fieldConfig: { defaults: { unit: 's' }, overrides: [] },
      options: { showHeader: true },
    },
    {
      id: 11,
      type: 'timeseries',
      title: 'Clock offset seen by peers',
      gridPos: { h: 8, w: 12, x: 12, y: 33 },
      datasource: DS,
      targets: [tgt('A', `dokomodo_chain_time_offset_seconds${CHAIN_SEL}`, { legendFormat: '{{chain}}' })],
      fieldConfig: {
        defaults: {
          unit: 's',
          thresholds: steps(['green', null], ['red', BANDS.clockSkewSeconds]),
          custom: { thresholdsStyle: { mode: 'line' } },
        },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom' } },
    },
  ];
  const variable = (name: string, label: string, query: string) => ({
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
  });
  return {
    uid: 'dokomodo-fleet',
    title: 'dokomodo fleet',
    tags: ['dokomodo'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
        variable('host', 'Host', 'label_values(dokomodo_chain_up, host)'),
        variable('chain', 'Chain', 'label_values(dokomodo_chain_up{host=~"$host"}, chain)'),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
