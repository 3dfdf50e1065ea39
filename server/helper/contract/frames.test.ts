import { describe, expect, it } from "vitest";
import { encode, encodeBinary, FrameDecoder, MAX_CHUNK_BYTES, MAX_LINE_BYTES } from "./protocol";

/**
 * The frame decoder both ends of the helper socket read with: JSON lines, and after a line saying `bin: N`, N raw
 * bytes. Whatever the socket's chunking, the same frames come out; a peer's bad length or endless line is refused.
 */
const stream = () => {
  const body = Buffer.from([0, 10, 13, 255, 123, 34, 10, 10]);
  const bytes = Buffer.concat([
    Buffer.from(encode({ type: "credit", id: 1, n: 2 })),
    Buffer.from(encodeBinary({ type: "item", id: 1 }, body)),
    body,
    Buffer.from(encodeBinary({ type: "item", id: 1 }, Buffer.alloc(0))),
    Buffer.from(encode({ type: "result", id: 1, data: "é\n" })),
  ]);
  return { body, bytes };
};

describe("helper protocol frames", () => {
  it("reads the same frames however the bytes are split, binary bodies with newlines included", () => {
    const { body, bytes } = stream();
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(frames.map((frame) => frame.message)).toEqual([
        { type: "credit", id: 1, n: 2 },
        { type: "item", id: 1, bin: body.length },
        { type: "item", id: 1, bin: 0 },
        { type: "result", id: 1, data: "é\n" },
      ]);
      expect(frames[1]?.bin).toEqual(body);
      expect(frames[2]?.bin).toEqual(Buffer.alloc(0));
      expect(frames[0]?.bin).toBeNull();
    }
    // One byte at a time.
    const decoder = new FrameDecoder();
    const frames = [...bytes].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(frames).toHaveLength(4);
    expect(frames[1]?.bin).toEqual(body);
  });

  it("refuses a binary length that is not an integer from 0 to MAX_CHUNK_BYTES, garbage, and an endless line", () => {
    for (const bin of [MAX_CHUNK_BYTES + 1, -1, 1.5, "5", null, Number.MAX_VALUE])
      expect(() =>
        new FrameDecoder().push(Buffer.from(`${JSON.stringify({ type: "send", id: 1, bin })}\n`)),
      ).toThrow(/binary frame/);
    expect(() => new FrameDecoder().push(Buffer.from("{not json\n"))).toThrow(/not a protocol message/);
    const decoder = new FrameDecoder();
    expect(() => {
      for (let sent = 0; sent <= MAX_LINE_BYTES; sent += 64 * 1024)
        decoder.push(Buffer.alloc(64 * 1024, 0x61));
    }).toThrow(/line too long/);
    // A binary body may be as long as its frame says, newline or not: only lines are bounded.
    const long = new FrameDecoder();
    const frames = long.push(
      Buffer.concat([
        Buffer.from(encodeBinary({ type: "send", id: 1 }, Buffer.alloc(MAX_CHUNK_BYTES))),
        Buffer.alloc(MAX_CHUNK_BYTES, 10),
      ]),
    );
    expect(frames[0]?.bin?.length).toBe(MAX_CHUNK_BYTES);
  });
});

describe("a line that arrives a byte at a time (review 2 of #26)", () => {
  it("is searched once, not again with every push (the helper's only thread is not held for minutes)", () => {
    const decoder = new FrameDecoder();
    const byte = Buffer.from(" ");
    const started = performance.now();
    let early = 0;
    for (let i = 0; i < 200_000; i++) early += decoder.push(byte).length;
    expect(early).toBe(0);
    const frames = decoder.push(Buffer.from('{"type":"end","id":1}\n'));
    expect(frames).toEqual([{ message: { type: "end", id: 1 }, bin: null }]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
