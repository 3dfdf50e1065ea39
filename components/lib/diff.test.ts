import { describe, expect, it } from "vitest";
import { diffLines } from "./diff";

describe("diffLines", () => {
  it("marks each kind of line", () => {
    const diff = [
      "Index: config",
      "===================================================================",
      "--- config",
      "+++ config",
      "@@ -1,2 +1,2 @@",
      " lxc.uts.name = web",
      "-lxc.tty.max = 4",
      "+lxc.tty.max = 2",
      "",
    ].join("\n");
    expect(diffLines(diff)).toEqual([
      { kind: "file", text: "--- config" },
      { kind: "file", text: "+++ config" },
      { kind: "hunk", text: "@@ -1,2 +1,2 @@" },
      { kind: "context", text: " lxc.uts.name = web" },
      { kind: "removed", text: "-lxc.tty.max = 4" },
      { kind: "added", text: "+lxc.tty.max = 2" },
      { kind: "context", text: "" },
    ]);
  });

  it("reads a removed comment as removed", () => {
    expect(diffLines("-# a comment")).toEqual([{ kind: "removed", text: "-# a comment" }]);
  });

  it("keeps the no-newline note as context", () => {
    expect(diffLines("\\ No newline at end of file")).toEqual([
      { kind: "context", text: "\\ No newline at end of file" },
    ]);
  });
});
