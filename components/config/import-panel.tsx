"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { fixProblem, validateConfig } from "@/server/schemas/lxc-config/validate";
import { ProblemList } from "./problem-list";

/**
 * Import: paste a config or pick a file (such as the seed tutorial's, with legacy keys and "//" lines LXC silently
 * ignores), see what is legacy, ignored or invalid before anything else, then load it into the editor to migrate,
 * review and save it as this container's config.
 */
const MAX_BYTES = 256 * 1024;

/** The validator's sentences for a line LXC ignores. */
const IGNORED = ["validation.lint.notAKey", "validation.lint.ignored", "validation.lint.ignoredSlashes"];

export function ImportPanel({ onLoad, onClose }: { onLoad: (text: string) => void; onClose: () => void }) {
  const t = useTranslations("config.import");
  const id = useId();
  const [text, setText] = useState("");
  const [isTooLarge, setIsTooLarge] = useState(false);
  const problems = text === "" ? [] : validateConfig(text);
  const legacy = problems.filter((problem) => problem.replacement !== undefined);
  const ignored = problems.filter((problem) => IGNORED.includes(problem.id ?? ""));
  const invalid = problems.filter(
    (problem) => problem.severity === "error" && problem.replacement === undefined,
  );
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
    >
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {t("title")}
      </h2>
      <div className="space-y-1">
        <label htmlFor={`${id}-file`} className="block text-sm font-medium">
          {t("fromFile")}
        </label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".conf,text/plain,*"
          onChange={async (event) => {
            const file = event.target.files?.[0];
            setIsTooLarge(false);
            if (!file) return;
            if (file.size > MAX_BYTES) {
              setIsTooLarge(true);
              return;
            }
            setText(await file.text());
          }}
          className="text-sm"
        />
        {isTooLarge && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {t("tooLarge")}
          </p>
        )}
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-text`} className="block text-sm font-medium">
          {t("paste")}
        </label>
        <textarea
          id={`${id}-text`}
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={10}
          spellCheck={false}
          className="w-full rounded-md border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-600 dark:bg-slate-800"
        />
      </div>
      {text !== "" && (
        <div aria-live="polite" className="space-y-2 text-sm" data-testid="import-analysis">
          <p>{t("analysis", { legacy: legacy.length, ignored: ignored.length, invalid: invalid.length })}</p>
          <ProblemList
            problems={problems}
            label={t("problemsLabel")}
            className="max-h-48 overflow-auto"
            onFix={(problem) => setText(fixProblem(text, problem))}
          />
        </div>
      )}
      <div className="flex gap-2">
        <Button variant="primary" disabled={text === ""} onClick={() => onLoad(text)}>
          {t("load")}
        </Button>
        <Button onClick={onClose}>{t("cancel")}</Button>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">{t("note")}</p>
    </section>
  );
}
