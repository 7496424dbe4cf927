/**
 * `via: relay` in the compose target: the chain host's relay on the host's network (tunnel server
 * to the chains' RPC ports published on the host's 127.0.0.1), the Iguana host's relay in the
 * Iguana container's network namespace (tunnel listeners where Iguana's payload looks, gateway in
 * front of Iguana's own 127.0.0.1), and docker-compose itself reading every file.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { iguanaContainerPlan } from '../../src/compiler/renderers/entrypoint.ts';
import { RELAY_PLATFORM } from '../compiler/relay-fixture.ts';
import { have, platformText, removeDir, render, run, SECRET, tempDir, writeTree } from './helpers.ts';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) removeDir(t);
});

interface Service {
  command: string[];
  entrypoint: string[];
  network_mode?: string;
  ports?: string[];
  env_file?: string[];
  volumes: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string }>;
}

const platform = platformText(RELAY_PLATFORM);
const artifacts = render(platform, ['compose']);
const services = (host: string): Record<string, Service> => {
  const a = artifacts.find((x) => x.path === `hosts/${host}/compose/docker-compose.yml`)!;
  return (parse(a.content) as { services: Record<string, Service> }).services;
};
const doc = platform.chains.find((c) => c.name === 'DOC')!;

describe('compose relay services', () => {
  it('the chain host: one relay on the host network, tunnel server only, certificates mounted read-only', () => {
    const s = services('ch');
    expect(Object.keys(s).sort()).toEqual(['doc', 'relay']);
    const r = s['relay']!;
    expect(r.network_mode).toBe('host');
    expect(r.entrypoint).toEqual(['dokomodo']);
    expect(r.command).toEqual([
      '-f',
      '/etc/dokomodo/dokomodo.yaml',
      'relay',
      '--host',
      'ch',
      '--no-gateway',
      '--certs',
      '/etc/dokomodo-relay',
      '--tokens',
      '/etc/dokomodo-relay/relay.tokens',
      '--audit',
      '/data/audit.log',
    ]);
    expect(r.volumes).toContainEqual({
      type: 'bind',
      source: `\${DOKOMODO_RELAY_DIR:-./relay}`,
      target: '/etc/dokomodo-relay',
      read_only: true,
    });
    // the relay needs no platform secret
    expect(r.env_file).toBeUndefined();
    // the chain publishes RPC on the host's loopback only, where the relay connects
    expect(s['doc']!.ports).toContain(`127.0.0.1:${doc.rpc}:${doc.rpc}`);
  });

  it("the Iguana host: a relay in Iguana's network namespace; Iguana's payload names its tunnel", () => {
    const s = services('ig');
    const r = s['relay-iguana']!;
    expect(r.network_mode).toBe('service:iguana-main');
    expect(r.depends_on).toEqual({ 'iguana-main': { condition: 'service_started' } });
    expect(r.command).toContain('--tunnel-listen');
    expect(s['relay']).toBeUndefined();
    const plan = iguanaContainerPlan(platform, SECRET, platform.iguana[0]!, { perHost: true });
    const payload = (sym: string) =>
      JSON.parse(plan.files.find((f) => f.path.endsWith(`/coins/${sym}.json`))!.content);
    expect(payload('DOC').rpchost).toBe(`127.0.0.1:${doc.rpc}`);
    expect(payload('MARTY').rpchost).toMatch(/^203\.0\.113\.12:/);
  });

  it('a direct host has no relay service', () => {
    expect(Object.keys(services('ch2'))).toEqual(['marty']);
  });

  it.skipIf(!have('docker-compose'))('docker-compose config -q accepts the files of every host', () => {
    const root = tempDir();
    temps.push(root);
    writeTree(root, artifacts);
    for (const a of artifacts.filter((x) => x.path.endsWith('/docker-compose.yml'))) {
      const dir = path.join(root, path.dirname(a.path));
      // The operator's .env, made as the docs say (compose refuses to start without it).
      copyFileSync(path.join(dir, '.env.example'), path.join(dir, '.env'));
      const r = run('docker-compose', ['-f', path.join(root, a.path), 'config', '-q']);
      expect({ file: a.path, code: r.code, stderr: r.stderr }).toEqual({ file: a.path, code: 0, stderr: '' });
    }
  });
});
