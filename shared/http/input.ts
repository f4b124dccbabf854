import type * as z from '../zod.ts';
import { jsonIssues, ValidationError } from './errors.ts';
import { type HttpEvent, jsonBody } from './responses.ts';

/**
 * A request's input, validated by its zod schema, each invalid field named by the part it came from,
 * one way on every route (docs/design.md#routes-and-auth): `path.<name>`, `query.<name>`, and a JSON
 * body's fields by their own names.
 */
const valid = <T extends z.ZodMiniType>(schema: T, value: unknown, prefix: string[]): z.infer<T> => {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix);
  return result.data;
};

/**
 * The JSON body, or a 400 naming each invalid field (an unknown one too: bodies are strict objects, and
 * `__proto__` is never a known one; a string no UTF-8 holds too, `jsonIssues`).
 */
export const bodyOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> => {
  const body = jsonBody(event);
  const refused = jsonIssues(body, true);
  if (refused.length > 0) throw new ValidationError(refused);
  return valid(schema, body, []);
};

/** The query parameters, or a 400 naming each invalid one `query.<name>`. */
export const queryOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> =>
  valid(schema, event.queryStringParameters ?? {}, ['query']);

/** One path parameter, or a 400 naming it `path.<name>`. */
export const pathParameterOf = <T extends z.ZodMiniType>(
  schema: T,
  event: HttpEvent,
  name: string,
): z.infer<T> => valid(schema, event.pathParameters?.[name] ?? '', ['path', name]);
