import { isIP } from "node:net";

/**
 * Request checks applied to every /api request before any procedure runs. Pure functions of the request's
 * headers, so they are unit-tested without a server.
 */
export type TGuardRequest = {
  method?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
};

export type TGuardRejection = { status: number; message: string };

const header = (request: TGuardRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const hostnameOf = (hostHeader: string) => {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return null;
  }
};

export const isLoopbackAddress = (host: string) =>
  host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));

/**
 * While the panel listens on loopback only, requests must name a loopback host: a page on another site whose DNS
 * name is re-pointed at 127.0.0.1 (DNS rebinding) would otherwise reach the API as if it were same-origin.
 */
export const checkHost = (request: TGuardRequest, bindHost: string): TGuardRejection | null => {
  if (!isLoopbackAddress(bindHost)) return null;
  const hostHeader = header(request, "host");
  const hostname = hostHeader ? hostnameOf(hostHeader) : null;
  if (hostname && isLoopbackAddress(hostname)) return null;
  return {
    status: 421,
    message: `This panel listens on ${bindHost} and only answers requests addressed to localhost or 127.0.0.1`,
  };
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * State-changing requests from a browser must come from the panel's own pages: a cross-site form or script
 * cannot drive the API. Clients that are not browsers send neither header and are allowed (they cannot ride a
 * user's browser).
 */
export const checkOrigin = (request: TGuardRequest): TGuardRejection | null => {
  if (SAFE_METHODS.has((request.method ?? "GET").toUpperCase())) return null;
  const rejection = { status: 403, message: "Cross-origin requests cannot change anything here" };
  const fetchSite = header(request, "sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return rejection;
  const origin = header(request, "origin");
  if (origin === undefined) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return rejection;
  }
  return originHost === header(request, "host") ? null : rejection;
};

/** Headers sent with every response (pages replace the CSP with `pageContentSecurityPolicy`). */
export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * The policy for pages: scripts only from this origin or carrying this response's nonce, which Next.js puts on its
 * own inline scripts (it reads the nonce from the request's Content-Security-Policy header). No inline script
 * without it runs. Styles may be inline (React style attributes); the development server also needs eval.
 */
export const pageContentSecurityPolicy = (nonce: string, isDev: boolean) =>
  [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
