import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DOCUMENTED_UPSTREAM, documentedNginx, fencedBlocks } from "../nginx";

/**
 * The reverse-proxy lines are written twice, in docs/usage.md (which tests/nginx.ts runs in the proxy tests) and in
 * docs/console.md: the two must say the same, so the lines an operator copies are the lines the suite tested.
 */
const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const HEADING = "Behind a reverse proxy";

describe("the reverse-proxy lines of the docs", () => {
  it("are the same in docs/console.md as in docs/usage.md, for nginx and for Caddy", () => {
    for (const language of ["nginx", ""]) {
      const usage = fencedBlocks(read("docs/usage.md"), HEADING, language);
      expect(usage, `docs/usage.md, "${language}" blocks`).toHaveLength(1);
      expect(fencedBlocks(read("docs/console.md"), HEADING, language)).toEqual(usage);
    }
  });

  it("keep the Host with its port, pass the upgrade, and buffer nothing", () => {
    const { server, http } = documentedNginx();
    expect(server).toContain(`proxy_pass ${DOCUMENTED_UPSTREAM};`);
    // $host drops the port: behind a proxy on any other port than 80/443 the Origin check would refuse everything.
    expect(server).toMatch(/^\s*proxy_set_header Host \$http_host;/m);
    expect(server).toMatch(/^\s*proxy_set_header Upgrade \$http_upgrade;/m);
    expect(server).toMatch(/^\s*proxy_set_header Connection \$connection_upgrade;/m);
    expect(server).toMatch(/^\s*proxy_buffering off;/m);
    expect(http).toMatch(/map \$http_upgrade \$connection_upgrade/);
  });
});
