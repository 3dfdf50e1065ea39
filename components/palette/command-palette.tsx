"use client";

import { useQuery } from "@tanstack/react-query";
import { Command, defaultFilter, useCommandState } from "cmdk";
import { usePathname, useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Spinner } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import type { TContainerSummary } from "@/server/trpc/routers/containers/schemas";
import type { TRole } from "@/server/trpc/routers/users/users.types";
import {
  actionsFor,
  containerHref,
  containerInView,
  isTabAction,
  pagesFor,
  type TPaletteAction,
} from "./palette-model";
import { ShortcutsHelp } from "./shortcuts-help";
import { usePaletteRunner } from "./use-palette-runner";

/**
 * The command palette (Ctrl-K or ⌘K on every signed-in page) and the keyboard shortcuts' sheet (`?`). Mounted once
 * in the root layout; renders nothing until someone is signed in.
 */
export function CommandPalette() {
  const { user } = useSession();
  if (!user) return null;
  return <SignedInPalette role={user.role} />;
}

type TStep = { kind: "choose" } | { kind: "actions"; name: string };
type TContainer = Pick<TContainerSummary, "name" | "state" | "busy">;

/** Where typing a `?` is text, not a shortcut: fields and the config editor (CodeMirror is contenteditable). */
const isTyping = (target: EventTarget | null) =>
  target instanceof Element &&
  target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false']), .cm-editor") !==
    null;

/** A modal of the page's own (a confirmation, the shortcuts' sheet) is open: shortcuts wait until it closes. */
const isDialogOpen = () => document.querySelector("dialog[open]") !== null;

/** Matches on the words an item shows (its keywords), not on its internal value. */
const filter = (_value: string, search: string, keywords?: string[]) =>
  defaultFilter((keywords ?? []).join(" "), search);

// Symbols, the same in every language.
const BACK_ARROW = "←";
const HELP_KEY = "?";

const itemClass =
  "flex cursor-pointer items-center justify-between gap-3 rounded-md px-3 py-2 text-sm text-slate-800 data-[disabled=true]:cursor-not-allowed data-[disabled=true]:opacity-60 data-[selected=true]:bg-sky-100 data-[selected=true]:text-sky-950 dark:text-slate-100 dark:data-[selected=true]:bg-sky-900 dark:data-[selected=true]:text-white";
const mutedClass = "text-xs text-slate-600 dark:text-slate-300";

function SignedInPalette({ role }: { role: TRole }) {
  const t = useTranslations("palette");
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const canAct = role !== "viewer";
  const [isOpen, setOpen] = useState(false);
  const [isHelpOpen, setHelpOpen] = useState(false);
  const [steps, setSteps] = useState<TStep[]>([]);
  const [search, setSearch] = useState("");
  /** The highlighted result (cmdk's value): back to the first one when the palette opens or the list arrives. */
  const [selected, setSelected] = useState("");
  /** What had focus before the palette opened: it gets it back when the palette closes. */
  const opener = useRef<HTMLElement | null>(null);
  const { request, dialogs } = usePaletteRunner();

  // Asked for only while the palette is open (it shares the containers page's cached list).
  const list = useQuery({ ...trpc.containers.list.queryOptions(undefined), enabled: isOpen });
  const containers: TContainer[] = list.data ?? [];
  // The container in view's actions come first once the list arrives: highlight the first result again then
  // (cmdk highlights the first item it sees when nothing is, and had highlighted a page meanwhile).
  const hasList = list.data !== undefined;
  const [hadList, setHadList] = useState(hasList);
  if (hasList !== hadList) {
    setHadList(hasList);
    setSelected("");
  }
  const inView = containerInView(pathname);
  const step = steps.at(-1);

  const open = useCallback(() => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setSteps([]);
    setSearch("");
    setSelected("");
    setOpen(true);
  }, []);

  /**
   * Closes the palette, gives focus back to what had it, then does `then` (navigate, ask for a confirmation, show
   * the help): after the dialog is gone, so that a confirmation's own focus return lands on the opener.
   */
  const close = useCallback((then?: () => void) => {
    const back = opener.current;
    opener.current = null;
    setOpen(false);
    setTimeout(() => {
      if (back?.isConnected) back.focus();
      then?.();
    }, 0);
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const isK = event.key === "k" || event.key === "K";
      // ⌘K on a Mac (where Ctrl-K in a field deletes to the line's end), Ctrl-K elsewhere.
      const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
      if (isK && (isMac ? event.metaKey : event.ctrlKey) && !event.altKey && !event.shiftKey) {
        if (isDialogOpen()) return;
        event.preventDefault();
        if (isOpen) close();
        else open();
        return;
      }
      if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey) {
        if (isOpen || isDialogOpen() || isTyping(event.target)) return;
        event.preventDefault();
        setHelpOpen(true);
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [isOpen, open, close]);

  const go = (href: string) => close(() => router.push(href));
  const run = (action: TPaletteAction, name: string) => {
    if (isTabAction(action)) go(containerHref(name, action));
    else close(() => request({ action, name }));
  };
  const push = (next: TStep) => {
    setSteps((list) => [...list, next]);
    setSearch("");
    setSelected("");
  };
  const back = () => {
    setSteps((list) => list.slice(0, -1));
    setSearch("");
    setSelected("");
  };

  const stateOf = (container: TContainer) =>
    container.busy ? t("busy") : t("state", { state: container.state });

  const actionItems = (container: TContainer) =>
    actionsFor(container.state).map((action) => {
      const label = t(`actions.${action}`, { name: container.name });
      return (
        <Command.Item
          key={action}
          value={`action:${action}:${container.name}`}
          keywords={[label]}
          disabled={container.busy !== null && !isTabAction(action)}
          onSelect={() => run(action, container.name)}
          className={itemClass}
          data-action={action}
        >
          <span>{label}</span>
          {container.busy !== null && !isTabAction(action) && <span className={mutedClass}>{t("busy")}</span>}
        </Command.Item>
      );
    });

  /** A container: opens its page, or (choosing one to act on) shows its actions. */
  const containerItem = (container: TContainer, then: "open" | "actions") => (
    <Command.Item
      key={container.name}
      value={`container:${container.name}`}
      keywords={[container.name, stateOf(container)]}
      onSelect={() =>
        then === "open" ? go(containerHref(container.name)) : push({ kind: "actions", name: container.name })
      }
      className={itemClass}
    >
      <span className="font-mono">{container.name}</span>
      <span className={mutedClass}>{stateOf(container)}</span>
    </Command.Item>
  );

  const backItem = (
    <Command.Item value="back" keywords={[t("items.back")]} onSelect={back} className={itemClass}>
      <span>
        <span aria-hidden="true">{BACK_ARROW} </span>
        {t("items.back")}
      </span>
    </Command.Item>
  );

  const current = inView ? containers.find((container) => container.name === inView) : undefined;
  let body: ReactNode;
  if (step?.kind === "choose") {
    body = (
      <Command.Group heading={t("groups.choose")}>
        {backItem}
        {containers.map((container) => containerItem(container, "actions"))}
      </Command.Group>
    );
  } else if (step?.kind === "actions") {
    const chosen = containers.find((container) => container.name === step.name);
    body = (
      <Command.Group heading={t("groups.actionsOn", { name: step.name })}>
        {backItem}
        {chosen && actionItems(chosen)}
        <Command.Item
          value={`open:${step.name}`}
          keywords={[t("items.open", { name: step.name })]}
          onSelect={() => go(containerHref(step.name))}
          className={itemClass}
        >
          {t("items.open", { name: step.name })}
        </Command.Item>
      </Command.Group>
    );
  } else {
    body = (
      <>
        {canAct && current && (
          <Command.Group heading={t("groups.actionsOn", { name: current.name })}>
            {actionItems(current)}
          </Command.Group>
        )}
        {containers.length > 0 && (
          <Command.Group heading={t("groups.containers")}>
            {containers.map((container) => containerItem(container, "open"))}
          </Command.Group>
        )}
        <Command.Group heading={t("groups.pages")}>
          {pagesFor(role).map((page) => (
            <Command.Item
              key={page.key}
              value={`page:${page.key}`}
              keywords={[t(`pages.${page.key}`)]}
              onSelect={() => go(page.href)}
              className={itemClass}
            >
              <span>{t(`pages.${page.key}`)}</span>
              <span className={`font-mono ${mutedClass}`}>{page.href}</span>
            </Command.Item>
          ))}
        </Command.Group>
        <Command.Group heading={t("groups.more")}>
          {canAct && containers.length > 0 && (
            <Command.Item
              value="act-on"
              keywords={[t("items.actOn")]}
              onSelect={() => push({ kind: "choose" })}
              className={itemClass}
            >
              {t("items.actOn")}
            </Command.Item>
          )}
          <Command.Item
            value="shortcuts"
            keywords={[t("items.shortcuts")]}
            onSelect={() => close(() => setHelpOpen(true))}
            className={itemClass}
          >
            <span>{t("items.shortcuts")}</span>
            <kbd className={`font-mono ${mutedClass}`}>{HELP_KEY}</kbd>
          </Command.Item>
        </Command.Group>
      </>
    );
  }

  return (
    <>
      <Command.Dialog
        open={isOpen}
        onOpenChange={(next) => (next ? open() : close())}
        label={t("title")}
        filter={filter}
        value={selected}
        onValueChange={setSelected}
        loop
        vimBindings={false}
        onKeyDown={(event) => {
          if (event.key === "Backspace" && search === "" && steps.length > 0) {
            event.preventDefault();
            back();
          }
        }}
        overlayClassName="fixed inset-0 z-50 bg-black/50"
        contentClassName="fixed left-1/2 top-[12vh] z-50 w-[min(40rem,calc(100vw-2rem))] -translate-x-1/2 overflow-hidden rounded-lg border border-slate-200 bg-white text-slate-900 shadow-xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        className="flex max-h-[70vh] flex-col [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:pt-3 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-slate-600 dark:[&_[cmdk-group-heading]]:text-slate-300"
      >
        <p aria-hidden="true" className="px-4 pt-3 text-sm font-semibold text-slate-700 dark:text-slate-200">
          {t("title")}
        </p>
        <div className="border-b border-slate-200 px-3 pb-3 pt-2 dark:border-slate-700">
          <Command.Input
            value={search}
            onValueChange={setSearch}
            placeholder={t("placeholder")}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:placeholder:text-slate-400"
          />
        </div>
        {list.isPending && list.fetchStatus === "fetching" && (
          <p role="status" className={`flex items-center gap-2 px-4 pt-2 ${mutedClass}`}>
            <Spinner /> {t("loading")}
          </p>
        )}
        {list.isError && (
          <div className="px-3 pt-2">
            <ErrorAlert error={list.error} title={t("listFailed")} />
          </div>
        )}
        <Results label={t("results")} empty={t("empty")}>
          {body}
        </Results>
        <p className={`border-t border-slate-200 px-4 py-2 dark:border-slate-700 ${mutedClass}`}>
          {t("hint")}
          {steps.length > 0 && <> · {t("hintBack")}</>}
        </p>
      </Command.Dialog>
      <ShortcutsHelp open={isHelpOpen} onClose={() => setHelpOpen(false)} />
      {dialogs}
    </>
  );
}

/**
 * The listbox of results; when nothing matches it is hidden (an empty listbox is invalid ARIA) and "nothing
 * matches" is said in a status outside it.
 */
function Results({ label, empty, children }: { label: string; empty: string; children: ReactNode }) {
  const isEmpty = useCommandState((state) => state.filtered.count === 0);
  return (
    <>
      <div role="status">
        <Command.Empty className="px-3 py-6 text-center text-sm text-slate-600 dark:text-slate-300">
          {empty}
        </Command.Empty>
      </div>
      <Command.List label={label} hidden={isEmpty} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {children}
      </Command.List>
    </>
  );
}
