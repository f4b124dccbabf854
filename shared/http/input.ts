import type * as z from '../zod.ts';
import { type Issue, ValidationError } from './errors.ts';
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
 * Each `__proto__` key of a JSON body, where it stands: JSON.parse keeps it as the body's own key,
 * but zod drops it from a record (a day's rates, keyed by pair) without an issue.
 */
const protoKeys = (value: unknown, path: string[] = []): Issue[] =>
  typeof value === 'object' && value !== null
    ? Object.entries(value).flatMap(([key, child]) =>
        key === '__proto__'
          ? [{ path: [...path, key].join('.'), message: 'is not a known field' }]
          : protoKeys(child, [...path, key]),
      )
    : [];

/** The JSON body, or a 400 naming each invalid field (an unknown one too: bodies are strict objects). */
export const bodyOf = <T extends z.ZodMiniType>(schema: T, event: HttpEvent): z.infer<T> => {
  const body = jsonBody(event);
  const unknown = protoKeys(body);
  if (unknown.length > 0) throw new ValidationError(unknown);
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
