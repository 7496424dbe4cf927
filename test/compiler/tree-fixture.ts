// Trees for the writer's process tests: what a render of a version writes, and what a reader sees.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Artifact, artifact } from '../../src/compiler/artifact.ts';

/**
 * The artifacts of version `v` (a single letter): `n` chain confs whose set shifts with the
 * version (so a render adds and prunes files), a unit per chain and one fleet-wide file, every
 * content naming the version.
 */
export function versionArtifacts(v: string, n: number): Artifact[] {
  const shift = (v.charCodeAt(0) - 97) * Math.ceil(n / 6);
  const out: Artifact[] = [];
  for (let i = shift; i < shift + n; i++) {
    out.push(
      artifact('conf', `hosts/h/home/.komodo/C${i}/C${i}.conf`, `rpcport=${i}\nv=${v}\n`, {
        host: 'h',
        secret: true,
      }),
      artifact('systemd', `hosts/h/systemd/system/dokomodo-chain-C${i}.service`, `[Unit]\n# ${v}\n`, {
        host: 'h',
      }),
    );
  }
  out.push(artifact('monitoring', 'monitoring/prometheus.yml', `# version ${v}\n`));
  return out;
}

/** Files put into the tree by someone else: they must be in every tree a reader sees. */
export const FOREIGN: Record<string, string> = {
  'hosts/h/home/.komodo/C1/wallet.dat': 'WALLET',
  'hosts/h/notes.txt': 'mine\n',
};

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** path → sha256 of every file a render of `v` leaves (with the foreign files). */
export function expectedTree(v: string, n: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of versionArtifacts(v, n)) m.set(a.path, sha(a.content));
  for (const [p, c] of Object.entries(FOREIGN)) m.set(p, sha(c));
  return m;
}

/**
 * What a reader (rsync, Ansible, an operator's `cat`) sees under `root`: every regular file,
 * through symbolic links, except the writer's own `.dokomodo`. A link that leads nowhere is a
 * name the tree does not have.
 */
export function readTree(root: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.dokomodo') continue;
      let st: Stats;
      try {
        st = statSync(join(root, r));
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(r);
      else m.set(r, sha(readFileSync(join(root, r))));
    }
  };
  walk('');
  return m;
}

/** Which of the versions the tree `seen` is exactly, or undefined for a mixed or broken tree. */
export function whichTree(seen: Map<string, string>, versions: string[], n: number): string | undefined {
  for (const v of versions) {
    const want = expectedTree(v, n);
    if (want.size === seen.size && [...want].every(([p, h]) => seen.get(p) === h)) return v;
  }
  return undefined;
}
