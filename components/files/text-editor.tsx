"use client";

import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { theme } from "@/components/config/raw-editor";
import { useDarkMode } from "@/components/ui/use-dark-mode";

/**
 * A plain text editor for a file of the container: the config editor's CodeMirror look (light or dark), line
 * numbers, undo; no language of its own (fstab, interfaces, hosts… are each their own). Read-only for viewers.
 * Tab moves the focus on (Escape then Tab, as CodeMirror documents), so the keyboard never gets stuck in it.
 */
export function TextEditor({
  value,
  onChange,
  label,
  isReadOnly,
}: {
  value: string;
  onChange: (text: string) => void;
  label: string;
  isReadOnly: boolean;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const isDark = useDarkMode();
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  });
  const initial = useRef(value);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const editor = new EditorView({
      parent: element,
      state: EditorState.create({
        doc: view.current?.state.doc.toString() ?? initial.current,
        extensions: [
          lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          theme(isDark),
          EditorState.readOnly.of(isReadOnly),
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
  }, [isDark, label, isReadOnly]);

  // Text replaced from outside (a reload after a conflict, a save): the editor shows it.
  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={holder} data-testid="file-editor" className="min-h-64" />;
}
