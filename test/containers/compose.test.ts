/**
 * compose target: structure of the rendered files, and docker-compose 1.29 itself reading each
 * one (`config -q` validates keys, types, depends_on and variables without a Docker engine).
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Artifact } from '../../src/compiler/artifact.ts';
import { containerNames } from '../../src/compiler/renderers/entrypoint.ts';
import type { Platform } from '../../src/platform/model.ts';
import {
  EXAMPLES,
  have,
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

const compose = have('docker-compose');
if (!compose)
  console.warn(
    'skipping docker-compose checks: docker-compose is not installed (apt-get install docker-compose)',
  );

interface Service {
  image: string;
  entrypoint: string[];
  command: string[];
  env_file: string[];
  environment: Record<string, string>;
  volumes: Array<Record<string, unknown>>;
  ports: string[];
  healthcheck: { test: string[]; start_period: string };
  restart: string;
  stop_grace_period: string;
  logging: { driver: string; options: Record<string, string> };
  depends_on?: Record<string, { condition: string }>;
}

function composeFiles(artifacts: readonly Artifact[]): Artifact[] {
  return artifacts.filter((a) => a.path.endsWith('/compose/docker-compose.yml'));
}

function seconds(d: string): number {
  const m = /^(\d+)(s|m)$/.exec(d);
  if (!m) throw new Error(`duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

describe.each(EXAMPLES)('compose from %s', (file) => {
  const platform: Platform = platformFile(file);
  const artifacts = render(platform, ['compose']);
  const names = containerNames(platform);

  it('one docker-compose.yml and one .env.example (0600, empty secret) per host that runs something', () => {
    const hosts = [...new Set(platform.chains.map((c) => c.host ?? 'local'))].sort();
    expect(artifacts.map((a) => a.path).sort()).toEqual(
      hosts
        .flatMap((h) => [`hosts/${h}/compose/.env.example`, `hosts/${h}/compose/docker-compose.yml`])
        .sort(),
    );
    for (const a of artifacts.filter((x) => x.path.endsWith('.env.example'))) {
      expect(a.mode).toBe(0o600);
      expect(a.secret).toBe(false);
      const lines = a.content.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(lines).toContain('DOKOMODO_SECRET=');
      // The monitor's host also names the monitor's token (empty).
      const monitorHost = platform.hosts.find((h) => h.name === a.host)?.roles.includes('monitor') ?? false;
      expect(lines.includes('DOKOMODO_MONITOR_TOKEN=')).toBe(monitorHost);
      expect(
        lines.every(
          (l) =>
            l === 'DOKOMODO_SECRET=' ||
            l === 'DOKOMODO_MONITOR_TOKEN=' ||
            l.startsWith('COMPOSE_PROJECT_NAME='),
        ),
      ).toBe(true);
    }
  });

  it('a service per chain and per Iguana instance of the host, each chain with its named volume', () => {
    for (const a of composeFiles(artifacts)) {
      const host = a.host!;
      const doc = parse(a.content) as {
        services: Record<string, Service>;
        volumes: Record<string, { name: string }>;
      };
      const chains = platform.chains.filter((c) => (c.host ?? 'local') === host);
      const iguanas = platform.iguana.filter((g) => (g.host ?? 'local') === host);
      const monitor = platform.hosts.find((h) => h.name === host)?.roles.includes('monitor') ?? false;
      expect(Object.keys(doc.services)).toEqual([
        ...chains.map((c) => names.chain(c.name)),
        ...iguanas.map((g) => names.iguana(g.name)),
        ...(monitor ? ['dokomodo-monitor'] : []),
      ]);
      for (const c of chains) {
        const s = doc.services[names.chain(c.name)]!;
        expect(s.image).toBe(platform.defaults.containers.image);
        expect(s.entrypoint).toEqual(['dokomodo-entrypoint']);
        expect(s.command).toEqual(['chain', c.name]);
        expect(s.env_file).toEqual(['.env']);
        expect(s.environment['DOKOMODO_FILE']).toBe(`/etc/dokomodo/${path.basename(platform.file)}`);
        expect(s.volumes).toContainEqual({ type: 'volume', source: names.chain(c.name), target: '/data' });
        expect(s.volumes).toContainEqual(
          expect.objectContaining({ type: 'bind', target: '/etc/dokomodo', read_only: true }),
        );
        expect(doc.volumes[names.chain(c.name)]).toEqual({ name: `dokomodo-${host}-${names.chain(c.name)}` });
        // RPC on the host's loopback only, p2p public.
        expect(s.ports).toEqual([`127.0.0.1:${c.rpc}:${c.rpc}`, `${c.p2p}:${c.p2p}`]);
        expect(s.healthcheck.test).toEqual(['CMD', 'dokomodo-healthcheck', 'ready', `/data/${c.confName}`]);
        expect(seconds(s.healthcheck.start_period)).toBe(platform.defaults.start.timeoutMs / 1000);
        expect(s.restart).toBe('unless-stopped');
        expect(seconds(s.stop_grace_period)).toBeGreaterThanOrEqual(120);
        expect(s.logging).toEqual({ driver: 'json-file', options: { 'max-size': '50m', 'max-file': '5' } });
      }
      for (const g of iguanas) {
        const s = doc.services[names.iguana(g.name)]!;
        expect(s.image).toBe(platform.defaults.containers.iguanaImage);
        expect(s.command).toEqual(['iguana', g.name, '--per-host']);
        expect(s.healthcheck.test).toEqual(['CMD', 'dokomodo-healthcheck', 'iguana', String(g.port)]);
        const local = chains.filter((c) => g.coins.includes(c.name)).map((c) => names.chain(c.name));
        expect(s.depends_on).toEqual(
          Object.fromEntries(local.map((n) => [n, { condition: 'service_healthy' }])),
        );
        // Iguana's API is never published; its dPoW port is.
        const dpow = platform.notaries.find((n) => n.name === g.notaries)!.port;
        expect(s.ports).toEqual([`${dpow}:${dpow}`]);
      }
    }
  });

  it('the monitor host runs the monitor on the host network, at the address Prometheus scrapes, its own chains only', () => {
    const monitorHosts = platform.hosts.filter((h) => h.roles.includes('monitor'));
    expect(monitorHosts.length).toBeGreaterThan(0);
    for (const h of monitorHosts) {
      const a = composeFiles(artifacts).find((x) => x.host === h.name)!;
      const s = (parse(a.content) as { services: Record<string, Service & Record<string, unknown>> })
        .services['dokomodo-monitor']!;
      const listen = `${h.address === 'localhost' ? '127.0.0.1' : h.address}:9710`;
      expect(s.entrypoint).toEqual(['dokomodo']);
      expect(s.command).toEqual([
        '-f',
        `/etc/dokomodo/${path.basename(platform.file)}`,
        'monitor',
        '--listen',
        listen,
        '--interval',
        '30',
        '--state-dir',
        '/data',
        '--as-host',
        h.name,
        '--container',
        'compose',
      ]);
      expect(s['network_mode']).toBe('host');
      expect(s['ports']).toBeUndefined();
      expect(s.env_file).toEqual(['.env']);
      expect(s.volumes).toContainEqual({ type: 'volume', source: 'dokomodo-monitor', target: '/data' });
      expect(s.healthcheck.test.join(' ')).toContain(`http://${listen}/healthz`);
      expect(s['read_only']).toBe(true);
      expect(s['cap_drop']).toEqual(['ALL']);
      // no secret anywhere in the service
      expect(JSON.stringify(s)).not.toMatch(/SECRET=|TOKEN=/);
    }
  });

  it.skipIf(!compose)('docker-compose config -q accepts every file', () => {
    const root = tempDir();
    temps.push(root);
    writeTree(root, artifacts);
    const files = composeFiles(artifacts);
    expect(files.length).toBeGreaterThan(0);
    for (const a of files) {
      const dir = path.join(root, path.dirname(a.path));
      // The operator's .env, made as the docs say (compose refuses to start without it).
      copyFileSync(path.join(dir, '.env.example'), path.join(dir, '.env'));
      const r = run('docker-compose', ['-f', path.join(root, a.path), 'config', '-q']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it.skipIf(!compose)(
    'docker-compose reads healthchecks, ports, dependencies and the platform mount as meant',
    () => {
      const root = tempDir();
      temps.push(root);
      writeTree(root, artifacts);
      for (const a of composeFiles(artifacts)) {
        const dir = path.join(root, path.dirname(a.path));
        copyFileSync(path.join(dir, '.env.example'), path.join(dir, '.env'));
        const r = run('docker-compose', ['-f', path.join(root, a.path), 'config'], {
          env: { DOKOMODO_PLATFORM_DIR: '/srv/platform' },
        });
        expect(r.code, r.stderr).toBe(0);
        const cfg = parse(r.stdout) as { services: Record<string, Service & { ports: unknown[] }> };
        for (const [name, s] of Object.entries(cfg.services)) {
          expect(s.volumes, name).toContainEqual({
            type: 'bind',
            source: '/srv/platform',
            target: '/etc/dokomodo',
            read_only: true,
          });
          expect(s.healthcheck.test[0]).toBe('CMD');
          for (const p of s.ports ?? []) {
            if (typeof p === 'string') expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+\/tcp$/);
          }
          for (const d of Object.values(s.depends_on ?? {})) expect(d.condition).toBe('service_healthy');
        }
      }
    },
  );
});

describe('compose, beyond the examples', () => {
  it.skipIf(!compose)(
    'docker-compose really checks: a broken condition is refused (the check is not a no-op)',
    () => {
      const p = platformFile('examples/dev.yaml');
      const a = render(p, ['compose']).find((x) => x.path.endsWith('docker-compose.yml'))!;
      const root = tempDir();
      temps.push(root);
      writeTree(root, [
        { ...a, content: a.content.replace('condition: service_healthy', 'condition: service_ready') },
      ]);
      const dir = path.join(root, path.dirname(a.path));
      writeTree(root, [{ ...a, path: `${path.dirname(a.path)}/.env`, content: 'DOKOMODO_SECRET=\n' }]);
      const r = run('docker-compose', ['-f', path.join(dir, 'docker-compose.yml'), 'config', '-q']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('service_ready');
    },
  );

  it('a platform reading its secret from a file still passes it to containers as DOKOMODO_SECRET; a custom env name is used as is', () => {
    const base = 'version: 1\nchains:\n  KMD: {}\n';
    const fileForm = render(platformText(`${base}secret: { file: secret.txt }\n`), ['compose']);
    expect(fileForm.find((a) => a.path.endsWith('.env.example'))!.content).toMatch(/^DOKOMODO_SECRET=$/m);
    const custom = render(platformText(`${base}secret: { env: NN_SECRET }\n`), ['compose']);
    expect(custom.find((a) => a.path.endsWith('.env.example'))!.content).toMatch(/^NN_SECRET=$/m);
  });

  it('is deterministic: same platform, same bytes', () => {
    const a = render(platformFile('examples/komodo-mainnet.yaml'), ['compose']);
    const b = render(platformFile('examples/komodo-mainnet.yaml'), ['compose']);
    expect(b).toEqual(a);
  });
});
