/**
 * kubernetes target: every emitted object validated against the Kubernetes schema with
 * kubernetes-models (types, required fields, enums), plus the structure the design asks for.
 * When kubectl is installed, `kubectl kustomize` also builds the tree and its output (with the
 * generated ConfigMap) is validated the same way.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import type { Deployment as DeploymentT, StatefulSet as StatefulSetT } from 'kubernetes-types/apps/v1.js';
import type { Service as ServiceT } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy as NetworkPolicyT } from 'kubernetes-types/networking/v1.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { Artifact } from '../../src/compiler/artifact.ts';
import { containerNames, platformFiles } from '../../src/compiler/renderers/entrypoint.ts';
import type { Platform } from '../../src/platform/model.ts';
import {
  DNS_LABEL,
  EXAMPLES,
  platformFile,
  platformText,
  removeDir,
  render,
  run,
  tempDir,
  writeTree,
} from './helpers.ts';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) removeDir(t);
});

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

/** One model class per kind the renderer may emit (and kustomize may generate). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace,
  Secret,
  ConfigMap,
  Service,
  StatefulSet,
  Deployment,
  NetworkPolicy,
  PersistentVolumeClaim,
};

function validate(o: K8sObject): void {
  const Model = MODELS[o.kind];
  if (!Model) throw new Error(`no model for kind ${o.kind}: add it to MODELS`);
  new Model(o as never).validate();
}

function objects(a: Artifact): K8sObject[] {
  return parseAllDocuments(a.content).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as K8sObject;
  });
}

function manifests(artifacts: readonly Artifact[]): Artifact[] {
  return artifacts.filter((a) => a.path.startsWith('kubernetes/') && !a.path.endsWith('kustomization.yaml'));
}

/** Every value under a key, anywhere in an object. */
function findKey(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => findKey(v, key));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [v] : []), ...findKey(v, key)]);
  }
  return [];
}

const kubectl = (() => {
  // Not installed by CI (Debian's kubernetes-client does not install): an extra check where present.
  const ok = run('sh', ['-c', 'command -v kubectl']).code === 0;
  if (!ok) console.warn('skipping `kubectl kustomize`: kubectl is not installed');
  return ok;
})();

describe.each(EXAMPLES)('kubernetes from %s', (file) => {
  const platform: Platform = platformFile(file);
  const artifacts = render(platform, ['kubernetes']);
  const names = containerNames(platform);
  const ns = platform.defaults.containers.namespace;

  it('emits the namespace, a file per chain and Iguana instance, the Secret template and the kustomization', () => {
    expect(artifacts.map((a) => a.path).sort()).toEqual(
      [
        'kubernetes/namespace.yaml',
        'kubernetes/secret.template.yaml',
        'kubernetes/kustomization.yaml',
        'kubernetes/monitor.yaml',
        ...platform.chains.map((c) => `kubernetes/chain-${names.chain(c.name)}.yaml`),
        ...platform.iguana.map((g) => `kubernetes/${names.iguana(g.name)}.yaml`),
      ].sort(),
    );
    for (const a of artifacts) expect(a).toMatchObject({ mode: 0o644, secret: false, host: undefined });
  });

  it('every object validates against the Kubernetes schema (kubernetes-models), every kind is covered', () => {
    const kinds = new Set<string>();
    for (const a of manifests(artifacts)) {
      for (const o of objects(a)) {
        kinds.add(o.kind);
        expect(() => validate(o), `${a.path} ${o.kind}/${o.metadata.name}`).not.toThrow();
      }
    }
    expect([...kinds].sort()).toEqual([
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'Secret',
      'Service',
      'StatefulSet',
    ]);
    // The validation is real: a mistyped field of the same output is refused.
    const sts = objects(manifests(artifacts).find((a) => a.path.includes('/chain-'))!)[0]!;
    const broken = JSON.parse(JSON.stringify(sts).replace(/"replicas":1/, '"replicas":"one"'));
    expect(() => validate(broken)).toThrow(/replicas/);
  });

  it('names are DNS-1123 labels, unique per kind, all in the namespace', () => {
    const seen = new Set<string>();
    for (const a of manifests(artifacts)) {
      for (const o of objects(a)) {
        expect(o.metadata.name).toMatch(DNS_LABEL);
        const key = `${o.kind}/${o.metadata.name}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
        if (o.kind === 'Namespace') expect(o.metadata.name).toBe(ns);
        else expect(o.metadata.namespace).toBe(ns);
      }
    }
  });

  it('per chain: StatefulSet (1 replica, PVC, resources, RPC probes, restricted security), headless and ClusterIP Services, NetworkPolicy', () => {
    const c = platform.defaults.containers;
    for (const chain of platform.chains) {
      const name = names.chain(chain.name);
      const [sts, headless, svc, policy] = objects(
        artifacts.find((a) => a.path === `kubernetes/chain-${name}.yaml`)!,
      ) as unknown as [StatefulSetT, ServiceT, ServiceT, NetworkPolicyT];
      expect(sts.kind).toBe('StatefulSet');
      const spec = sts.spec!;
      expect(spec.replicas).toBe(1);
      expect(spec.serviceName).toBe(headless.metadata!.name);
      expect(spec.volumeClaimTemplates![0]!.spec!.resources!.requests).toEqual({ storage: c.storage });
      const pod = spec.template.spec!;
      const ctr = pod.containers[0]!;
      expect(ctr.command).toEqual(['dokomodo-entrypoint']);
      expect(ctr.args).toEqual(['chain', chain.name]);
      expect(ctr.resources!.requests).toEqual({ cpu: c.cpu, memory: c.memory });
      expect(ctr.env).toContainEqual({
        name: 'DOKOMODO_SECRET',
        valueFrom: { secretKeyRef: { name: 'dokomodo-secret', key: 'DOKOMODO_SECRET' } },
      });
      const conf = `/data/${chain.confName}`;
      expect(ctr.readinessProbe!.exec!.command).toEqual(['dokomodo-healthcheck', 'ready', conf]);
      expect(ctr.livenessProbe!.exec!.command).toEqual(['dokomodo-healthcheck', 'live', conf]);
      expect(ctr.startupProbe!.exec!.command).toEqual(['dokomodo-healthcheck', 'live', conf]);
      // OpenShift restricted: non-root without a fixed UID.
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(ctr.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
      expect(pod.volumes).toContainEqual(
        expect.objectContaining({
          name: 'platform',
          configMap: expect.objectContaining({ name: 'dokomodo-platform' }),
        }),
      );
      expect(ctr.volumeMounts).toContainEqual({
        name: 'platform',
        mountPath: '/etc/dokomodo',
        readOnly: true,
      });

      expect(headless.spec!.clusterIP).toBe('None');
      // Iguana's payloads say rpchost NAME:RPC: the ClusterIP Service carries the chain's name.
      expect(svc.metadata!.name).toBe(name);
      expect(svc.spec!.type).toBe('ClusterIP');
      expect(svc.spec!.ports!.map((p) => p.port)).toEqual([chain.p2p, chain.rpc]);

      const [rpcRule, p2pRule] = policy.spec!.ingress!;
      expect(rpcRule!.ports).toEqual([{ port: chain.rpc, protocol: 'TCP' }]);
      const from = JSON.stringify(rpcRule!.from);
      expect(from).toContain('"app.kubernetes.io/component":"monitor"');
      for (const g of platform.iguana.filter((x) => x.coins.includes(chain.name)))
        expect(from).toContain(`"${names.iguana(g.name)}"`);
      expect(p2pRule).toEqual({ ports: [{ port: chain.p2p, protocol: 'TCP' }] }); // from anywhere
    }
  });

  it('the monitor: a Deployment (Recreate) reaching chains at their Services, its state on a PVC, a Service, secrets from the Secret', () => {
    const [pvc, dep, svc, policy] = objects(
      artifacts.find((a) => a.path === 'kubernetes/monitor.yaml')!,
    ) as unknown as [K8sObject, DeploymentT, ServiceT, NetworkPolicyT];
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(dep.spec!.replicas).toBe(1);
    expect(dep.spec!.strategy).toEqual({ type: 'Recreate' });
    const pod = dep.spec!.template.spec!;
    const ctr = pod.containers[0]!;
    expect(dep.spec!.template.metadata!.labels!['app.kubernetes.io/component']).toBe('monitor');
    expect(ctr.command).toEqual(['dokomodo']);
    expect(ctr.args).toEqual([
      '-f',
      `/etc/dokomodo/${path.basename(platform.file)}`,
      'monitor',
      '--listen',
      '0.0.0.0:9710',
      '--interval',
      '30',
      '--state-dir',
      '/data',
      '--container',
      'kubernetes',
    ]);
    expect(ctr.env).toContainEqual({
      name: 'DOKOMODO_SECRET',
      valueFrom: { secretKeyRef: { name: 'dokomodo-secret', key: 'DOKOMODO_SECRET' } },
    });
    expect(ctr.env).toContainEqual({
      name: 'DOKOMODO_MONITOR_TOKEN',
      valueFrom: { secretKeyRef: { name: 'dokomodo-secret', key: 'DOKOMODO_MONITOR_TOKEN', optional: true } },
    });
    expect(ctr.env!.every((e) => e.value === undefined || e.name === 'DOKOMODO_FILE')).toBe(true);
    expect(ctr.readinessProbe!.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(pod.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'dokomodo-monitor' },
    });
    expect(svc.spec!.ports).toEqual([{ name: 'http', port: 9710, targetPort: 'http', protocol: 'TCP' }]);
    expect(policy.spec!.ingress).toEqual([{ ports: [{ port: 9710, protocol: 'TCP' }] }]);
  });

  it('no fixed UID/GID anywhere, and no secret value in the Secret template', () => {
    for (const a of manifests(artifacts)) {
      for (const o of objects(a)) {
        for (const k of ['runAsUser', 'runAsGroup', 'fsGroup', 'privileged'])
          expect(findKey(o, k), `${a.path} ${k}`).toEqual([]);
        if (o.kind === 'Secret') {
          expect(o['data']).toBeUndefined();
          expect(o['stringData']).toBeUndefined();
        }
      }
    }
  });

  it('kustomization lists every manifest but the Secret template, and generates the platform ConfigMap', () => {
    const k = parse(artifacts.find((a) => a.path === 'kubernetes/kustomization.yaml')!.content) as {
      namespace: string;
      resources: string[];
      configMapGenerator: Array<{ name: string; files: string[] }>;
    };
    expect(k.namespace).toBe(ns);
    expect([...k.resources].sort()).toEqual(
      manifests(artifacts)
        .map((a) => a.path.slice('kubernetes/'.length))
        .filter((p) => p !== 'secret.template.yaml')
        .sort(),
    );
    expect(k.configMapGenerator).toEqual([
      {
        name: 'dokomodo-platform',
        files: platformFiles(platform).map((f) => `${f.key}=platform/${f.rel ?? f.key}`),
      },
    ]);
  });

  it.skipIf(!kubectl)('kubectl kustomize builds the tree; every object of its output validates', () => {
    const root = tempDir();
    temps.push(root);
    writeTree(root, artifacts);
    mkdirSync(path.join(root, 'kubernetes/platform'));
    copyFileSync(file, path.join(root, 'kubernetes/platform', path.basename(file)));
    const r = run('kubectl', ['kustomize', path.join(root, 'kubernetes')]);
    expect(r.code, r.stderr).toBe(0);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
    for (const o of objs) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    expect(cm.metadata.name).toMatch(/^dokomodo-platform-[a-z0-9]+$/);
    expect(Object.keys(cm['data'] as object)).toEqual([path.basename(file)]);
    // kustomize renamed every reference to the hashed name
    const refs = objs.flatMap((o) => findKey(o, 'configMap')) as Array<{ name: string }>;
    expect(refs.length).toBe(platform.chains.length + platform.iguana.length + 1); // + the monitor
    for (const ref of refs) expect(ref.name).toBe(cm.metadata.name);
  });

  it('is deterministic', () => {
    expect(render(platformFile(file), ['kubernetes'])).toEqual(artifacts);
  });
});

describe('kubernetes names', () => {
  it('lower-cases names; names that collide after that get a short stable hash; all are DNS-1123 labels', () => {
    const yaml = `version: 1
chains:
  KMD: {}
  DOC_1: { params: { ac_supply: 1000 } }
  DOC-1: { params: { ac_supply: 2000 } }
  3X: { params: { ac_supply: 3000 } }
  A_VERY_LONG_ASSETCHAIN_NAME_THAT_IS_LONGER_THAN_FORTY_CHARACTERS: { params: { ac_supply: 4000 } }
  IGUANA-MAIN: { params: { ac_supply: 5000 } }
  DOC-HEADLESS: { params: { ac_supply: 6000 } }
iguana:
  main: { coins: [KMD], notaries: dev }
notaries:
  dev: { seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1], list: [{ name: a_EU, pubkey: 02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1 }] }
`;
    const p = platformText(yaml);
    const n = containerNames(p);
    const all = [...p.chains.map((c) => n.chain(c.name)), n.iguana('main')];
    expect(new Set(all).size).toBe(all.length);
    for (const x of all) {
      expect(x).toMatch(DNS_LABEL);
      expect(x.length).toBeLessThanOrEqual(40);
    }
    expect(n.chain('KMD')).toBe('kmd');
    expect(n.chain('DOC_1')).toMatch(/^doc-1-[0-9a-f]{8}$/);
    expect(n.chain('DOC-1')).toMatch(/^doc-1-[0-9a-f]{8}$/);
    expect(n.chain('3X')).toBe('chain-3x');
    expect(n.chain('IGUANA-MAIN')).toMatch(/^iguana-main-[0-9a-f]{8}$/);
    expect(n.iguana('main')).toMatch(/^iguana-main-[0-9a-f]{8}$/);
    expect(n.chain('DOC-HEADLESS')).toMatch(/^doc-headless-[0-9a-f]{8}$/);
    // Stable: the same names from a fresh load, and the hash depends only on the name.
    const again = containerNames(platformText(yaml));
    expect(p.chains.map((c) => again.chain(c.name))).toEqual(p.chains.map((c) => n.chain(c.name)));
    // The manifests of such a platform validate too.
    for (const a of manifests(render(p, ['kubernetes']))) for (const o of objects(a)) validate(o);
  });
});
