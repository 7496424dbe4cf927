/** Loading the platform file from disk (the edge); everything else is in load.ts. */
import { readFileSync, statSync } from 'node:fs';
import { diagnostic } from '../core/diagnostics.ts';
import { nodeHost } from '../core/host.ts';
import { fileTooLarge, type LoadResult, loadPlatformBytes, MAX_PLATFORM_BYTES } from './load.ts';

export function loadPlatformFile(file: string): LoadResult {
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      return {
        platform: undefined,
        diagnostics: [
          diagnostic('not-a-file', `${file} is a directory`, {
            hint: 'name the platform file itself, e.g. -f dir/dokomodo.yaml',
          }),
        ],
      };
    }
    if (st.size > MAX_PLATFORM_BYTES)
      return { platform: undefined, diagnostics: [fileTooLarge(file, st.size)] };
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `platform file ${file} not found`
        : code === 'EACCES'
          ? `platform file ${file} cannot be read: permission denied`
          : `platform file ${file} cannot be read (${code ?? String(e)})`;
    return {
      platform: undefined,
      diagnostics: [
        diagnostic('file-not-found', message, {
          hint:
            code === 'ENOENT'
              ? 'pass -f PATH, or run from the directory holding dokomodo.yaml (see examples/)'
              : 'check the file permissions',
        }),
      ],
    };
  }
  return loadPlatformBytes(file, bytes, { reader: nodeHost() });
}

export type { LoadResult };
