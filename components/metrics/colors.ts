/** Series colours, [light mode, dark mode], chosen for contrast on white and on slate-900. */
export const COLORS = {
  cpu: ["#0369a1", "#38bdf8"],
  cpuMax: ["#7dd3fc", "#0c4a6e"],
  memory: ["#7c3aed", "#a78bfa"],
  limit: ["#dc2626", "#f87171"],
  pids: ["#0f766e", "#2dd4bf"],
  read: ["#b45309", "#fbbf24"],
  write: ["#be185d", "#f472b6"],
  rx: ["#15803d", "#4ade80"],
  tx: ["#1d4ed8", "#60a5fa"],
} as const satisfies Record<string, [string, string]>;
