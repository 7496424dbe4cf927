/**
 * `via: relay` in the kubernetes target: the Iguana pod of a relay host gets the relay as a
 * sidecar (Iguana's API is on the pod's loopback only), its gateway port on the Service and the
 * NetworkPolicy, its certificates and tokens from a Secret the operator makes (never rendered).
 * Every object validated against the Kubernetes schema (kubernetes-models).
 */
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Namespace, Secret, Service } from 'kubernetes-models/v1';
import type { Deployment as DeploymentT } from 'kubernetes-types/apps/v1.js';
import type { Service as ServiceT } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy as NetworkPolicyT } from 'kubernetes-types/networking/v1.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RELAY_PLATFORM } from '../compiler/relay-fixture.ts';
import { platformText, render } from './helpers.ts';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace,
  Secret,
  Service,
  StatefulSet,
  Deployment,
  NetworkPolicy,
};

type Obj = { kind: string; metadata: { name: string } } & Record<string, unknown>;

const platform = platformText(RELAY_PLATFORM);
const artifacts = render(platform, ['kubernetes']);
const docs = (file: string): Obj[] =>
  parseAllDocuments(artifacts.find((a) => a.path === `kubernetes/${file}`)!.content).map(
    (d) => d.toJS() as Obj,
  );

describe('kubernetes relay sidecar', () => {
  it('every object validates against the Kubernetes schema', () => {
    let n = 0;
    for (const a of artifacts.filter(
      (x) => x.path.endsWith('.yaml') && !x.path.endsWith('kustomization.yaml'),
    ))
      for (const d of parseAllDocuments(a.content)) {
        const o = d.toJS() as Obj;
        const Model = MODELS[o.kind];
        expect(Model, o.kind).toBeDefined();
        expect(() => new Model!(o as never).validate(), `${a.path} ${o.kind}`).not.toThrow();
        n++;
      }
    expect(n).toBeGreaterThan(10);
  });

  it('the Iguana pod runs the gateway beside Iguana, with the Secret of its host mounted read-only', () => {
    const [dep, svc, pol] = docs('iguana-main.yaml') as unknown as [DeploymentT, ServiceT, NetworkPolicyT];
    const pod = dep.spec!.template.spec!;
    expect(pod.containers.map((c) => c.name)).toEqual(['iguana', 'relay']);
    const relay = pod.containers[1]!;
    expect(relay.command).toEqual(['dokomodo']);
    expect(relay.args).toEqual([
      '-f',
      '/etc/dokomodo/dokomodo.yaml',
      'relay',
      '--host',
      'ig',
      '--tunnel-listen',
      '127.0.0.1:7781',
      '--listen',
      '0.0.0.0:7780',
      '--no-tunnels',
      '--certs',
      '/etc/dokomodo-relay',
      '--tokens',
      '/etc/dokomodo-relay/relay.tokens',
      '--audit',
      '/data/relay-audit.log',
    ]);
    expect(relay.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(pod.volumes).toContainEqual({
      name: 'relay',
      secret: { secretName: 'dokomodo-relay-ig', defaultMode: 0o440 },
    });
    expect(relay.volumeMounts).toContainEqual({
      name: 'relay',
      mountPath: '/etc/dokomodo-relay',
      readOnly: true,
    });
    // no secret value in the pod spec
    expect(JSON.stringify(relay.env)).not.toMatch(/SECRET|secretKeyRef/);
    expect(svc.spec!.ports!.map((p) => [p.name, p.port])).toContainEqual(['relay', 7780]);
    expect(pol.spec!.ingress![0]!.ports).toContainEqual({ port: 7780, protocol: 'TCP' });
  });

  it('without via: relay the Iguana pod has no sidecar', () => {
    const direct = platformText(RELAY_PLATFORM.replace(' via: relay,', ''));
    const a = render(direct, ['kubernetes']).find((x) => x.path === 'kubernetes/iguana-main.yaml')!;
    const dep = parseAllDocuments(a.content)[0]!.toJS() as DeploymentT;
    expect(dep.spec!.template.spec!.containers.map((c) => c.name)).toEqual(['iguana']);
  });
});
