import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod's English messages, for the modules that show a person what was wrong with their input: a 4xx
 * answer (shared/http/errors.ts), a rejected row of an outlet import (shared/outlet-csv.ts), the
 * promoter's form (functions/recipients/tour-links.ts). Each imports this module, which sets them once
 * for the process (package.json lists it as a module with a side effect, so bundles keep it). A
 * function that only consumes events never shows a message to anyone and leaves them out (2.7 KB of
 * its bundle): an event it refuses is logged with each issue's code, path and what was expected, and
 * zod's generic message (docs/design.md#bundles).
 */
config(en());
