/** The Iguana instances a command acts on. */
import { usageError } from '../../../core/errors.ts';
import type { IguanaModel, Platform, Selection } from '../../../platform/model.ts';
import { unknownInstance } from '../../../operator/iguana.ts';

/** The named instance, or every instance notarizing a selected chain. */
export function instances(platform: Platform, selection: Selection, name: string | undefined): IguanaModel[] {
  if (name !== undefined) {
    const g = platform.iguana.find((x) => x.name === name);
    if (!g) throw unknownInstance(platform, name);
    return [g];
  }
  const selected = new Set(selection.chains.map((c) => c.name));
  const list = platform.iguana.filter((g) => g.coins.some((c) => selected.has(c)));
  if (list.length === 0)
    throw usageError(
      'no-iguana',
      `${platform.file} has no Iguana instance for the selected chains`,
      'add one under `iguana`',
    );
  return list;
}
