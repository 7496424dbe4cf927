import { platformJsonSchema } from '../../platform/schema.ts';
import type { Context } from '../context.ts';
import { printJson } from '../output.ts';

export async function schema(ctx: Context): Promise<number> {
  printJson(ctx.out, platformJsonSchema());
  return 0;
}
