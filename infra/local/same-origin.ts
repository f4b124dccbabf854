import type { IncomingHttpHeaders } from 'node:http';

/** The header every state-changing request to the local cloud's own routes must carry. */
export const localHeader = 'x-backline-local';

/**
 * Why a request to one of the local cloud's own routes (`/_local/*`, the SES store's `/clear-store`)
 * is refused, or undefined when it may go on. Any web page the developer opens can send a simple
 * cross-site POST to localhost; it cannot add a custom header without a CORS preflight, which
 * these routes never grant. So every non-GET request must carry `x-backline-local: 1`, and one
 * that names a foreign `Origin` (another site, or `null`) is refused even with it. GET pages (the
 * console, the sent-mail page) stay openable in a browser. A page the local cloud serves itself (the
 * mail viewer's Clear button) posts with its own origin, which no other site's page can send, on a
 * loopback host (a site that rebinds its name to 127.0.0.1 would still show its own name): it needs
 * no header.
 */
export function crossSiteRefusal(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const origin = headers.origin;
  if (origin !== undefined && !isSameHost(origin, headers.host)) {
    return `${method} refused: requests from the web page at ${origin} may not change the local cloud`;
  }
  if (origin !== undefined && isLoopback(headers.host)) return undefined;
  if (headers[localHeader] !== '1') {
    return `${method} refused: state-changing requests to the local cloud need the header "${localHeader}: 1"`;
  }
  return undefined;
}

function isLoopback(host: string | undefined): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(`http://${host}`).hostname);
  } catch {
    return false;
  }
}

function isSameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
