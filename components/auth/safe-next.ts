/**
 * Where to go after signing in: a path on this site only, never another origin. The value is resolved as the
 * browser would resolve it (which drops tabs and newlines, and reads `\` as `/`) against a stand-in origin, and
 * kept only when it stays on that origin.
 */
const HERE = "https://atelier.invalid";

export const safeNext = (value: string | null | undefined) => {
  const hasControl = [...(value ?? "")].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);
  if (!value || !value.startsWith("/") || value.includes("\\") || hasControl) return "/containers";
  try {
    const url = new URL(value, HERE);
    return url.origin === HERE ? `${url.pathname}${url.search}${url.hash}` : "/containers";
  } catch {
    return "/containers";
  }
};
