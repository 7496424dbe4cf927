// TEMPORARY placeholder so the registry compiles while the systemd renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderSystemd(_ctx: RenderContext): Artifact[] {
  throw new Error('the systemd target is not implemented yet');
}
