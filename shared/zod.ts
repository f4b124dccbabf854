/**
 * zod's functional API (`zod/mini`): the same core as the classic API, but its schemas are built with
 * functions that a bundler can leave out when unused, which keeps function bundles small. Every module
 * that builds schemas imports zod from here. Unlike the classic API it loads no messages: the modules
 * that show a person their input's issues import `./zod-messages.ts`, which sets the English ones
 * (docs/design.md#bundles).
 */
export * from 'zod/mini';
