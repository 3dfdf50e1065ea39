"use client";

import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";
import { useDarkMode } from "@/components/ui/use-dark-mode";
import { KEYS } from "@/server/schemas/lxc-config/catalogue";
import { validateConfig } from "@/server/schemas/lxc-config/validate";
import { useConfigWords, type TConfigWords } from "./problem-words";

/**
 * The raw editor: CodeMirror 6 with LXC config highlighting (comments, keys, values, lines LXC ignores), key and
 * value completion from the catalogue (Ctrl-Space, or as you type a key), and the validator's problems inline,
 * tied to their lines. Edits go to the same text the settings form edits. The lint messages and the completions'
 * descriptions are in the page's language (TWords); LXC's key names and values stay as they are.
 */
type TWords = TConfigWords & {
  live: string;
  phrases: Record<string, string>;
  /** The name of a line's one-click fix (its replacement, or its removal when the replacement is empty). */
  fix: (replacement: string) => string;
};

const lxcConfig = StreamLanguage.define<{ afterEquals: boolean }>({
  name: "lxc-config",
  startState: () => ({ afterEquals: false }),
  token: (stream, state) => {
    if (stream.sol()) state.afterEquals = false;
    if (stream.eatSpace()) return null;
    if (!state.afterEquals && stream.peek() === "#") {
      stream.skipToEnd();
      return "comment";
    }
    if (!state.afterEquals) {
      if (stream.match(/^[^=]+(?==)/)) return "propertyName";
      if (stream.eat("=")) {
        state.afterEquals = true;
        return "operator";
      }
      // No "=" on the line: LXC ignores it.
      stream.skipToEnd();
      return "invalid";
    }
    stream.skipToEnd();
    return "string";
  },
});

const highlight = (isDark: boolean) =>
  HighlightStyle.define([
    { tag: tags.comment, color: isDark ? "#94a3b8" : "#64748b", fontStyle: "italic" },
    { tag: tags.propertyName, color: isDark ? "#7dd3fc" : "#0369a1" },
    { tag: tags.operator, color: isDark ? "#cbd5e1" : "#475569" },
    { tag: tags.string, color: isDark ? "#fcd34d" : "#92400e" },
    { tag: tags.invalid, color: isDark ? "#fca5a5" : "#b91c1c", textDecoration: "line-through" },
  ]);

/** The editors' look (this one and the Files tab's), light or dark. */
export const theme = (isDark: boolean) =>
  EditorView.theme(
    {
      "&": {
        backgroundColor: isDark ? "#0f172a" : "#ffffff",
        color: isDark ? "#e2e8f0" : "#0f172a",
        fontSize: "13px",
        border: `1px solid ${isDark ? "#334155" : "#cbd5e1"}`,
        borderRadius: "0.375rem",
      },
      "&.cm-focused": { outline: "2px solid #0284c7", outlineOffset: "2px" },
      ".cm-content": { fontFamily: "ui-monospace, monospace", caretColor: isDark ? "#e2e8f0" : "#0f172a" },
      ".cm-gutters": {
        backgroundColor: isDark ? "#1e293b" : "#f1f5f9",
        color: isDark ? "#94a3b8" : "#64748b",
        border: "none",
      },
      ".cm-activeLine": { backgroundColor: "transparent" },
      ".cm-tooltip": {
        backgroundColor: isDark ? "#1e293b" : "#ffffff",
        color: isDark ? "#e2e8f0" : "#0f172a",
      },
    },
    { dark: isDark },
  );

/** Keys as you type them (N becomes 0), then the allowed values of the key on the line. */
const complete =
  (words: TWords) =>
  (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const equals = before.indexOf("=");
    if (equals === -1) {
      const word = context.matchBefore(/[a-z0-9_.]*/);
      if (!word || (word.from === word.to && !context.explicit)) return null;
      return {
        from: word.from,
        options: KEYS.map((info) => ({
          label: info.key.replace(".N.", ".0.").replace(/\.\*$/, "."),
          detail: info.apply === "live" ? words.live : undefined,
          info: words.description(info),
          type: "property",
          apply: info.key.endsWith("*")
            ? info.key.replace(/\.\*$/, ".")
            : `${info.key.replace(".N.", ".0.")} = `,
        })),
        validFor: /^[a-z0-9_.]*$/,
      };
    }
    const key = before.slice(0, equals).trim();
    const info = KEYS.find((entry) =>
      new RegExp(`^${entry.key.replace(/\./g, "\\.").replace("N", "\\d+")}$`).test(key),
    );
    if (!info?.values?.length) return null;
    const word = context.matchBefore(/[^=\s]*/);
    return {
      from: word?.from ?? context.pos,
      options: info.values.filter(Boolean).map((value) => ({ label: value, type: "enum" })),
    };
  };

const lint =
  (words: TWords) =>
  (view: EditorView): Diagnostic[] => {
    const doc = view.state.doc;
    return validateConfig(doc.toString()).map((problem) => {
      const line = doc.line(Math.min(problem.line, doc.lines));
      return {
        from: line.from,
        to: line.to,
        severity: problem.severity,
        message: words.problem(problem),
        // A line the check knows how to rewrite (a legacy key, the seed tutorial's lxc.onboot): its fix, one click.
        ...(problem.replacement === undefined
          ? {}
          : {
              actions: [
                {
                  name: words.fix(problem.replacement),
                  apply: (target: EditorView) => {
                    const current = target.state.doc.line(line.number);
                    const indent = /^[ \t]*/.exec(current.text)?.[0] ?? "";
                    const replacement = problem.replacement ?? "";
                    target.dispatch(
                      replacement === ""
                        ? {
                            changes: {
                              from: current.from,
                              to: Math.min(current.to + 1, target.state.doc.length),
                            },
                          }
                        : {
                            changes: {
                              from: current.from,
                              to: current.to,
                              insert: `${indent}${replacement}`,
                            },
                          },
                    );
                  },
                },
              ],
            }),
      };
    });
  };

export function RawEditor({
  value,
  onChange,
  label,
}: {
  value: string;
  onChange: (text: string) => void;
  label: string;
}) {
  const t = useTranslations("config.raw");
  const tProblems = useTranslations("config.problems");
  const configWords = useConfigWords();
  const holder = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const isDark = useDarkMode();
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  });
  const initial = useRef(value);
  // The words as the editor is made: they change only with the page's language, which reloads the page.
  const words = useRef<TWords>({
    ...configWords,
    live: t("live"),
    fix: (replacement) => (replacement === "" ? tProblems("remove") : tProblems("replace", { replacement })),
    // CodeMirror's own words (its phrases), as the extensions used here say them.
    phrases: {
      Completions: t("phrases.completions"),
      "Control character": t("phrases.controlCharacter"),
      "Selection deleted": t("phrases.selectionDeleted"),
      Diagnostics: t("phrases.diagnostics"),
      "No diagnostics": t("phrases.noDiagnostics"),
      close: t("phrases.close"),
    },
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const editor = new EditorView({
      parent: element,
      state: EditorState.create({
        doc: view.current?.state.doc.toString() ?? initial.current,
        extensions: [
          EditorState.phrases.of(words.current.phrases),
          lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          lxcConfig,
          syntaxHighlighting(highlight(isDark)),
          theme(isDark),
          autocompletion({ override: [complete(words.current)] }),
          linter(lint(words.current), { delay: 300 }),
          lintGutter(),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
    };
  }, [isDark, label]);

  // Text changed elsewhere (the settings form, a reload, a migration): replace the editor's content.
  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={holder} data-testid="raw-editor" className="min-h-64" />;
}
