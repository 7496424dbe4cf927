// Bundles the CLI into dist/ with code splitting, so each command's code loads only when used
// and `dokomodo --version` starts about as fast as Node itself.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** This build's identity: the sources and the locked dependencies (what the platform cache is keyed by). */
function buildId() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(new URL('../src', import.meta.url).pathname);
  for (const f of ['../package.json', '../package-lock.json'])
    h.update(readFileSync(new URL(f, import.meta.url)));
  return h.digest('hex').slice(0, 32);
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    main: 'src/cli/main.ts',
    komodod: 'src/devnet/komodod-main.ts',
    iguana: 'src/devnet/iguana-main.ts',
    'write-worker': 'src/compiler/write-worker.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: {
    __DOKOMODO_VERSION__: JSON.stringify(pkg.version),
    __DOKOMODO_BUILD__: JSON.stringify(buildId()),
  },
  banner: {
    js: "import { createRequire as __dkCreateRequire } from 'node:module'; const require = __dkCreateRequire(import.meta.url);",
  },
  loader: { '.yaml': 'text' },
  logLevel: 'warning',
});
