/**
 * The HTTP routes of /api besides tRPC (and Prometheus' /metrics, beside the pages), with who may call them:
 * server/main.ts dispatches through this table only (a route not in it is a 404), and the authorization test walks it.
 */
export const HTTP_ROUTES = {
  "GET /api/health": { access: "public" },
  "GET /api/events": { access: "viewer" },
  "POST /api/uploads/rootfs": { access: "operator" },
  "GET /metrics": { access: "viewer" },
} as const satisfies Record<string, { access: "public" | "viewer" | "operator" | "admin" }>;

export type THttpRoute = keyof typeof HTTP_ROUTES;
