import type { ITheme } from "@xterm/xterm";

/**
 * The terminal's colours, the app's slate and sky in light and dark (Tailwind's `dark:` follows the system setting,
 * components/ui/use-dark-mode.ts). The 16 ANSI colours are chosen to read on their background (the light theme's
 * yellow and white are dark enough for white paper); the 240 others of the 256 are xterm's own.
 */
export const LIGHT_THEME: ITheme = {
  background: "#ffffff",
  foreground: "#0f172a",
  cursor: "#0f172a",
  cursorAccent: "#ffffff",
  selectionBackground: "#bae6fd",
  selectionForeground: "#0f172a",
  selectionInactiveBackground: "#e2e8f0",
  black: "#0f172a",
  red: "#b91c1c",
  green: "#15803d",
  yellow: "#a16207",
  blue: "#1d4ed8",
  magenta: "#a21caf",
  cyan: "#0e7490",
  white: "#64748b",
  brightBlack: "#475569",
  brightRed: "#dc2626",
  brightGreen: "#16a34a",
  brightYellow: "#ca8a04",
  brightBlue: "#2563eb",
  brightMagenta: "#c026d3",
  brightCyan: "#0891b2",
  brightWhite: "#334155",
};

export const DARK_THEME: ITheme = {
  background: "#020617",
  foreground: "#e2e8f0",
  cursor: "#e2e8f0",
  cursorAccent: "#020617",
  selectionBackground: "#075985",
  selectionForeground: "#f8fafc",
  selectionInactiveBackground: "#334155",
  black: "#1e293b",
  red: "#f87171",
  green: "#4ade80",
  yellow: "#facc15",
  blue: "#60a5fa",
  magenta: "#e879f9",
  cyan: "#22d3ee",
  white: "#cbd5e1",
  brightBlack: "#64748b",
  brightRed: "#fca5a5",
  brightGreen: "#86efac",
  brightYellow: "#fde047",
  brightBlue: "#93c5fd",
  brightMagenta: "#f0abfc",
  brightCyan: "#67e8f9",
  brightWhite: "#f8fafc",
};

/** A monospace font every desktop has one of, with DejaVu and Liberation for Debian's Chromium. */
export const TERMINAL_FONT =
  'ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';
