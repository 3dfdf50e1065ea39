"use client";

import { useTranslations } from "next-intl";
import { Fragment, useId } from "react";
import { Button } from "@/components/ui/button";
import { ModalDialog } from "@/components/ui/modal-dialog";

type TKeyWord = "ctrl" | "alt" | "shift" | "tab" | "esc" | "enter" | "home" | "end" | "backspace" | "space";
/** A key: a word of the catalogue (its name differs by language) or a symbol printed on it. */
type TKey = { word: TKeyWord } | { symbol: string };
/** One shortcut: its alternatives (each a chord of keys pressed together) and what it does. */
type TShortcut = { chords: TKey[][]; does: TDoes };
type TDoes =
  | "openPalette"
  | "openHelp"
  | "tab"
  | "escape"
  | "move"
  | "firstLast"
  | "choose"
  | "back"
  | "complete"
  | "moveRow";

const word = (name: TKeyWord): TKey => ({ word: name });
const symbol = (text: string): TKey => ({ symbol: text });

const SECTIONS: {
  heading: "anywhere" | "inPalette" | "inEditor" | "inAutostart";
  shortcuts: TShortcut[];
}[] = [
  {
    heading: "anywhere",
    shortcuts: [
      {
        chords: [
          [word("ctrl"), symbol("K")],
          [symbol("⌘"), symbol("K")],
        ],
        does: "openPalette",
      },
      { chords: [[symbol("?")]], does: "openHelp" },
      { chords: [[word("tab")], [word("shift"), word("tab")]], does: "tab" },
      { chords: [[word("esc")]], does: "escape" },
    ],
  },
  {
    heading: "inPalette",
    shortcuts: [
      { chords: [[symbol("↑")], [symbol("↓")]], does: "move" },
      { chords: [[word("home")], [word("end")]], does: "firstLast" },
      { chords: [[word("enter")]], does: "choose" },
      { chords: [[word("backspace")]], does: "back" },
    ],
  },
  { heading: "inEditor", shortcuts: [{ chords: [[word("ctrl"), word("space")]], does: "complete" }] },
  {
    heading: "inAutostart",
    shortcuts: [
      {
        chords: [
          [word("alt"), symbol("↑")],
          [word("alt"), symbol("↓")],
        ],
        does: "moveRow",
      },
    ],
  },
];

const kbdClass =
  "rounded border border-slate-300 bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100";

/**
 * The keyboard shortcuts, on a modal native <dialog> as the confirmations are: focus is trapped, Escape closes,
 * the element that had focus gets it back.
 */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useTranslations("palette.help");
  const titleId = useId();

  const keyName = (key: TKey) => ("word" in key ? t(`keys.${key.word}`) : key.symbol);

  return (
    <ModalDialog open={open} labelledBy={titleId} onCancel={onClose} width="lg">
      <div className="space-y-4 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          {t("title")}
        </h2>
        {SECTIONS.map((section) => (
          <section key={section.heading} className="space-y-2">
            <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-300">{t(section.heading)}</h3>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              {section.shortcuts.map((shortcut) => (
                <Fragment key={shortcut.does}>
                  <dt className="flex flex-wrap items-center gap-1 whitespace-nowrap">
                    {shortcut.chords.map((chord, index) => (
                      <Fragment key={index}>
                        {index > 0 && <span className="text-slate-600 dark:text-slate-400">{t("or")}</span>}
                        <span className="inline-flex items-center gap-0.5">
                          {chord.map((key, at) => (
                            <Fragment key={at}>
                              {at > 0 && <span aria-hidden="true">+</span>}
                              <kbd className={kbdClass}>{keyName(key)}</kbd>
                            </Fragment>
                          ))}
                        </span>
                      </Fragment>
                    ))}
                  </dt>
                  <dd className="text-slate-700 dark:text-slate-300">{t(shortcut.does)}</dd>
                </Fragment>
              ))}
            </dl>
          </section>
        ))}
        <div className="flex justify-end">
          <Button onClick={onClose}>{t("close")}</Button>
        </div>
      </div>
    </ModalDialog>
  );
}
