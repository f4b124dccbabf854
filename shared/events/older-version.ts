import * as z from 'zod';

/**
 * A body shape a label may still send for a webhook type: recognised by its fields, validated as it
 * was (so its errors name its own fields), then upgraded to the current shape and validated again.
 * Intake and every replay read a recorded body through `acceptingOlder`, so replays upgrade too
 * (see docs/design.md#routes-and-auth).
 */
export interface OlderVersion<Old extends z.ZodType = z.ZodType> {
  recognise: (data: Record<string, unknown>) => boolean;
  schema: Old;
  upgrade: (old: z.output<Old>) => unknown;
}

/** Typed constructor: the upgrade's argument is what the older schema outputs. */
export const olderVersion = <Old extends z.ZodType>(version: OlderVersion<Old>): OlderVersion =>
  version as unknown as OlderVersion;

/** Both shapes a data schema accepting an older version documents (read by the OpenAPI builder). */
export const acceptedShapes = new WeakMap<z.ZodType, { current: z.ZodType; older: z.ZodType }>();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `current`, also accepting `older`'s shape, upgraded. Failures keep the path and message of the shape that was tried. */
export function acceptingOlder<Current extends z.ZodType>(current: Current, older: OlderVersion): Current {
  const upgraded = older.schema.transform(older.upgrade).pipe(current);
  const schema = z.unknown().transform((data, context) => {
    const parsed = (isRecord(data) && older.recognise(data) ? upgraded : current).safeParse(data);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  });
  acceptedShapes.set(schema, { current, older: older.schema });
  // Typed as the current schema: what it outputs is the current shape.
  return schema as unknown as Current;
}
