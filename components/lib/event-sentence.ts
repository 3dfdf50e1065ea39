import { createTranslator, useLocale, useTranslations } from "next-intl";
import { useCallback } from "react";
import { DEFAULT_LOCALE, isLocale, type TLocale } from "@/server/i18n/locales";
import enEvents from "@/server/i18n/messages/en/events.json";
import frEvents from "@/server/i18n/messages/fr/events.json";
import { phaseText } from "./phase-text";

/**
 * Every event as a sentence and the links to what it is about, for the Events page and the notices (toasts).
 *
 * The wording is in the `events` catalogue (server/i18n/messages/<language>/events.json), under `sentence.<id>`, as
 * ICU messages; `eventSentence` picks an id and its arguments from the event and has a translator word it. Names,
 * numbers and messages the server wrote (an error's text) are arguments, never wording. In a component, take the
 * page's translator with `useEventSentence()`; called without one, `eventSentence` speaks the language of the page
 * it runs in (`<html lang>`), English outside a browser.
 */
export type TEventLike = {
  type: string;
  container: string | null;
  state: string | null;
  actor: string | null;
  /** The payload: an object from the live stream, or the JSON text the events list answers. */
  data: Record<string, unknown> | string | null;
};

type TCatalogue = typeof enEvents;
/** The dotted keys of a catalogue's messages ("state.RUNNING", "job.succeeded"). */
type TLeaves<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : TLeaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type TSentenceId = TLeaves<TCatalogue["sentence"]>;
type TEventKey =
  `sentence.${TSentenceId}` | `links.${keyof TCatalogue["links"]}` | `words.${keyof TCatalogue["words"]}`;
export type TParams = Record<string, string | number>;
/** Words a key of the `events` namespace: `useTranslations("events")` is one, and `eventTranslator(locale)`. */
export type TEventTranslator = (key: TEventKey, values?: TParams) => string;

export type TLink = { href: string; label: string };
export type TSentence = {
  id: TSentenceId;
  params: TParams;
  text: string;
  links: TLink[];
  /** Who did it, when the sentence does not say (a job's end, a rollback by Atelier): shown beside it. */
  by: string | null;
};

/** The event types the server publishes (server/events/bus.ts), and the operations and job kinds it names. */
export const OPERATIONS = [
  "create",
  "start",
  "stop",
  "restart",
  "freeze",
  "unfreeze",
  "destroy",
  "convert",
  "chownBindSource",
  "passThroughId",
  "exec",
  // Terminals (docs/console.md): the console router's calls, and what the terminal's WebSocket records itself.
  "console.open",
  "console.openExec",
  "console.close",
  "console.setSettings",
  "console.takeover",
  "console.end",
  // Files inside containers (issue #26): the files router's changes and the streamed upload.
  "files.write",
  "files.upload",
  "files.mkdir",
  "files.rename",
  "files.delete",
  "files.chmod",
  "files.chown",
  "files.symlink",
  // A container's services (the services router).
  "services.start",
  "services.stop",
  "services.restart",
  "services.enable",
  "services.disable",
] as const;
export const JOB_KINDS = [
  "create",
  "clone",
  "snapshot",
  "restore",
  "restore-new",
  "convert",
  "autostart",
  "packages",
] as const;
const STATES = ["STARTING", "RUNNING", "STOPPING", "STOPPED", "ABORTING", "FREEZING", "FROZEN", "THAWED"];
const JOB_STATES = ["succeeded", "failed", "cancelled", "interrupted"];
// ICU select options are identifiers: a job kind's name as the job sentences' `kind` selects it.
const KIND_OPTION: Record<(typeof JOB_KINDS)[number], string> = {
  create: "create",
  clone: "clone",
  snapshot: "snapshot",
  restore: "restore",
  "restore-new": "restoreNew",
  convert: "convert",
  autostart: "autostart",
  packages: "packages",
};

const CATALOGUES: Record<TLocale, TCatalogue> = { en: enEvents, fr: frEvents };
const translators = new Map<TLocale, TEventTranslator>();

/** The `events` translator of a language, outside React (the tests; a caller without the page's translator). */
export const eventTranslator = (locale: TLocale): TEventTranslator => {
  const known = translators.get(locale);
  if (known) return known;
  const t = createTranslator({ locale, messages: { events: CATALOGUES[locale] }, namespace: "events" });
  const translator: TEventTranslator = (key, values) => t(key, values);
  translators.set(locale, translator);
  return translator;
};

/** The language of the page this runs in, as the root layout writes it in <html lang>; English elsewhere. */
const pageLocale = (): TLocale => {
  const lang = typeof document === "undefined" ? null : document.documentElement.lang;
  return isLocale(lang) ? lang : DEFAULT_LOCALE;
};

const payloadOf = (data: TEventLike["data"]): Record<string, unknown> => {
  if (data === null) return {};
  if (typeof data !== "string") return data;
  try {
    const parsed: unknown = JSON.parse(data);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const text = (value: unknown) =>
  typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? String(value) : "";
/** A number the sentence writes as the language does (decimal comma), or "" when there is none. */
const figure = (value: unknown) => {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : "";
};
/** The arguments of an optional ": reason" at a sentence's end. */
const because = (reason: string) => ({ hasError: reason ? "yes" : "no", error: reason });

const containerLink = (name: string | null): TLink[] =>
  name ? [{ href: `/containers/${encodeURIComponent(name)}`, label: name }] : [];
const networkLink = (t: TEventTranslator): TLink[] => [{ href: "/network", label: t("links.network") }];
const jobLink = (t: TEventTranslator, jobId: string): TLink[] =>
  /^[0-9a-f-]{36}$/.test(jobId) ? [{ href: `/jobs?id=${jobId}`, label: t("links.job") }] : [];

/** Which sentence an event is, with its arguments and links (the words are filled in by `eventSentence`). */
const choose = (event: TEventLike, t: TEventTranslator, locale: TLocale): Omit<TSentence, "text" | "by"> => {
  const data = payloadOf(event.data);
  const container = event.container ?? t("words.theHost");
  const actor = event.actor ?? t("words.someone");
  const own = containerLink(event.container);
  switch (event.type) {
    case "state": {
      const state = event.state ?? "?";
      const id = STATES.includes(state) ? (`state.${state}` as TSentenceId) : "state.other";
      return { id, params: { container, state }, links: own };
    }
    case "exit":
      return { id: "exit", params: { container, status: text(data.status) || "?" }, links: own };
    case "operation": {
      const action = text(data.action).replace(/^containers\./, "") || "?";
      const outcome = data.result === "error" ? "error" : "ok";
      const known = (OPERATIONS as readonly string[]).includes(action);
      const id = `operation.${known ? action : "other"}.${outcome}` as TSentenceId;
      // A destroyed container has no page to go to.
      const links = action === "destroy" && outcome === "ok" ? [] : own;
      // A terminal's kind (shell or console), where the operation says it: ICU selects on an identifier.
      const kind = text(data.kind) === "console" ? "console" : "shell";
      // A file's path (and a rename's new one), a service's name, where the operation names them.
      const named = {
        path: text(data.path) || "?",
        to: text(data.to) || "?",
        service: text(data.service) || "?",
      };
      return {
        id,
        params: { actor, container, action, kind, ...named, ...because(text(data.error)) },
        links,
      };
    }
    case "oom": {
      const kills = Number(data.kills);
      // A count the kernel did not give is one process.
      const params = { container, kills: Number.isFinite(kills) && kills > 1 ? kills : 1 };
      return { id: "oom", params, links: own };
    }
    case "resync":
      return { id: "resync", params: {}, links: [] };
    case "monitor":
      return { id: "monitor", params: because(text(data.message)), links: [] };
    case "network": {
      const action = text(data.action);
      const state = text(data.state);
      const params = { actor, action, state, ...because(text(data.message)) };
      const id: TSentenceId =
        action === "apply" && (state === "applied" || state === "pending" || state === "failed")
          ? `network.apply.${state}`
          : action === "confirm"
            ? "network.confirm"
            : action === "rollback"
              ? "network.rollback"
              : action === "nat.configure" || action === "nat.start" || action === "nat.stop"
                ? `network.${action}`
                : "network.other";
      return { id, params, links: networkLink(t) };
    }
    case "job": {
      const kind = text(data.kind) || "?";
      const state = text(data.state);
      const phase = text(data.phase) && phaseText(text(data.phase), locale);
      const progress = figure(data.progress);
      const seconds = figure(data.seconds);
      const params = {
        // Each job sentence selects its subject ("Cloning db1 as db2") by the kind; an unknown kind is named.
        kind: Object.hasOwn(KIND_OPTION, kind) ? KIND_OPTION[kind as keyof typeof KIND_OPTION] : kind,
        container,
        source: text(data.source) || "?",
        snapshot: text(data.snapshot) || "?",
        // A conversion's direction: "unprivileged" or "privileged".
        to: text(data.to) || "?",
        // An autostart run's: "start" or "stop"; a package job's: "install", "remove" or "upgrade".
        action: text(data.action) || "?",
        // A package job's names.
        packages: text(data.packages) || "?",
        actor,
        state,
        phase,
        progress,
        detail: phase && progress !== "" ? "both" : phase ? "phase" : progress !== "" ? "progress" : "none",
        hasSeconds: seconds === "" ? "no" : "yes",
        seconds,
        ...because(text(data.error)),
      };
      const isStart =
        state === "running" && !data.phase && (data.progress === 0 || data.progress === undefined);
      const id: TSentenceId = isStart
        ? "job.started"
        : state === "running"
          ? "job.progress"
          : JOB_STATES.includes(state)
            ? (`job.${state}` as TSentenceId)
            : "job.other";
      return { id, params, links: [...own, ...jobLink(t, text(data.jobId))] };
    }
    default:
      return { id: "unknown", params: { type: event.type, container }, links: own };
  }
};

/** Whether a sentence's English names its actor (the languages' sentences take the same arguments). */
const namesActor = (id: TSentenceId) => {
  let node: unknown = enEvents.sentence;
  for (const part of id.split("."))
    node =
      node && typeof node === "object" && Object.hasOwn(node, part)
        ? (node as Record<string, unknown>)[part]
        : undefined;
  return typeof node === "string" && node.includes("{actor}");
};

/**
 * An event as a sentence (never blank) and the links to what it is about: its container, job or the network page,
 * worded by `t` (the page's `events` translator), else in the language of the page it runs in.
 */
export const eventSentence = (
  event: TEventLike,
  t?: TEventTranslator,
  locale: TLocale = pageLocale(),
): TSentence => {
  const say = t ?? eventTranslator(locale);
  const chosen = choose(event, say, locale);
  const text = say(`sentence.${chosen.id}`, chosen.params);
  // "by …" unless the sentence itself names who did it (its message uses {actor}).
  return { ...chosen, text, by: event.actor && !namesActor(chosen.id) ? event.actor : null };
};

/** `eventSentence` in the page's language, for a component: `const say = useEventSentence(); say(event).text`. */
export const useEventSentence = () => {
  const t = useTranslations("events");
  const locale = useLocale();
  return useCallback((event: TEventLike) => eventSentence(event, t, locale), [t, locale]);
};
