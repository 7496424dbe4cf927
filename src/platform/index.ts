/** Loading the platform file from disk (the edge); everything else is in load.ts. */
import { diagnostic } from '../core/diagnostics.ts';
import { type FileReader, nodeHost, type ReadResult, readRegularFile } from '../core/host.ts';
import { MAX_PLATFORM_BYTES } from './limits.ts';
import { fileTooLarge, type LoadResult, loadPlatformBytes } from './load.ts';

export function loadPlatformFile(file: string): LoadResult {
  return loadPlatformRead(file, readRegularFile(file, MAX_PLATFORM_BYTES));
}

/** Loads what reading `file` gave (its bytes, or why it could not be read: each refusal worded). */
export function loadPlatformRead(file: string, got: ReadResult, reader: FileReader = nodeHost()): LoadResult {
  if ('bytes' in got) return loadPlatformBytes(file, got.bytes, { reader });
  const refuse = (code: string, message: string, hint: string): LoadResult => ({
    platform: undefined,
    diagnostics: [diagnostic(code, message, { hint })],
  });
  switch (got.kind) {
    case 'too-large':
      return { platform: undefined, diagnostics: [fileTooLarge(file, got.size ?? MAX_PLATFORM_BYTES + 1)] };
    case 'not-a-file':
      return refuse(
        'not-a-file',
        `${file} ${got.reason}`,
        'name the platform file itself, e.g. -f dir/dokomodo.yaml',
      );
    case 'not-found':
      return refuse(
        'file-not-found',
        `platform file ${file} not found`,
        'pass -f PATH, or run from the directory holding dokomodo.yaml (see examples/)',
      );
    case 'no-access':
      return refuse(
        'file-not-found',
        `platform file ${file} cannot be read: permission denied`,
        'check the file permissions',
      );
    default:
      return refuse(
        'file-not-found',
        `platform file ${file} cannot be read (${got.reason})`,
        'check the path',
      );
  }
}

export type { LoadResult };
