import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES, type TLocale } from "@/server/i18n/locales";
import { eventSentence, eventTranslator, type TEventLike } from "./event-sentence";

const root = path.resolve(import.meta.dirname, "../..");
const source = (file: string) => readFileSync(path.join(root, file), "utf8");
const serverFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? serverFiles(path.join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")
        ? [path.join(dir, entry.name)]
        : [],
  );
const literals = (text: string) => [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? "");
// French puts a no-break space before ":" and ";", and between a number and its unit: written "_" below.
const nbsp = (text: string) => text.replaceAll("_", "\u00a0");

const JOB_ID = "0b7e1c1e-6a52-4f4e-9d0f-3d7a1f0e2c11";
const event = (overrides: Partial<TEventLike>): TEventLike => ({
  type: "state",
  container: "web1",
  state: null,
  actor: "alice",
  data: null,
  ...overrides,
});
const say = (locale: TLocale, overrides: Partial<TEventLike>) =>
  eventSentence(event(overrides), eventTranslator(locale));
const job = (locale: TLocale, kind: string, data: Record<string, unknown>, container = "web1") =>
  say(locale, { type: "job", container, data: { jobId: JOB_ID, kind, ...data } });

/**
 * One example of every event the server publishes, in each language. The lists below are read from the server's
 * source, so that a new event type, container operation, job kind or network action fails here until it has its
 * sentence in English and in French.
 */
const EXAMPLES: Record<
  string,
  { event: Partial<TEventLike>; text: Record<TLocale, string>; links: string[] }[]
> = {
  state: [
    {
      event: { state: "RUNNING" },
      text: { en: "web1 is running", fr: "web1 est en marche" },
      links: ["/containers/web1"],
    },
    {
      event: { state: "STOPPED" },
      text: { en: "web1 stopped", fr: "web1 s’est arrêté" },
      links: ["/containers/web1"],
    },
    {
      event: { state: "FROZEN" },
      text: { en: "web1 is frozen", fr: "web1 est gelé" },
      links: ["/containers/web1"],
    },
  ],
  exit: [
    {
      event: { type: "exit", data: { status: 256 } },
      text: {
        en: "The init of web1 exited with status 256",
        fr: "Le processus init de web1 s’est terminé avec le code 256",
      },
      links: ["/containers/web1"],
    },
  ],
  operation: [
    {
      event: { type: "operation", data: { action: "containers.start", result: "ok" } },
      text: { en: "alice started web1", fr: "alice a démarré web1" },
      links: ["/containers/web1"],
    },
    {
      event: {
        type: "operation",
        data: { action: "containers.start", result: "error", error: "lxc-start failed" },
      },
      text: {
        en: "alice could not start web1: lxc-start failed",
        fr: nbsp("alice n’a pas pu démarrer web1_: lxc-start failed"),
      },
      links: ["/containers/web1"],
    },
    {
      event: { type: "operation", data: { action: "containers.destroy", result: "ok" } },
      text: { en: "alice destroyed web1", fr: "alice a détruit web1" },
      links: [],
    },
    {
      event: { type: "operation", data: { action: "console.open", result: "ok", kind: "console" } },
      text: { en: "alice opened the console of web1", fr: "alice a ouvert la console de web1" },
      links: ["/containers/web1"],
    },
    {
      event: { type: "operation", data: { action: "console.takeover", result: "ok", kind: "shell" } },
      text: {
        en: "alice took over a shell session in web1",
        fr: "alice a pris la main sur une session shell de web1",
      },
      links: ["/containers/web1"],
    },
    {
      event: { type: "operation", data: { action: "files.write", result: "ok", path: "/etc/fstab" } },
      text: { en: "alice saved /etc/fstab in web1", fr: "alice a enregistré /etc/fstab dans web1" },
      links: ["/containers/web1"],
    },
    {
      event: { type: "operation", data: { action: "services.stop", result: "ok", service: "ssh" } },
      text: { en: "alice stopped the service ssh in web1", fr: "alice a arrêté le service ssh dans web1" },
      links: ["/containers/web1"],
    },
    {
      event: {
        type: "operation",
        data: { action: "files.rename", result: "error", path: "/a", to: "/b", error: "exists" },
      },
      text: {
        en: "alice could not rename /a to /b in web1: exists",
        fr: nbsp("alice n’a pas pu renommer /a en /b dans web1_: exists"),
      },
      links: ["/containers/web1"],
    },
    {
      event: {
        type: "operation",
        data: { action: "services.enable", result: "error", service: "ssh", error: "no admin ticket" },
      },
      text: {
        en: "alice could not enable the service ssh in web1: no admin ticket",
        fr: nbsp("alice n’a pas pu activer le service ssh dans web1_: no admin ticket"),
      },
      links: ["/containers/web1"],
    },
    {
      event: { type: "operation", data: { action: "console.end", result: "ok" } },
      text: {
        en: "A shell session of alice in web1 ended",
        fr: "Une session shell de alice dans web1 s’est terminée",
      },
      links: ["/containers/web1"],
    },
  ],
  oom: [
    {
      event: { type: "oom", data: { kills: 1, message: "a process was killed: out of memory" } },
      text: {
        en: "Out of memory in web1: the kernel killed a process",
        fr: nbsp("Mémoire épuisée dans web1_: le noyau a tué un processus"),
      },
      links: ["/containers/web1"],
    },
    {
      event: { type: "oom", data: { kills: 3 } },
      text: {
        en: "Out of memory in web1: the kernel killed 3 processes",
        fr: nbsp("Mémoire épuisée dans web1_: le noyau a tué 3 processus"),
      },
      links: ["/containers/web1"],
    },
  ],
  resync: [
    {
      event: { type: "resync", container: null, actor: null, data: { message: "x" } },
      text: {
        en: "lxc-monitor restarted; the state of every container was read again",
        fr: nbsp("lxc-monitor a redémarré_; l’état de chaque conteneur a été relu"),
      },
      links: [],
    },
  ],
  monitor: [
    {
      event: {
        type: "monitor",
        container: null,
        actor: null,
        data: { message: "lxc-monitor exited (code 1); restarting in 1000 ms" },
      },
      text: {
        en: "The state monitor stopped: lxc-monitor exited (code 1); restarting in 1000 ms",
        fr: nbsp("Le moniteur d’état s’est arrêté_: lxc-monitor exited (code 1); restarting in 1000 ms"),
      },
      links: [],
    },
  ],
  network: [
    {
      event: { type: "network", container: null, data: { action: "apply", state: "applied" } },
      text: { en: "alice changed the host's network", fr: "alice a modifié le réseau de l’hôte" },
      links: ["/network"],
    },
    {
      event: { type: "network", container: null, data: { action: "nat.start", state: "running" } },
      text: { en: "alice started the NAT network", fr: "alice a démarré le réseau NAT" },
      links: ["/network"],
    },
  ],
  job: [
    {
      event: {
        type: "job",
        container: "db2",
        data: { jobId: JOB_ID, kind: "clone", source: "db1", state: "succeeded", seconds: 4 },
      },
      text: { en: "Cloning db1 as db2 finished in 4 s", fr: nbsp("Clonage de db1 en db2 terminé en 4_s") },
      links: ["/containers/db2", `/jobs?id=${JOB_ID}`],
    },
  ],
};

/**
 * The container router's mutations: each route it wires (`start: startContainerRoute,`), found in the file it imports
 * it from, unless its definition there is a query (`.query(`; a mutation may be made by a helper, lifecycleRoute).
 */
const containerMutations = () => {
  const dir = "server/trpc/routers/containers";
  const routes = source(`${dir}/router.ts`);
  const fileOf = new Map<string, string>();
  for (const [, names = "", file = ""] of routes.matchAll(/^import \{([^}]+)\} from "\.\/([\w-]+)";$/gm))
    for (const name of names.split(",")) fileOf.set(name.trim(), `${dir}/${file}.ts`);
  return [...routes.matchAll(/^\s+(\w+): (\w+Route),$/gm)].flatMap(([, name = "", route = ""]) => {
    const file = fileOf.get(route);
    if (!file) throw new Error(`${route} is not imported from a file of ${dir}`);
    // The route's definition: from its `export const` to the next export.
    const [, definition = ""] = source(file).split(new RegExp(`^export const ${route}\\b`, "m"));
    if (!definition) throw new Error(`${file} does not export ${route}`);
    return (definition.split(/^export /m)[0] ?? "").includes(".query(") ? [] : [name];
  });
};

const CASES = LOCALES.flatMap((locale) =>
  Object.entries(EXAMPLES).flatMap(([type, list]) => list.map((example) => [locale, type, example] as const)),
);

describe("eventSentence", () => {
  it("has an example of every event type the server publishes", () => {
    const union = /export type TEventType = ([^;]+);/.exec(source("server/events/bus.ts"))?.[1] ?? "";
    const types = literals(union);
    expect(types.length).toBeGreaterThan(0);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...types].sort());
  });

  it.each(CASES)("says a %s %s event in words, with its links", (locale, _type, example) => {
    const sentence = say(locale, example.event);
    expect(sentence.text).toBe(example.text[locale]);
    expect(sentence.links.map((link) => link.href)).toEqual(example.links);
  });

  it.each(LOCALES)(
    "has a sentence in %s, ok and failed, for every container mutation the panel publishes as an operation",
    (locale) => {
      const mutations = containerMutations();
      expect(mutations).toContain("start");
      expect(mutations).toContain("convert");
      expect(mutations).not.toContain("isolation");
      expect(mutations).not.toContain("get");
      const seen = new Set<string>();
      for (const action of mutations) {
        for (const result of ["ok", "error"]) {
          const sentence = say(locale, {
            type: "operation",
            data: { action: `containers.${action}`, result, error: "boom" },
          });
          expect(sentence.id, `containers.${action} ${result}`).toBe(`operation.${action}.${result}`);
          expect(sentence.text).toContain("alice");
          expect(sentence.text).toContain("web1");
          if (result === "error") expect(sentence.text).toContain("boom");
          seen.add(sentence.text);
        }
      }
      // Each its own words.
      expect(seen.size).toBe(mutations.length * 2);
    },
  );

  it.each(LOCALES)(
    "has a subject, and every state's sentence in %s, for every job kind the server starts",
    (locale) => {
      const kinds = new Set(
        serverFiles("server")
          .map(source)
          .filter((text) => text.includes("startLockedJob(") || text.includes("jobs.start("))
          .flatMap((text) => text.split("\n").filter((line) => /^\s+kind: /.test(line)))
          .flatMap(literals),
      );
      expect([...kinds].sort()).toEqual([
        "autostart",
        "clone",
        "convert",
        "create",
        "packages",
        "restore",
        "restore-new",
        "snapshot",
      ]);
      const unknown = (state: string) => job(locale, "teleport", { state, error: "no space left" }).text;
      for (const kind of kinds) {
        const data = { source: "db1", snapshot: "snap0", to: "privileged" };
        const started = job(locale, kind, { ...data, state: "running", progress: 0 });
        expect(started.id).toBe("job.started");
        expect(started.text).toMatch(/^alice /);
        expect(job(locale, kind, { ...data, state: "running", progress: 40, phase: "copying" }).id).toBe(
          "job.progress",
        );
        for (const state of ["succeeded", "failed", "cancelled", "interrupted"]) {
          const sentence = job(locale, kind, { ...data, state, error: "no space left" });
          expect(sentence.id).toBe(`job.${state}`);
          expect(sentence.text).toMatch(/^\p{Lu}/u);
          // An autostart run is about no one container.
          if (kind !== "autostart") expect(sentence.text).toContain("web1");
          // The kind's own subject, not the words of a job Atelier does not know.
          expect(sentence.text).not.toBe(unknown(state).replace("teleport", kind));
          if (kind === "clone" || kind === "restore-new") expect(sentence.text).toContain("db1");
          if (kind === "restore" || kind === "restore-new") expect(sentence.text).toContain("snap0");
          if (kind === "convert")
            expect(sentence.text).toContain({ en: "privileged", fr: "privilégié" }[locale]);
          if (state === "failed") expect(sentence.text).toContain("no space left");
        }
      }
    },
  );

  it.each(LOCALES)(
    "has a sentence in %s for every action and state of the host network the server publishes",
    (locale) => {
      const text = serverFiles("server/host-network").map(source).join("\n");
      const actions = new Set([...text.matchAll(/action: "([a-z.-]+)"/g)].map((match) => match[1] ?? ""));
      expect([...actions].sort()).toEqual([
        "apply",
        "confirm",
        "nat.configure",
        "nat.start",
        "nat.stop",
        "rollback",
      ]);
      const pairs = [
        ["apply", "applied"],
        ["apply", "pending"],
        ["apply", "failed"],
        ["confirm", "confirmed"],
        ["rollback", "rolled-back"],
        ["nat.configure", "stopped"],
        ["nat.start", "running"],
        ["nat.stop", "stopped"],
      ];
      for (const [action, state] of pairs) {
        const sentence = say(locale, {
          type: "network",
          container: null,
          data: { action, state, message: "Rolled back by alice." },
        });
        expect(sentence.id, `${action} ${state}`).not.toBe("network.other");
        expect(sentence.links).toEqual([
          { href: "/network", label: { en: "Network", fr: "Réseau" }[locale] },
        ]);
      }
    },
  );

  it("reads the job sentences as they happen", () => {
    const both = (kind: string, data: Record<string, unknown>, container?: string) =>
      LOCALES.map((locale) => job(locale, kind, data, container).text);
    expect(both("create", { state: "running", progress: 0 }, "web3")).toEqual([
      "alice started creating web3",
      "alice a lancé la création de web3",
    ]);
    expect(both("create", { state: "running", progress: 40, phase: "downloading" }, "web3")).toEqual([
      "Creating web3: downloading, 40 %",
      nbsp("Création de web3_: downloading, 40_%"),
    ]);
    expect(both("create", { state: "running", progress: null, phase: "copying" }, "web3")).toEqual([
      "Creating web3: copying",
      nbsp("Création de web3_: copying"),
    ]);
    expect(both("create", { state: "failed", error: "debootstrap failed" }, "web3")).toEqual([
      "Creating web3 failed: debootstrap failed",
      nbsp("Échec de la création de web3_: debootstrap failed"),
    ]);
    expect(both("snapshot", { state: "cancelled" })).toEqual([
      "Snapshotting web1 was cancelled",
      "Instantané de web1 annulé",
    ]);
    expect(both("restore", { state: "interrupted", snapshot: "snap0" })).toEqual([
      "Restoring web1 from its snapshot snap0 was interrupted by a restart of Atelier",
      "Restauration de web1 depuis son instantané snap0 interrompue par un redémarrage d’Atelier",
    ]);
    expect(both("restore-new", { state: "succeeded", source: "db1", snapshot: "snap0" }, "db3")).toEqual([
      "Making db3 from db1's snapshot snap0 finished",
      "Création de db3 depuis l’instantané snap0 de db1 terminée",
    ]);
    expect(both("convert", { state: "running", progress: 0, to: "unprivileged" })).toEqual([
      "alice started converting web1 to unprivileged",
      "alice a lancé la conversion de web1 en conteneur non privilégié",
    ]);
    expect(both("convert", { state: "succeeded", to: "privileged", seconds: 2 })).toEqual([
      "Converting web1 to privileged finished in 2 s",
      nbsp("Conversion de web1 en conteneur privilégié terminée en 2_s"),
    ]);
    expect(both("convert", { state: "failed", to: "unprivileged", error: "no range left" })).toEqual([
      "Converting web1 to unprivileged failed: no range left",
      nbsp("Échec de la conversion de web1 en conteneur non privilégié_: no range left"),
    ]);
    expect(both("autostart", { state: "running", progress: 0, action: "start" })).toEqual([
      "alice started starting the autostart containers",
      "alice a lancé le démarrage des conteneurs à démarrage automatique",
    ]);
    expect(both("autostart", { state: "failed", action: "stop", error: "1 container failed" })).toEqual([
      "Stopping the autostart containers failed: 1 container failed",
      nbsp("Échec de l’arrêt des conteneurs à démarrage automatique_: 1 container failed"),
    ]);
    expect(both("clone", { state: "running", progress: 12.5 }, "db2")).toEqual([
      "Cloning ? as db2: 12.5 %",
      nbsp("Clonage de ? en db2_: 12,5_%"),
    ]);
  });

  it("names who did it beside the sentence only when the sentence does not", () => {
    for (const locale of LOCALES) {
      expect(say(locale, { type: "operation", data: { action: "containers.start", result: "ok" } }).by).toBe(
        null,
      );
      expect(job(locale, "create", { state: "succeeded" }).by).toBe("alice");
      expect(say(locale, { state: "RUNNING", actor: null }).by).toBe(null);
    }
  });

  it("reads the events list's JSON text as well as the stream's objects", () => {
    const sentence = say("en", {
      type: "operation",
      data: JSON.stringify({ action: "containers.stop", result: "ok" }),
    });
    expect(sentence.text).toBe("alice stopped web1");
    expect(say("en", { type: "exit", data: "{not json" }).text).toBe("The init of web1 exited with status ?");
    expect(say("fr", { type: "exit", data: "{not json" }).text).toBe(
      "Le processus init de web1 s’est terminé avec le code ?",
    );
  });

  it("is never blank, for an unknown type or an operation, job or state it does not know", () => {
    const both = (overrides: Partial<TEventLike>) => LOCALES.map((locale) => say(locale, overrides).text);
    expect(both({ type: "teleport", container: null, actor: null })).toEqual([
      "An event of type teleport about the host",
      "Un événement de type teleport concernant l’hôte",
    ]);
    expect(
      both({ type: "operation", actor: null, data: { action: "containers.teleport", result: "ok" } }),
    ).toEqual(["someone ran teleport on web1", "quelqu’un a lancé teleport sur web1"]);
    expect(LOCALES.map((locale) => job(locale, "teleport", { state: "succeeded", seconds: 2 }).text)).toEqual(
      ["The teleport job on web1 finished in 2 s", nbsp("Tâche teleport sur web1 terminée en 2_s")],
    );
    expect(both({ state: "WEIRD" })).toEqual([
      "web1 changed state to WEIRD",
      "web1 est passé à l’état WEIRD",
    ]);
    expect(both({ type: "network", data: { action: "teleport", state: "done" } })).toEqual([
      "The host's network: teleport, done",
      nbsp("Réseau de l’hôte_: teleport, done"),
    ]);
  });

  it("speaks the page's language when no translator is given, English outside a browser", () => {
    expect(eventSentence(event({ state: "RUNNING" })).text).toBe("web1 is running");
  });
});
