// Bundles the CLI into dist/ with code splitting, so each command's code loads only when used
// and `dokomodo --version` starts about as fast as Node itself.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    main: 'src/cli/main.ts',
    komodod: 'src/devnet/komodod-main.ts',
    iguana: 'src/devnet/iguana-main.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __DOKOMODO_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __dkCreateRequire } from 'node:module'; const require = __dkCreateRequire(import.meta.url);",
  },
  loader: { '.yaml': 'text' },
  logLevel: 'warning',
});
