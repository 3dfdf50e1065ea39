import { describe, expect, it } from "vitest";
import { runCommand, wireLine } from "./commands";
import { WIRE_LINE_CHARS, ZJobItem } from "./contract/jobs";

/** A job's lines as items: each within the contract, however long the command's line; the result keeps it all. */
describe("a job command's lines", () => {
  it("cuts a line longer than an item carries, says so, and keeps the whole output in the result", async () => {
    const items: unknown[] = [];
    const result = await runCommand(
      "/bin/sh",
      ["-c", "head -c 2097152 /dev/zero | tr '\\0' a; echo; echo short"],
      { signal: new AbortController().signal, emit: (item) => Promise.resolve(void items.push(item)) },
      { timeoutMs: 10_000 },
    );
    const lines = items.filter(
      (item): item is { line: string } => typeof item === "object" && "line" in item!,
    );
    expect(lines.map((item) => item.line.length)).toEqual([WIRE_LINE_CHARS, 5]);
    expect(/^a+ … \(truncated\)$/.test(lines[0]?.line ?? "")).toBe(true);
    for (const item of items) expect(ZJobItem.safeParse(item).success).toBe(true);
    expect(result.stdout === `${"a".repeat(2 * 1024 * 1024)}\nshort\n`).toBe(true);
  });

  it("never leaves half of a surrogate pair at the cut", () => {
    const cut = WIRE_LINE_CHARS - " … (truncated)".length;
    const line = wireLine(`${"a".repeat(cut - 1)}😀${"b".repeat(100)}`);
    expect(line.length).toBe(WIRE_LINE_CHARS - 1);
    expect(line.endsWith("a … (truncated)")).toBe(true);
    expect(wireLine("short")).toBe("short");
    expect(wireLine("x".repeat(WIRE_LINE_CHARS))).toHaveLength(WIRE_LINE_CHARS);
  });
});
