import * as z from '../zod.ts';

/**
 * A body shape a label may still send for a webhook type: recognised by its fields, validated as it
 * was (so its errors name its own fields), then upgraded to the current shape and validated again.
 * Intake and every replay read a recorded body through `acceptingOlder`, so replays upgrade too
 * (see docs/design.md#routes-and-auth).
 */
export interface OlderVersion<Old extends z.ZodMiniType = z.ZodMiniType> {
  recognise: (data: Record<string, unknown>) => boolean;
  schema: Old;
  upgrade: (old: z.output<Old>) => unknown;
}

/** Typed constructor: the upgrade's argument is what the older schema outputs. */
export const olderVersion = <Old extends z.ZodMiniType>(version: OlderVersion<Old>): OlderVersion =>
  version as unknown as OlderVersion;

/** Both shapes a data schema accepting an older version documents (read by the OpenAPI builder). */
export const acceptedShapes = new WeakMap<z.ZodMiniType, { current: z.ZodMiniType; older: z.ZodMiniType }>();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `current`, also accepting `older`'s shape, upgraded. Failures keep the path and message of the shape that was tried. */
export function acceptingOlder<Current extends z.ZodMiniType>(
  current: Current,
  older: OlderVersion,
): Current {
  const upgraded = z.pipe(z.pipe(older.schema, z.transform(older.upgrade)), current);
  const schema = z.pipe(
    z.unknown(),
    z.transform((data, context) => {
      const parsed = (isRecord(data) && older.recognise(data) ? upgraded : current).safeParse(data);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues)
        context.issues.push({ code: 'custom', path: issue.path, message: issue.message, input: data });
      return z.NEVER;
    }),
  );
  acceptedShapes.set(schema, { current, older: older.schema });
  // Typed as the current schema: what it outputs is the current shape.
  return schema as unknown as Current;
}
