import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { summariseStderr } from "./tools";

describe("summariseStderr (lxc-start stderr plus its -o log, captured)", () => {
  const summary = summariseStderr(
    readFileSync(path.join(import.meta.dirname, "__fixtures__", "lxc-start-missing-bridge.txt"), "utf8"),
  );

  it("keeps the reason from the log, without source locations", () => {
    expect(summary).toContain(
      `Failed to attach "vethuDwwXt" to bridge "nosuchbr0", bridge interface doesn't exist`,
    );
    expect(summary).not.toMatch(/\.c:/);
  });

  it("drops LXC's command-line advice and repeated lines", () => {
    expect(summary).not.toMatch(/foreground mode|--logfile/);
    expect(summary.match(/The container failed to start/g)).toHaveLength(1);
  });
});
