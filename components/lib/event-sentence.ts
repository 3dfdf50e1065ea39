/**
 * Every event as a sentence and the links to what it is about, for the Events page and the notices (toasts).
 *
 * The wording is in one table, ENGLISH, keyed by sentence id; `eventSentence` picks an id and its parameters from the
 * event, so that #22's i18n pass replaces the table with message keys (the ids) and leaves the choosing alone. Names,
 * numbers and messages the server wrote (an error's text) are parameters, never wording.
 */
export type TEventLike = {
  type: string;
  container: string | null;
  state: string | null;
  actor: string | null;
  /** The payload: an object from the live stream, or the JSON text the events list answers. */
  data: Record<string, unknown> | string | null;
};

export type TParams = Record<string, string>;
export type TLink = { href: string; label: string };
export type TSentence = {
  id: TSentenceId;
  params: TParams;
  text: string;
  links: TLink[];
  /** Who did it, when the sentence does not say (a job's end, a rollback by Atelier): shown beside it. */
  by: string | null;
};

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const because = (p: TParams) => (p.error ? `: ${p.error}` : "");
const inSeconds = (p: TParams) => (p.seconds ? ` in ${p.seconds} s` : "");

/** All the English: #22's i18n replaces this table with message keys (the ids) and their parameters. */
const ENGLISH = {
  "state.STARTING": (p: TParams) => `${p.container} is starting`,
  "state.RUNNING": (p: TParams) => `${p.container} is running`,
  "state.STOPPING": (p: TParams) => `${p.container} is stopping`,
  "state.STOPPED": (p: TParams) => `${p.container} stopped`,
  "state.ABORTING": (p: TParams) => `${p.container} is aborting`,
  "state.FREEZING": (p: TParams) => `${p.container} is freezing`,
  "state.FROZEN": (p: TParams) => `${p.container} is frozen`,
  "state.THAWED": (p: TParams) => `${p.container} was thawed`,
  "state.other": (p: TParams) => `${p.container} changed state to ${p.state}`,
  exit: (p: TParams) => `The init of ${p.container} exited with status ${p.status}`,
  "operation.create.ok": (p: TParams) => `${p.actor} asked for ${p.container} to be created`,
  "operation.create.error": (p: TParams) => `${p.actor} could not create ${p.container}${because(p)}`,
  "operation.start.ok": (p: TParams) => `${p.actor} started ${p.container}`,
  "operation.start.error": (p: TParams) => `${p.actor} could not start ${p.container}${because(p)}`,
  "operation.stop.ok": (p: TParams) => `${p.actor} stopped ${p.container}`,
  "operation.stop.error": (p: TParams) => `${p.actor} could not stop ${p.container}${because(p)}`,
  "operation.restart.ok": (p: TParams) => `${p.actor} restarted ${p.container}`,
  "operation.restart.error": (p: TParams) => `${p.actor} could not restart ${p.container}${because(p)}`,
  "operation.freeze.ok": (p: TParams) => `${p.actor} froze ${p.container}`,
  "operation.freeze.error": (p: TParams) => `${p.actor} could not freeze ${p.container}${because(p)}`,
  "operation.unfreeze.ok": (p: TParams) => `${p.actor} unfroze ${p.container}`,
  "operation.unfreeze.error": (p: TParams) => `${p.actor} could not unfreeze ${p.container}${because(p)}`,
  "operation.destroy.ok": (p: TParams) => `${p.actor} destroyed ${p.container}`,
  "operation.destroy.error": (p: TParams) => `${p.actor} could not destroy ${p.container}${because(p)}`,
  "operation.other.ok": (p: TParams) => `${p.actor} ran ${p.action} on ${p.container}`,
  "operation.other.error": (p: TParams) =>
    `${p.actor} ran ${p.action} on ${p.container}; it failed${because(p)}`,
  "oom.one": (p: TParams) => `Out of memory in ${p.container}: the kernel killed a process`,
  "oom.many": (p: TParams) => `Out of memory in ${p.container}: the kernel killed ${p.kills} processes`,
  resync: () => "lxc-monitor restarted; the state of every container was read again",
  monitor: (p: TParams) => `The state monitor stopped${p.message ? `: ${p.message}` : ""}`,
  "network.apply.applied": (p: TParams) => `${p.actor} changed the host's network`,
  "network.apply.pending": (p: TParams) =>
    `${p.actor} changed the host's network; it is rolled back unless confirmed in time`,
  "network.apply.failed": (p: TParams) => `${p.actor} could not change the host's network${because(p)}`,
  "network.confirm": (p: TParams) => `${p.actor} confirmed the change of the host's network`,
  "network.rollback": (p: TParams) => `The change of the host's network was rolled back${because(p)}`,
  "network.nat.configure": (p: TParams) => `${p.actor} configured the NAT network`,
  "network.nat.start": (p: TParams) => `${p.actor} started the NAT network`,
  "network.nat.stop": (p: TParams) => `${p.actor} stopped the NAT network`,
  "network.other": (p: TParams) => `The host's network: ${p.action}, ${p.state}`,
  // A job's subject, lower case: the job sentences below put it at a sentence's start or after "started".
  "job.subject.create": (p: TParams) => `creating ${p.container}`,
  "job.subject.clone": (p: TParams) => `cloning ${p.source} as ${p.container}`,
  "job.subject.snapshot": (p: TParams) => `snapshotting ${p.container}`,
  "job.subject.restore": (p: TParams) => `restoring ${p.container} from its snapshot ${p.snapshot}`,
  "job.subject.restore-new": (p: TParams) =>
    `making ${p.container} from ${p.source}'s snapshot ${p.snapshot}`,
  "job.subject.other": (p: TParams) => `the ${p.kind} job on ${p.container}`,
  "job.started": (p: TParams) => `${p.actor} started ${p.subject}`,
  "job.progress": (p: TParams) =>
    `${capital(p.subject ?? "")}: ${[p.phase, p.progress ? `${p.progress} %` : ""].filter(Boolean).join(", ") || "running"}`,
  "job.succeeded": (p: TParams) => `${capital(p.subject ?? "")} finished${inSeconds(p)}`,
  "job.failed": (p: TParams) => `${capital(p.subject ?? "")} failed${because(p)}`,
  "job.cancelled": (p: TParams) => `${capital(p.subject ?? "")} was cancelled`,
  "job.interrupted": (p: TParams) => `${capital(p.subject ?? "")} was interrupted by a restart of Atelier`,
  "job.other": (p: TParams) => `${capital(p.subject ?? "")}: ${p.state}`,
  unknown: (p: TParams) => `An event of type ${p.type} about ${p.container}`,
  someone: () => "someone",
  "the host": () => "the host",
  "link.job": () => "Job log",
  "link.network": () => "Network",
} satisfies Record<string, (params: TParams) => string>;

export type TSentenceId = keyof typeof ENGLISH;
/** The event types the server publishes (server/events/bus.ts), and the operations and job kinds it names. */
export const OPERATIONS = ["create", "start", "stop", "restart", "freeze", "unfreeze", "destroy"] as const;
export const JOB_KINDS = ["create", "clone", "snapshot", "restore", "restore-new"] as const;
const STATES = ["STARTING", "RUNNING", "STOPPING", "STOPPED", "ABORTING", "FREEZING", "FROZEN", "THAWED"];
const JOB_STATES = ["succeeded", "failed", "cancelled", "interrupted"];

const english = (id: TSentenceId, params: TParams = {}) => ENGLISH[id](params);

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

const containerLink = (name: string | null): TLink[] =>
  name ? [{ href: `/containers/${encodeURIComponent(name)}`, label: name }] : [];
const networkLink = (): TLink[] => [{ href: "/network", label: english("link.network") }];
const jobLink = (jobId: string): TLink[] =>
  /^[0-9a-f-]{36}$/.test(jobId) ? [{ href: `/jobs?id=${jobId}`, label: english("link.job") }] : [];

/** Which sentence an event is, with its parameters and links (the English is filled in by `eventSentence`). */
const choose = (event: TEventLike): Omit<TSentence, "text" | "by"> => {
  const data = payloadOf(event.data);
  const container = event.container ?? english("the host");
  const actor = event.actor ?? english("someone");
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
      return { id, params: { actor, container, action, error: text(data.error) }, links };
    }
    case "oom": {
      const kills = Number(data.kills);
      const id = Number.isFinite(kills) && kills > 1 ? "oom.many" : "oom.one";
      return { id, params: { container, kills: text(data.kills) }, links: own };
    }
    case "resync":
      return { id: "resync", params: {}, links: [] };
    case "monitor":
      return { id: "monitor", params: { message: text(data.message) }, links: [] };
    case "network": {
      const action = text(data.action);
      const state = text(data.state);
      const params = { actor, action, state, error: text(data.message) };
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
      return { id, params, links: networkLink() };
    }
    case "job": {
      const kind = text(data.kind) || "?";
      const state = text(data.state);
      const subjectParams = {
        container,
        kind,
        source: text(data.source) || "?",
        snapshot: text(data.snapshot) || "?",
      };
      const subjectId = (JOB_KINDS as readonly string[]).includes(kind)
        ? (`job.subject.${kind}` as TSentenceId)
        : "job.subject.other";
      const subject = english(subjectId, subjectParams);
      const params = {
        ...subjectParams,
        actor,
        state,
        subject,
        subjectId,
        phase: text(data.phase),
        progress: text(data.progress),
        seconds: text(data.seconds),
        error: text(data.error),
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
      return { id, params, links: [...own, ...jobLink(text(data.jobId))] };
    }
    default:
      return { id: "unknown", params: { type: event.type, container }, links: own };
  }
};

/** An event as a sentence (never blank) and the links to what it is about: its container, job or the network page. */
export const eventSentence = (event: TEventLike): TSentence => {
  const chosen = choose(event);
  const text = english(chosen.id, chosen.params);
  return { ...chosen, text, by: event.actor && !text.includes(event.actor) ? event.actor : null };
};
