/**
 * kubernetes target: manifests under `kubernetes/` for one namespace, applied with
 * `kubectl apply -k kubernetes/` (or `oc apply -k`).
 *
 * - per chain `chain-NAME.yaml`: a StatefulSet (one replica, a PVC from a volumeClaimTemplate), a
 *   headless Service for its stable pod name, a ClusterIP Service `NAME` that Iguana reaches it
 *   by, and a NetworkPolicy (RPC only from its Iguana instances and the monitor, p2p from anywhere);
 * - per Iguana instance `iguana-NAME.yaml`: a Deployment (Recreate: never two Iguanas with one
 *   key), a Service for the dPoW port and a NetworkPolicy;
 * - the platform file reaches the pods as a ConfigMap that kustomize generates from `platform/`
 *   (the compiler has the model, not the file's bytes); its name carries a hash of the content,
 *   so changing the platform file rolls every pod;
 * - `monitor.yaml` (when a host has role `monitor`, or the platform has no hosts): the monitor's
 *   Deployment (Recreate, its alert state on a small PVC), a Service for /metrics, the page and
 *   the API, and a NetworkPolicy; it reaches each chain at its ClusterIP Service, which the
 *   chains' NetworkPolicy opens to pods of component `monitor`;
 * - `secret.template.yaml` documents the Secret but is not applied: the value never goes into a
 *   manifest, and an applied Secret without data could later blank the real one.
 *
 * Pods fit the `restricted` Pod Security Standard and OpenShift's restricted SCC: non-root
 * without a fixed UID, no privilege escalation, every capability dropped, RuntimeDefault
 * seccomp, read-only root filesystem.
 */
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type {
  Container,
  EnvVar,
  Namespace,
  PersistentVolumeClaim,
  PodSpec,
  Probe,
  Secret,
  Service,
  Volume,
} from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { ChainModel, IguanaModel, Platform } from '../../platform/model.ts';
import { type Artifact, artifact, artifactList, header, hostOf, type RenderContext } from '../artifact.ts';
import {
  CONTAINER_DATADIR,
  CONTAINER_PLATFORM_DIR,
  chainProbe,
  containerNames,
  containerPlatformFile,
  containerSecretEnv,
  dpowPort,
  ENTRYPOINT_BIN,
  iguanaProbe,
  platformFiles,
  SECRET_NAME,
  stopGraceSeconds,
  yamlDocs,
} from './entrypoint.ts';
import { jsonDocs } from '../yaml.ts';
import { relayArgs, relayNeeds } from './relay-service.ts';
import { MONITOR_PORT } from '../../contract/metrics.ts';
import { MONITOR_TOKEN_ENV, monitorArgs, monitorSecrets } from './monitor-service.ts';

/** The ConfigMap kustomize generates from `kubernetes/platform/` (name suffixed with a hash). */
export const PLATFORM_CONFIGMAP = 'dokomodo-platform';
/** Directory next to kustomization.yaml where the operator puts the platform file. */
export const PLATFORM_SOURCE_DIR = 'platform';

const PART_OF = { 'app.kubernetes.io/part-of': 'dokomodo' };

function labels(
  name: string,
  app: string,
  component: 'chain' | 'iguana' | 'monitor',
): Record<string, string> {
  return {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': component,
    ...PART_OF,
    'app.kubernetes.io/managed-by': 'dokomodo',
  };
}

/** Selectors are immutable: only what identifies the pods, nothing that might be renamed. */
function selector(name: string): Record<string, string> {
  return { ...PART_OF, 'app.kubernetes.io/instance': name };
}

/**
 * ConfigMap keys cannot hold `/`: the items put each file back at its path below /etc/dokomodo;
 * a file from elsewhere sits at its key and is mounted on its own path (mounts()).
 */
function platformVolume(platform: Platform): Volume {
  return {
    name: 'platform',
    configMap: {
      name: PLATFORM_CONFIGMAP,
      items: platformFiles(platform).map((f) => ({ key: f.key, path: f.rel ?? f.key })),
    },
  };
}

function env(platform: Platform): EnvVar[] {
  const secretEnv = containerSecretEnv(platform);
  return [
    { name: 'DOKOMODO_FILE', value: containerPlatformFile(platform) },
    { name: secretEnv, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: secretEnv } } },
  ];
}

const CONTAINER_SECURITY: Container['securityContext'] = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};

/**
 * No runAsUser, runAsGroup or fsGroup: OpenShift assigns them from the namespace's range. On
 * other clusters the image's USER applies (docs: add fsGroup when a storage class mounts volumes
 * owned by root).
 */
function podSpec(platform: Platform, container: Container, volumes: Volume[], grace: number): PodSpec {
  return {
    automountServiceAccountToken: false,
    // Thousands of Services would otherwise become environment variables of every pod.
    enableServiceLinks: false,
    terminationGracePeriodSeconds: grace,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container],
    volumes: [platformVolume(platform), { name: 'tmp', emptyDir: {} }, ...volumes],
  };
}

function mounts(platform: Platform): Container['volumeMounts'] {
  return [
    { name: 'data', mountPath: CONTAINER_DATADIR },
    { name: 'platform', mountPath: CONTAINER_PLATFORM_DIR, readOnly: true },
    ...platformFiles(platform)
      .filter((f) => f.rel === undefined)
      .map((f) => ({ name: 'platform', mountPath: f.containerPath, subPath: f.key, readOnly: true })),
    { name: 'tmp', mountPath: '/tmp' },
  ];
}

function execProbe(command: string[], period: number, failures: number): Probe {
  return { exec: { command }, periodSeconds: period, timeoutSeconds: 10, failureThreshold: failures };
}

function chainObjects(ctx: RenderContext, chain: ChainModel, name: string): unknown[] {
  const { platform } = ctx;
  const c = platform.defaults.containers;
  const ns = c.namespace;
  const lbl = labels(name, chain.coin.daemon, 'chain');
  const annotations = { 'dokomodo.io/chain': chain.name };
  const ports = [
    { name: 'p2p', port: chain.p2p, targetPort: 'p2p', protocol: 'TCP' },
    { name: 'rpc', port: chain.rpc, targetPort: 'rpc', protocol: 'TCP' },
  ];
  const container: Container = {
    name: 'daemon',
    image: c.image,
    command: [ENTRYPOINT_BIN],
    args: ['chain', chain.name],
    env: env(platform),
    ports: [
      { name: 'p2p', containerPort: chain.p2p, protocol: 'TCP' },
      { name: 'rpc', containerPort: chain.rpc, protocol: 'TCP' },
    ],
    // Requests only: a memory limit would OOM-kill komodod mid-write, and that costs a reindex.
    resources: { requests: { cpu: c.cpu, memory: c.memory } },
    // live: the RPC server answers (warm-up included); ready: out of warm-up. The start-up probe
    // gives the daemon the platform's start timeout before liveness counts.
    startupProbe: execProbe(
      chainProbe(chain, 'live'),
      10,
      Math.max(1, Math.ceil(platform.defaults.start.timeoutMs / 10_000)),
    ),
    readinessProbe: execProbe(chainProbe(chain, 'ready'), 30, 3),
    livenessProbe: execProbe(chainProbe(chain, 'live'), 60, 5),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts(platform),
  };
  const sts: StatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    spec: {
      serviceName: `${name}-headless`,
      replicas: 1,
      selector: { matchLabels: selector(name) },
      template: {
        metadata: { labels: lbl, annotations },
        spec: podSpec(platform, container, [], stopGraceSeconds(platform)),
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: lbl },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(c.storageClass !== undefined ? { storageClassName: c.storageClass } : {}),
            resources: { requests: { storage: c.storage } },
          },
        },
      ],
    },
  };
  const headless: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${name}-headless`, namespace: ns, labels: lbl, annotations },
    spec: {
      clusterIP: 'None',
      // The pod's DNS name exists while it warms up, for operators and peers.
      publishNotReadyAddresses: true,
      selector: selector(name),
      ports,
    },
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    // Iguana's payloads say `rpchost: NAME:RPC`. Patch type to LoadBalancer/NodePort to take p2p in.
    spec: { type: 'ClusterIP', selector: selector(name), ports },
  };
  const iguanas = platform.iguana
    .filter((g) => g.coins.includes(chain.name))
    .map((g) => containerNames(platform).iguana(g.name));
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    spec: {
      podSelector: { matchLabels: selector(name) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...(iguanas.length > 0
              ? [
                  {
                    podSelector: {
                      matchExpressions: [
                        { key: 'app.kubernetes.io/instance', operator: 'In', values: iguanas },
                      ],
                      matchLabels: { ...PART_OF, 'app.kubernetes.io/component': 'iguana' },
                    },
                  },
                ]
              : []),
            { podSelector: { matchLabels: { ...PART_OF, 'app.kubernetes.io/component': 'monitor' } } },
          ],
          ports: [{ port: chain.rpc, protocol: 'TCP' }],
        },
        { ports: [{ port: chain.p2p, protocol: 'TCP' }] },
      ],
    },
  };
  return [sts, headless, service, policy];
}

function iguanaObjects(ctx: RenderContext, g: IguanaModel, name: string): unknown[] {
  const { platform } = ctx;
  const c = platform.defaults.containers;
  const ns = c.namespace;
  const lbl = labels(name, 'iguana', 'iguana');
  const annotations = { 'dokomodo.io/iguana': g.name };
  const dpow = dpowPort(platform, g);
  const container: Container = {
    name: 'iguana',
    image: c.iguanaImage,
    command: [ENTRYPOINT_BIN],
    args: ['iguana', g.name],
    env: env(platform),
    ports: [{ name: 'dpow', containerPort: dpow, protocol: 'TCP' }],
    // Iguana in native-daemon mode keeps no chain data; the daemons do the work.
    resources: { requests: { cpu: '100m', memory: '256Mi' } },
    readinessProbe: execProbe(iguanaProbe(g), 30, 3),
    livenessProbe: { ...execProbe(iguanaProbe(g), 60, 5), initialDelaySeconds: 30 },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts(platform),
  };
  const relay = relaySidecar(platform, ctx.selection.chains, g);
  const pod = podSpec(platform, container, [{ name: 'data', emptyDir: {} }], 30);
  if (relay) {
    pod.containers.push(relay.container);
    pod.volumes = [...(pod.volumes ?? []), relay.volume];
  }
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector(name) },
      template: {
        metadata: { labels: lbl, annotations },
        // Its working files are rewritten at every start: an emptyDir is enough.
        spec: pod,
      },
    },
  };
  const relayPorts = relay ? [{ name: 'relay', port: relay.port, targetPort: 'relay', protocol: 'TCP' }] : [];
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    // Other notaries must reach this port at the address Iguana announces (myipaddr): patch the
    // type to LoadBalancer with that IP, or NodePort behind it.
    spec: {
      type: 'ClusterIP',
      selector: selector(name),
      ports: [{ name: 'dpow', port: dpow, targetPort: 'dpow', protocol: 'TCP' }, ...relayPorts],
    },
  };
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: lbl, annotations },
    spec: {
      podSelector: { matchLabels: selector(name) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [
            { port: dpow, protocol: 'TCP' },
            ...relayPorts.map((p) => ({ port: p.port, protocol: 'TCP' })),
          ],
        },
      ],
    },
  };
  return [deployment, service, policy];
}

/** The Secret holding a relay's certificates and tokens file (made by the operator, never rendered). */
export function relaySecretName(host: string): string {
  return `dokomodo-relay-${host.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}
const CONTAINER_RELAY_DIR = '/etc/dokomodo-relay';

/**
 * The relay of an Iguana instance whose host is on a `via: relay` path (relay-service.ts), as a
 * sidecar of its pod: Iguana's API listens on the pod's 127.0.0.1 only, so the gateway must share
 * the pod's network. In the cluster Iguana reaches chains by their Services (NetworkPolicy), so no
 * tunnel listeners; the tunnel server of the host's chains stays on the pod's loopback. The
 * gateway (TLS, tokens) is what the Service's `relay` port exposes. Certificates and tokens come
 * from the Secret relaySecretName(host), which the operator creates from `relay cert`/`relay token`.
 */
function relaySidecar(
  platform: Platform,
  selected: readonly ChainModel[],
  g: IguanaModel,
): { container: Container; volume: Volume; port: number } | undefined {
  const host = hostOf(g.host);
  const need = relayNeeds(platform, selected).find((n) => n.host === host);
  if (!need) return undefined;
  const h = platform.hosts.find((x) => x.name === host);
  const port = h?.relay.port ?? 7780;
  const container: Container = {
    name: 'relay',
    image: platform.defaults.containers.image,
    command: ['dokomodo'],
    args: relayArgs({
      file: containerPlatformFile(platform),
      host,
      dir: CONTAINER_RELAY_DIR,
      audit: `${CONTAINER_DATADIR}/relay-audit.log`,
      tunnelListen: `127.0.0.1:${h?.relay.tunnelPort ?? 7781}`,
      flags: ['--listen', `0.0.0.0:${port}`, '--no-tunnels'],
    }),
    env: [{ name: 'DOKOMODO_FILE', value: containerPlatformFile(platform) }],
    ports: [{ name: 'relay', containerPort: port, protocol: 'TCP' }],
    resources: { requests: { cpu: '50m', memory: '64Mi' } },
    readinessProbe: { tcpSocket: { port: 'relay' }, periodSeconds: 30, timeoutSeconds: 10 },
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [
      ...(mounts(platform) ?? []),
      { name: 'relay', mountPath: CONTAINER_RELAY_DIR, readOnly: true },
    ],
  };
  return {
    container,
    volume: { name: 'relay', secret: { secretName: relaySecretName(host), defaultMode: 0o440 } },
    port,
  };
}

/** The monitor's Deployment, PVC, Service and NetworkPolicy name. */
export const MONITOR_NAME = 'dokomodo-monitor';

/** Whether the fleet has a monitor: a host with role `monitor`, or no hosts at all. */
function hasMonitor(ctx: RenderContext): boolean {
  return ctx.platform.hosts.length === 0 || ctx.selection.hosts.some((h) => h.roles.includes('monitor'));
}

function monitorObjects(ctx: RenderContext): unknown[] {
  const { platform } = ctx;
  const c = platform.defaults.containers;
  const ns = c.namespace;
  const lbl = labels(MONITOR_NAME, 'dokomodo', 'monitor');
  const secretKey = (name: string, optional: boolean): EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: SECRET_NAME, key: name, ...(optional ? { optional: true } : {}) } },
  });
  const channelEnv = monitorSecrets(platform, { platformSecret: false })
    .filter((s) => s.env !== undefined)
    // Without a token the page and the API are open inside the cluster (the monitor warns).
    .map((s) => secretKey(s.env!, s.env === MONITOR_TOKEN_ENV));
  const probe = (period: number, failures: number): Probe => ({
    httpGet: { path: '/healthz', port: 'http' },
    periodSeconds: period,
    timeoutSeconds: 10,
    failureThreshold: failures,
  });
  const container: Container = {
    name: 'monitor',
    image: c.image,
    command: ['dokomodo'],
    args: [
      ...monitorArgs(ctx, {
        file: containerPlatformFile(platform),
        listen: `0.0.0.0:${MONITOR_PORT}`,
        stateDir: CONTAINER_DATADIR,
      }),
      '--container',
      'kubernetes',
    ],
    env: [...env(platform), ...channelEnv],
    ports: [{ name: 'http', containerPort: MONITOR_PORT, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '256Mi' } },
    // /healthz answers 200 once a poll has finished: a 1000-chain poll takes a while.
    startupProbe: probe(10, 30),
    readinessProbe: probe(30, 3),
    livenessProbe: probe(60, 5),
    securityContext: CONTAINER_SECURITY,
    volumeMounts: mounts(platform),
  };
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: MONITOR_NAME, namespace: ns, labels: lbl },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(c.storageClass !== undefined ? { storageClassName: c.storageClass } : {}),
      // Alert states, the unsent messages, the log matches: kilobytes.
      resources: { requests: { storage: '1Gi' } },
    },
  };
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: MONITOR_NAME, namespace: ns, labels: lbl },
    spec: {
      replicas: 1,
      // One monitor at a time: two would both send every alert.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector(MONITOR_NAME) },
      template: {
        metadata: { labels: lbl },
        spec: podSpec(
          platform,
          container,
          [{ name: 'data', persistentVolumeClaim: { claimName: MONITOR_NAME } }],
          60,
        ),
      },
    },
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: MONITOR_NAME, namespace: ns, labels: lbl },
    spec: {
      type: 'ClusterIP',
      selector: selector(MONITOR_NAME),
      ports: [{ name: 'http', port: MONITOR_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const policy: NetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: MONITOR_NAME, namespace: ns, labels: lbl },
    spec: {
      podSelector: { matchLabels: selector(MONITOR_NAME) },
      policyTypes: ['Ingress'],
      // Prometheus (any namespace) and the page: the monitor's port only.
      ingress: [{ ports: [{ port: MONITOR_PORT, protocol: 'TCP' }] }],
    },
  };
  return [pvc, deployment, service, policy];
}

function namespaceObject(platform: Platform): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: platform.defaults.containers.namespace,
      labels: {
        ...PART_OF,
        'app.kubernetes.io/managed-by': 'dokomodo',
        // Every pod here fits the restricted standard; refuse anything that does not.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

function secretTemplate(ctx: RenderContext): string {
  const { platform } = ctx;
  const key = containerSecretEnv(platform);
  const ns = platform.defaults.containers.namespace;
  const secret: Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: SECRET_NAME,
      namespace: ns,
      labels: { ...PART_OF, 'app.kubernetes.io/managed-by': 'dokomodo' },
    },
    type: 'Opaque',
  };
  const lines = [
    'TEMPLATE, not applied by kustomization.yaml: the platform secret never goes into a manifest.',
    'Create the Secret once, before `kubectl apply -k .`, with the value every host uses:',
    `  kubectl create secret generic ${SECRET_NAME} -n ${ns} --from-literal=${key}="$${key}"`,
    '(or --from-file=' +
      key +
      '=PATH). Change it with `kubectl create … --dry-run=client -o yaml | kubectl replace -f -`.',
    `Pods read the key ${key} of this Secret; without it they wait in CreateContainerConfigError.`,
    ...(hasMonitor(ctx)
      ? [
          `The monitor also reads ${monitorSecrets(platform, { platformSecret: false })
            .filter((s) => s.env !== undefined)
            .map((s) => s.env)
            .join(', ')} (add each with another --from-literal;`,
          `${MONITOR_TOKEN_ENV} may be left out, then its page and API are open to whoever reaches the Service).`,
        ]
      : []),
  ];
  return yamlDocs(header(ctx, '#') + lines.map((l) => `# ${l}\n`).join(''), [secret]);
}

function kustomization(ctx: RenderContext, resources: string[]): string {
  const files = platformFiles(ctx.platform);
  const doc = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: ctx.platform.defaults.containers.namespace,
    resources,
    configMapGenerator: [
      {
        name: PLATFORM_CONFIGMAP,
        files: files.map((f) => `${f.key}=${PLATFORM_SOURCE_DIR}/${f.rel ?? f.key}`),
      },
    ],
  };
  const lines = [
    ctx.sources !== undefined
      ? `Before \`kubectl apply -k .\`: ${PLATFORM_SOURCE_DIR}/ holds copies of the platform files (refreshed by every render);`
      : `Before \`kubectl apply -k .\`: put the platform files into ${PLATFORM_SOURCE_DIR}/ next to this file (kustomize`,
    ctx.sources !== undefined
      ? 'create the Secret (see secret.template.yaml):'
      : 'reads only files below it), and create the Secret (see secret.template.yaml):',
    ...files.map((f) => `  ${f.source} → ${PLATFORM_SOURCE_DIR}/${f.rel ?? f.key}`),
    'Every rendered manifest is listed below except secret.template.yaml, on purpose.',
  ];
  return yamlDocs(header(ctx, '#') + lines.map((l) => `# ${l}\n`).join(''), [doc]);
}

export function renderKubernetes(ctx: RenderContext): Artifact[] {
  const { platform } = ctx;
  const names = containerNames(platform);
  const selected = new Set(ctx.selection.chains.map((c) => c.name));
  const head = header(ctx, '#');
  const out = artifactList(ctx);
  const resources: string[] = [];
  const add = (file: string, docs: unknown[]) => {
    resources.push(file);
    // Manifests as JSON documents in a YAML stream: the same objects, unambiguous for kubectl's
    // YAML 1.1 reader, and cheap to emit for thousands of chains.
    out.push(artifact('kubernetes', `kubernetes/${file}`, jsonDocs(head, docs)));
  };
  add('namespace.yaml', [namespaceObject(platform)]);
  // The kubernetes target is fleet-wide: one namespace runs every selected chain, whatever host
  // the platform file gives it (pods have their own addresses, so ports cannot clash).
  for (const chain of ctx.selection.chains) {
    const name = names.chain(chain.name);
    add(`chain-${name}.yaml`, chainObjects(ctx, chain, name));
  }
  for (const g of platform.iguana) {
    if (!g.coins.some((c) => selected.has(c))) continue;
    const name = names.iguana(g.name);
    add(`${name}.yaml`, iguanaObjects(ctx, g, name));
  }
  if (hasMonitor(ctx)) add('monitor.yaml', monitorObjects(ctx));
  out.push(artifact('kubernetes', 'kubernetes/secret.template.yaml', secretTemplate(ctx)));
  out.push(artifact('kubernetes', 'kubernetes/kustomization.yaml', kustomization(ctx, resources)));
  for (const f of platformFiles(platform)) {
    const text = ctx.sources?.[f.source];
    if (text !== undefined)
      out.push(artifact('kubernetes', `kubernetes/${PLATFORM_SOURCE_DIR}/${f.rel ?? f.key}`, text));
  }
  return out;
}
