import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod's functional API (`zod/mini`): the same core as the classic API, but its schemas are built with
 * functions that a bundler can leave out when unused, which keeps function bundles small. Unlike the
 * classic API it loads no messages, so this module sets the English ones, the messages that 4xx
 * answers and tests quote; every module that builds schemas imports zod from here so they are set.
 * (package.json lists this module as the one with a side effect, so bundles keep it.)
 */
config(en());

export * from 'zod/mini';
