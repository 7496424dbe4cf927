// TEMPORARY placeholder so the registry compiles while the kubernetes renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderKubernetes(_ctx: RenderContext): Artifact[] {
  throw new Error('the kubernetes target is not implemented yet');
}
