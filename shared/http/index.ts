export * from './cursor.ts';
export * from './docs.ts';
export * from './errors.ts';
export * from './input.ts';
export * from './middleware.ts';
export * from './responses.ts';
