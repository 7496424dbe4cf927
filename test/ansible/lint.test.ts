/**
 * The static playbooks checked by the real tools: `ansible-playbook --syntax-check` against a
 * generated inventory, `ansible-lint` (offline, production profile, from .ansible-lint), and
 * `ansible-inventory` reading the generated inventory and variables as Ansible will.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansible, have, PLAYBOOK, platformOf, renderTo } from './helpers.ts';

const tools = {
  playbook: have('ansible-playbook'),
  lint: have('ansible-lint'),
  inventory: have('ansible-inventory'),
};
const skip = (tool: string, ok: boolean) =>
  ok ? '' : ` (skipped: ${tool} missing; apt-get install ansible ansible-lint)`;

describe('ansible playbooks with a generated inventory', () => {
  let out: string;
  let env: Record<string, string>;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'dokomodo-ansible-lint-'));
    renderTo(out, platformOf('examples/komodo-mainnet.yaml'), ['conf', 'iguana', 'systemd', 'ansible']);
    env = { ANSIBLE_LOCAL_TEMP: join(out, '.ansible-tmp'), ANSIBLE_HOME: join(out, '.ansible-home') };
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it.skipIf(!tools.playbook)(
    `pass ansible-playbook --syntax-check${skip('ansible-playbook', tools.playbook)}`,
    () => {
      const r = ansible(
        'ansible-playbook',
        ['--syntax-check', '-i', join(out, 'ansible/inventory.yml'), PLAYBOOK],
        {
          env,
        },
      );
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toMatch(/\[WARNING\]/);
    },
  );

  it.skipIf(!tools.lint)(
    `pass ansible-lint --offline (production profile)${skip('ansible-lint', tools.lint)}`,
    () => {
      const r = ansible('ansible-lint', ['--offline', '--nocolor', 'ansible/'], { env, timeoutMs: 180_000 });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/Passed with production profile/);
    },
  );

  it.skipIf(!tools.inventory)(
    `are read by Ansible as rendered: groups, host vars, string modes${skip('ansible-inventory', tools.inventory)}`,
    () => {
      const r = ansible('ansible-inventory', ['-i', join(out, 'ansible/inventory.yml'), '--list'], { env });
      expect(r.code, r.out).toBe(0);
      const inv = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
        _meta: { hostvars: Record<string, Record<string, unknown>> };
        [group: string]: unknown;
      };
      expect(inv['all']).toMatchObject({ children: expect.arrayContaining(['chains', 'iguana', 'monitor']) });
      expect(inv['monitor']).toEqual({ hosts: ['nn-main'] });
      expect(inv['env_main']).toEqual({ hosts: ['nn-main'] });
      const main = inv._meta.hostvars['nn-main']!;
      expect(main).toMatchObject({
        ansible_host: '203.0.113.10',
        ansible_user: 'notary',
        dokomodo_host: 'nn-main',
        dokomodo_home: '/home/notary',
        dokomodo_render_dir: '{{ inventory_dir | dirname }}',
        dokomodo_binaries: expect.objectContaining({ komodod: '~/komodo/src/komodod' }),
      });
      const coins = (main['dokomodo_iguana'] as Array<{ coins: Array<{ mode: unknown }> }>)[0]!.coins;
      expect(coins.every((c) => c.mode === '0644' || c.mode === '0600')).toBe(true);
    },
  );
});
