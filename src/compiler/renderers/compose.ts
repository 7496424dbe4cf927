// TEMPORARY placeholder so the registry compiles while the compose renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderCompose(_ctx: RenderContext): Artifact[] {
  throw new Error('the compose target is not implemented yet');
}
