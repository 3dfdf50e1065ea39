/**
 * HTTP requests answered since start, by kind of route and status code, for /metrics. Kinds, not paths: a path
 * holds container names and procedure names a stranger may make up, which would give a scraper a series per guess.
 */
export type TRouteKind =
  "trpc" | "events" | "upload" | "health" | "api_other" | "metrics" | "page" | "static";

export const routeKindOf = (pathname: string): TRouteKind => {
  if (pathname.startsWith("/api/trpc/")) return "trpc";
  if (pathname === "/api/events") return "events";
  if (pathname.startsWith("/api/uploads/")) return "upload";
  if (pathname === "/api/health") return "health";
  if (pathname === "/api" || pathname.startsWith("/api/")) return "api_other";
  if (pathname === "/metrics") return "metrics";
  // Next's files and public/'s icons, manifest and robots.txt (a container's page may have a dot in its name).
  if (pathname.startsWith("/_next/") || /^\/[^/]+\.(?:ico|svg|png|webmanifest|txt)$/.test(pathname))
    return "static";
  return "page";
};

export class RequestStats {
  private readonly counts = new Map<string, { route: TRouteKind; code: number; count: number }>();

  record(route: TRouteKind, code: number) {
    // A status outside 100–599 is not HTTP: one bucket, so that nothing makes series without end.
    const status = Number.isInteger(code) && code >= 100 && code <= 599 ? code : 0;
    const key = `${route} ${status}`;
    const entry = this.counts.get(key);
    if (entry) entry.count += 1;
    else this.counts.set(key, { route, code: status, count: 1 });
  }

  entries() {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }
}
