/**
 * The platform file and the notary files it names reach every container at the paths the loader
 * resolves them to: below /etc/dokomodo, or (for `../x` and absolute paths) on their own mounts.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap } from 'kubernetes-models/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { platformFiles } from '../../src/compiler/renderers/entrypoint.ts';
import { have, platformFile, removeDir, render, run, tempDir, writeTree } from './helpers.ts';

const root = tempDir();
afterAll(() => removeDir(root));

// biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, not a template
const PLATFORM_DIR = '${DOKOMODO_PLATFORM_DIR:-./platform}';
const PUBKEY = '02a854251adfee222bede8396fed0756985d4ea905f72611740867c7a4ad6488c1';
const dir = path.join(root, 'site');
const abs = path.join(root, 'elsewhere', 'abs.json');
mkdirSync(path.join(dir, 'notaries'), { recursive: true });
mkdirSync(path.dirname(abs));
for (const f of [path.join(dir, 'notaries/main.json'), path.join(root, 'outside.json'), abs]) {
  writeFileSync(f, JSON.stringify({ alice_EU: PUBKEY }));
}
const file = path.join(dir, 'dokomodo.yaml');
writeFileSync(
  file,
  `version: 1
chains:
  KMD: {}
iguana:
  main: { coins: [KMD], notaries: a }
notaries:
  a: { file: notaries/main.json, seeds: [127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.1] }
  b: { file: ../outside.json }
  c: { file: ${abs} }
`,
);

describe('platform files in containers', () => {
  const platform = platformFile(file);
  const artifacts = render(platform, ['compose', 'kubernetes']);

  it('the platform file and every notary file, each at the path the loader resolves in a container', () => {
    const absKey = abs.slice(1).replace(/\//g, '__');
    expect(platformFiles(platform)).toEqual([
      {
        source: 'dokomodo.yaml',
        containerPath: '/etc/dokomodo/dokomodo.yaml',
        rel: 'dokomodo.yaml',
        key: 'dokomodo.yaml',
      },
      {
        source: 'notaries/main.json',
        containerPath: '/etc/dokomodo/notaries/main.json',
        rel: 'notaries/main.json',
        key: 'notaries__main.json',
      },
      {
        source: '../outside.json',
        containerPath: '/etc/outside.json',
        rel: undefined,
        key: 'etc__outside.json',
      },
      { source: abs, containerPath: abs, rel: undefined, key: absKey },
    ]);
  });

  it('compose mounts the platform directory and each file outside it', () => {
    const a = artifacts.find((x) => x.path.endsWith('docker-compose.yml'))!;
    const doc = parse(a.content) as { services: Record<string, { volumes: unknown[] }> };
    for (const s of Object.values(doc.services)) {
      expect(s.volumes).toEqual([
        expect.objectContaining({ type: 'volume', target: '/data' }),
        {
          type: 'bind',
          source: PLATFORM_DIR,
          target: '/etc/dokomodo',
          read_only: true,
        },
        {
          type: 'bind',
          source: `${PLATFORM_DIR}/../outside.json`,
          target: '/etc/outside.json',
          read_only: true,
        },
        { type: 'bind', source: abs, target: abs, read_only: true },
      ]);
    }
    if (!have('docker-compose')) {
      console.warn('skipping docker-compose config: docker-compose is not installed');
      return;
    }
    const out = path.join(root, 'out-compose');
    writeTree(out, artifacts);
    const cdir = path.join(out, path.dirname(a.path));
    copyFileSync(path.join(cdir, '.env.example'), path.join(cdir, '.env'));
    const r = run('docker-compose', ['-f', path.join(cdir, 'docker-compose.yml'), 'config', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('Kubernetes projects each file from the ConfigMap to its path; the manifests validate', () => {
    const a = artifacts.find((x) => x.path === 'kubernetes/chain-kmd.yaml')!;
    const sts = parseAllDocuments(a.content)[0]!.toJS();
    new StatefulSet(sts).validate();
    const pod = sts.spec.template.spec;
    expect(pod.volumes[0].configMap.items).toEqual(
      platformFiles(platform).map((f) => ({ key: f.key, path: f.rel ?? f.key })),
    );
    const mounts = pod.containers[0].volumeMounts;
    expect(mounts).toContainEqual({
      name: 'platform',
      mountPath: '/etc/outside.json',
      subPath: 'etc__outside.json',
      readOnly: true,
    });
    expect(mounts).toContainEqual(
      expect.objectContaining({ name: 'platform', mountPath: abs, readOnly: true }),
    );
    const k = artifacts.find((x) => x.path === 'kubernetes/kustomization.yaml')!.content;
    expect(k).toContain('#   ../outside.json → platform/etc__outside.json');
  });

  it.skipIf(run('sh', ['-c', 'command -v kubectl']).code !== 0)(
    'kubectl kustomize: the files put where the kustomization says end up in the ConfigMap',
    () => {
      const out = path.join(root, 'out-k8s');
      writeTree(out, artifacts);
      const kdir = path.join(out, 'kubernetes');
      for (const f of platformFiles(platform)) {
        const src = f.source.startsWith('/') ? f.source : path.resolve(dir, f.source);
        const dst = path.join(kdir, 'platform', f.rel ?? f.key);
        mkdirSync(path.dirname(dst), { recursive: true });
        copyFileSync(src, dst);
      }
      const r = run('kubectl', ['kustomize', kdir]);
      expect(r.code, r.stderr).toBe(0);
      const cm = parseAllDocuments(r.stdout)
        .map((d) => d.toJS())
        .find((o) => o.kind === 'ConfigMap');
      new ConfigMap(cm).validate();
      expect(Object.keys(cm.data).sort()).toEqual(
        platformFiles(platform)
          .map((f) => f.key)
          .sort(),
      );
    },
  );
});
