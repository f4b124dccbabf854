import type { DocumentedRoute } from '#shared/http/index.ts';

/** One route of the management API, as each route module (labels, outlets, releases) lists them, with its API document entry. */
export type ManagementRoute = DocumentedRoute;
