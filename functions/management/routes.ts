import type { Route } from '@middy/http-router';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';

/** One route of the management API, as each route module (labels, outlets, releases) lists them. */
export type ManagementRoute = Route<HttpEvent, HttpResult>;
