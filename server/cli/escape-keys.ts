/**
 * The escape key of `atelier attach`: Ctrl-] (0x1d, telnet's) and then a letter. Everything else goes to the
 * session as typed. Pure: unit-tested beside it; the pending escape is carried from one chunk of input to the next
 * (a terminal may deliver the two keys apart).
 *
 * - Ctrl-] d: detach (the session stays on the server, for its keep time);
 * - Ctrl-] t: take over (a watcher becomes the writer);
 * - Ctrl-] ?: the keys;
 * - Ctrl-] Ctrl-]: a Ctrl-] for the session itself;
 * - Ctrl-] and anything else: both go to the session.
 */
export const ESCAPE_BYTE = 0x1d;

export type TKeyAction =
  { type: "send"; bytes: Buffer } | { type: "detach" } | { type: "takeover" } | { type: "help" };

export const KEYS_HELP =
  "Ctrl-] d detaches (the session keeps running), Ctrl-] t takes over, Ctrl-] Ctrl-] sends Ctrl-]";

export const createKeyFilter = () => {
  let pending = false;
  return (chunk: Buffer): TKeyAction[] => {
    const actions: TKeyAction[] = [];
    let start = 0;
    const flush = (end: number, prefix?: number) => {
      const bytes = Buffer.concat([
        prefix === undefined ? Buffer.alloc(0) : Buffer.from([prefix]),
        chunk.subarray(start, end),
      ]);
      if (bytes.length > 0) actions.push({ type: "send", bytes });
    };
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index] as number;
      if (pending) {
        pending = false;
        const key = String.fromCharCode(byte).toLowerCase();
        if (key === "d" || key === "t" || key === "?") {
          actions.push({ type: key === "d" ? "detach" : key === "t" ? "takeover" : "help" });
          start = index + 1;
          if (key === "d") return actions;
        } else if (byte === ESCAPE_BYTE) {
          // Ctrl-] twice: one for the session; `start` stays at this byte.
        } else {
          // Not one of ours: the escape and this byte go through as typed.
          start = index;
          flush(index + 1, ESCAPE_BYTE);
          start = index + 1;
        }
        continue;
      }
      if (byte === ESCAPE_BYTE) {
        flush(index);
        start = index + 1;
        pending = true;
      }
    }
    flush(chunk.length);
    return actions;
  };
};
