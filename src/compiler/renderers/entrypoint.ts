// TEMPORARY placeholder so the registry compiles while the entrypoint renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderEntrypoint(_ctx: RenderContext): Artifact[] {
  throw new Error('the entrypoint target is not implemented yet');
}
