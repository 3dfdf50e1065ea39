import type { TRole } from "@/server/trpc/routers/users/users.types";
import type { TContainerSummary } from "@/server/trpc/routers/containers/schemas";

/**
 * What the command palette offers, as pure rules (components/palette/command-palette.tsx draws them): the pages a
 * role may open, the actions a container's state allows, and which of them ask first.
 */

/** The actions the palette runs on a container; `config`, `shell` and `console` only open that tab. */
export const PALETTE_ACTIONS = [
  "start",
  "stop",
  "forceStop",
  "restart",
  "freeze",
  "unfreeze",
  "snapshot",
  "config",
  "shell",
  "console",
] as const;
export type TPaletteAction = (typeof PALETTE_ACTIONS)[number];
/** The actions that open one of the container's tabs rather than change it. */
export type TTabAction = "config" | "shell" | "console";
export const TAB_ACTIONS: ReadonlySet<TPaletteAction> = new Set<TPaletteAction>([
  "config",
  "shell",
  "console",
]);
export const isTabAction = (action: TPaletteAction): action is TTabAction => TAB_ACTIONS.has(action);
/** The actions that change the container (everything but opening a tab). */
export type TRunAction = Exclude<TPaletteAction, TTabAction>;

/** The same confirmations as the container's buttons (components/containers/container-actions.tsx). */
export const ASKS_FIRST: ReadonlySet<TPaletteAction> = new Set<TPaletteAction>(["forceStop"]);

/**
 * The actions a container in this state allows, as its buttons offer them: start when stopped; stop, force stop
 * and restart when running or frozen; freeze when running, unfreeze when frozen; a snapshot when stopped (LXC
 * snapshots only stopped containers). Its config opens in any state, its shell and console while it runs.
 */
export function actionsFor(state: TContainerSummary["state"]): TPaletteAction[] {
  const isRunning = state === "RUNNING";
  const isFrozen = state === "FROZEN";
  const isStopped = state === "STOPPED";
  return PALETTE_ACTIONS.filter((action) => {
    switch (action) {
      case "start":
      case "snapshot":
        return isStopped;
      case "stop":
      case "forceStop":
      case "restart":
        return isRunning || isFrozen;
      case "freeze":
        return isRunning;
      case "unfreeze":
        return isFrozen;
      case "config":
        return true;
      case "shell":
      case "console":
        return isRunning;
    }
  });
}

const rank: Record<TRole, number> = { viewer: 1, operator: 2, admin: 3 };

export type TPageKey =
  | "containers"
  | "newContainer"
  | "host"
  | "autostart"
  | "network"
  | "jobs"
  | "events"
  | "audit"
  | "users"
  | "account";

const PAGES: { key: TPageKey; href: string; minimum: TRole }[] = [
  { key: "containers", href: "/containers", minimum: "viewer" },
  { key: "newContainer", href: "/containers/new", minimum: "operator" },
  { key: "host", href: "/host", minimum: "viewer" },
  { key: "autostart", href: "/autostart", minimum: "viewer" },
  { key: "network", href: "/network", minimum: "viewer" },
  { key: "jobs", href: "/jobs", minimum: "viewer" },
  { key: "events", href: "/events", minimum: "viewer" },
  { key: "audit", href: "/audit", minimum: "operator" },
  { key: "users", href: "/users", minimum: "admin" },
  { key: "account", href: "/account", minimum: "viewer" },
];

/** The pages this role may open, in the palette's order. */
export const pagesFor = (role: TRole) => PAGES.filter((page) => rank[role] >= rank[page.minimum]);

/** The container the URL is about (`/containers/NAME` and its tabs), or null. */
export function containerInView(pathname: string): string | null {
  const match = /^\/containers\/([^/]+)(?:\/|$)/.exec(pathname);
  if (!match?.[1]) return null;
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return name === "new" ? null : name;
}

/** Where a container's page (or one of its tabs) is. */
export const containerHref = (name: string, tab?: TTabAction | "snapshots") =>
  `/containers/${encodeURIComponent(name)}${tab ? `/${tab}` : ""}`;
