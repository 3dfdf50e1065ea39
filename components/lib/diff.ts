/**
 * A unified diff's lines as a reader sees them: the file headers (`---`/`+++`), hunk headers, added, removed and
 * unchanged lines. The `===` and `Index:` lines some diff writers add say nothing a reader needs, so they are left out.
 */
export type TDiffLineKind = "file" | "hunk" | "added" | "removed" | "context";
export type TDiffLine = { kind: TDiffLineKind; text: string };

const kindOf = (line: string): TDiffLineKind => {
  // `---`/`+++` first: they begin with the added and removed markers.
  if (line.startsWith("+++") || line.startsWith("---")) return "file";
  if (line.startsWith("+")) return "added";
  if (line.startsWith("-")) return "removed";
  if (line.startsWith("@")) return "hunk";
  return "context";
};

export const diffLines = (diff: string): TDiffLine[] =>
  diff
    .split("\n")
    .filter((line) => !line.startsWith("===") && !line.startsWith("Index:"))
    .map((line) => ({ kind: kindOf(line), text: line }));
