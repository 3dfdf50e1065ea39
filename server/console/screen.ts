import headless from "@xterm/headless";
import serialize from "@xterm/addon-serialize";

/**
 * A terminal session's screen as the server keeps it: every byte of output goes through a headless xterm.js, so that
 * a viewer who comes back (a reload, another browser, a network that came back) gets the screen repainted as it is
 * (colours, cursor, the alternate screen of a full-screen program) and the scrollback, not a replay of raw bytes cut
 * anywhere.
 *
 * Output is sent to the viewers as it comes; the headless terminal parses it a little later (xterm.js parses in
 * batches). `snapshot` therefore answers, once everything written before it is parsed, with the screen so far and
 * the chunks written since (not yet in the screen), which together are exactly what a new viewer must be sent before
 * the live bytes that follow.
 */
export type TScreen = {
  /** Feeds a chunk of output; resolves once it is parsed (the session's back-pressure). */
  write: (chunk: Buffer) => Promise<void>;
  resize: (cols: number, rows: number) => void;
  /** The repaint for a new viewer: called with the screen's serialisation and the chunks not yet in it. */
  snapshot: (send: (screen: string, pending: readonly Buffer[]) => void) => void;
  dispose: () => void;
};

/** The most cells a repaint serialises (a 200-column terminal: its screen and about 1000 lines above). */
export const REPAINT_CELLS = 200_000;

export const createScreen = ({
  cols,
  rows,
  scrollback,
}: {
  cols: number;
  rows: number;
  scrollback: number;
}) => {
  const terminal = new headless.Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new serialize.SerializeAddon();
  terminal.loadAddon(serializer);
  const pending: Buffer[] = [];
  let isDisposed = false;
  return {
    write: (chunk) =>
      new Promise<void>((resolve) => {
        if (isDisposed) return resolve();
        pending.push(chunk);
        terminal.write(chunk, () => {
          pending.shift();
          resolve();
        });
      }),
    resize: (newCols, newRows) => {
      if (!isDisposed) terminal.resize(newCols, newRows);
    },
    snapshot: (send) => {
      if (isDisposed) return send("", []);
      // The callback of an empty write runs once everything written before it is parsed.
      // Serialising is synchronous and costs by the cell (0.6 s for 500 × 1200 cells of changing colours): the
      // repaint carries at most REPAINT_CELLS, the screen first, then as much scrollback as fits.
      const lines = Math.min(
        scrollback,
        Math.max(0, Math.floor(REPAINT_CELLS / terminal.cols) - terminal.rows),
      );
      terminal.write("", () => send(serializer.serialize({ scrollback: lines }), [...pending]));
    },
    dispose: () => {
      isDisposed = true;
      terminal.dispose();
    },
  } satisfies TScreen;
};
