import { describe, expect, it } from "vitest";
import { createKeyFilter, type TKeyAction } from "./escape-keys";

const sent = (actions: TKeyAction[]) =>
  actions.map((action) => (action.type === "send" ? action.bytes.toString("latin1") : `<${action.type}>`));

describe("attach's escape key", () => {
  it("passes what is typed through, Ctrl-] aside", () => {
    const filter = createKeyFilter();
    expect(sent(filter(Buffer.from("echo hi\r")))).toEqual(["echo hi\r"]);
    expect(sent(filter(Buffer.from("\x03")))).toEqual(["\x03"]);
  });

  it("detaches on Ctrl-] d, drops what follows; takes over on Ctrl-] t and goes on", () => {
    expect(sent(createKeyFilter()(Buffer.from("ls\x1ddrm -rf")))).toEqual(["ls", "<detach>"]);
    expect(sent(createKeyFilter()(Buffer.from("a\x1dTb")))).toEqual(["a", "<takeover>", "b"]);
    expect(sent(createKeyFilter()(Buffer.from("\x1d?")))).toEqual(["<help>"]);
  });

  it("sends Ctrl-] for Ctrl-] twice, and Ctrl-] with any other key as typed", () => {
    expect(sent(createKeyFilter()(Buffer.from("a\x1d\x1db")))).toEqual(["a", "\x1db"]);
    expect(sent(createKeyFilter()(Buffer.from("a\x1dxb")))).toEqual(["a", "\x1dx", "b"]);
    expect(sent(createKeyFilter()(Buffer.from("\x1d\x1d\x1dd")))).toEqual(["\x1d", "<detach>"]);
  });

  it("keeps a Ctrl-] at the end of one chunk for the next", () => {
    const filter = createKeyFilter();
    expect(sent(filter(Buffer.from("ab\x1d")))).toEqual(["ab"]);
    expect(sent(filter(Buffer.from("t")))).toEqual(["<takeover>"]);
    expect(sent(filter(Buffer.from("\x1d")))).toEqual([]);
    expect(sent(filter(Buffer.from("z")))).toEqual(["\x1dz"]);
  });
});
