// TEMPORARY placeholder so the registry compiles while the monitoring renderer is being written.
import type { Artifact, RenderContext } from '../artifact.ts';

export function renderMonitoring(_ctx: RenderContext): Artifact[] {
  throw new Error('the monitoring target is not implemented yet');
}
