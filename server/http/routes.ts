/**
 * The HTTP routes of /api besides tRPC (and Prometheus' /metrics, beside the pages), with who may call them:
 * server/main.ts dispatches through this table only (a route not in it is a 404), and the authorization test walks it.
 * A `:name` part of a path takes one path segment (a container's name: the route's handler validates it).
 */
export const HTTP_ROUTES = {
  "GET /api/health": { access: "public" },
  "GET /api/events": { access: "viewer" },
  "POST /api/uploads/rootfs": { access: "operator" },
  "GET /metrics": { access: "viewer" },
  "GET /api/containers/:name/files": { access: "viewer" },
  "PUT /api/containers/:name/files": { access: "operator" },
} as const satisfies Record<string, { access: "public" | "viewer" | "operator" | "admin" }>;

export type THttpRoute = keyof typeof HTTP_ROUTES;

/** A route of the table and the values of its `:` parts (decoded), or null when none matches. */
export const matchRoute = (
  method: string,
  pathname: string,
): { route: THttpRoute; params: Record<string, string> } | null => {
  const exact = `${method} ${pathname}`;
  if (Object.hasOwn(HTTP_ROUTES, exact)) return { route: exact as THttpRoute, params: {} };
  const segments = pathname.split("/");
  for (const route of Object.keys(HTTP_ROUTES) as THttpRoute[]) {
    const [routeMethod, routePath = ""] = route.split(" ");
    if (routeMethod !== method || !routePath.includes("/:")) continue;
    const parts = routePath.split("/");
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const isMatch = parts.every((part, index) => {
      const segment = segments[index] ?? "";
      if (!part.startsWith(":")) return part === segment;
      if (segment === "") return false;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return true;
    });
    if (isMatch) return { route, params };
  }
  return null;
};
