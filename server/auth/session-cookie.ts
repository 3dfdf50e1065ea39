/** The session cookie: httpOnly, SameSite=Strict, Secure when served over HTTPS. */
export const SESSION_COOKIE = "atelier_session";

export const parseCookies = (header: string | undefined): Record<string, string> => {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    try {
      if (name) cookies[name] = decodeURIComponent(value);
    } catch {
      // a malformed cookie is ignored, not an error
    }
  }
  return cookies;
};

export const sessionCookie = (token: string, expiresAt: Date, secure: boolean) =>
  [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");

export const clearedSessionCookie = (secure: boolean) =>
  [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    "Max-Age=0",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
