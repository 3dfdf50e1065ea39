import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

// Next renders pages only. The API (/api/*) is served by server/main.ts itself, so the privileged
// server code runs in one module graph and is never bundled into the Next build (see README).
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  // Lint and type checks run in `npm test`; the build must not depend on dev-only tooling.
  typescript: { ignoreBuildErrors: false },
};

// The pages' language and catalogues, per request (components/i18n/request.ts).
export default createNextIntlPlugin("./components/i18n/request.ts")(config);
