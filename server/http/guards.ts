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
 * Requests must name this machine: a page on another site whose DNS name is re-pointed at the panel's address (DNS
 * rebinding) would otherwise reach the API as if it were same-origin. On loopback only loopback names are taken;
 * on the LAN, the machine's own names and addresses (`allowed`, with ATELIER_ALLOWED_HOSTS).
 */
export const checkHost = (
  request: TGuardRequest,
  bindHost: string,
  allowed: (hostname: string) => boolean = () => false,
): TGuardRejection | null => {
  const hostHeader = header(request, "host");
  const hostname = hostHeader ? hostnameOf(hostHeader)?.toLowerCase() : null;
  if (isLoopbackAddress(bindHost)) {
    if (hostname && isLoopbackAddress(hostname)) return null;
    return {
      status: 421,
      message: `This panel listens on ${bindHost} and only answers requests addressed to localhost or 127.0.0.1`,
    };
  }
  if (hostname && (isLoopbackAddress(hostname) || allowed(hostname))) return null;
  return {
    status: 421,
    message: `${hostname ?? "(no Host)"} is not a name or address of this machine: add it to ATELIER_ALLOWED_HOSTS to reach Atelier by it`,
  };
};

/** HSTS for responses over TLS: browsers then refuse plain HTTP to this host for a year. */
export const HSTS = "max-age=31536000";

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

/**
 * A WebSocket upgrade is a GET, but what it opens (a root shell in a container) changes everything: it passes the
 * Origin check of a state-changing request. Browsers always send Origin on an upgrade; a page of another site is
 * refused, a command-line client (no Origin) is not.
 */
export const checkUpgradeOrigin = (request: TGuardRequest): TGuardRejection | null =>
  checkOrigin({ method: "POST", headers: request.headers });
