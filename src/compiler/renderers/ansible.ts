// TEMPORARY placeholder so the registry compiles while the ansible renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderAnsible(_ctx: RenderContext): Artifact[] {
  throw new Error('the ansible target is not implemented yet');
}
