import { describe, expect, it } from "vitest";
import { createTranslator } from "use-intl/core";
import { MESSAGES } from "@/server/i18n/messages";
import { ZCreateForm } from "@/server/schemas/create-container";
import {
  emptyDraft,
  errorUnder,
  errorsOf,
  fromForm,
  summaryValues,
  toForm,
  updateDraft,
  type TDraft,
} from "./creation-sections-draft";

const draft = (change: Partial<TDraft>): TDraft => updateDraft(emptyDraft, change);

describe("toForm", () => {
  it("gives only the root filesystem for an untouched draft", () => {
    expect(toForm(emptyDraft)).toEqual({ rootfs: { kind: "busybox" } });
  });

  it("sends an import draft as busybox (the page sends the imported config itself)", () => {
    expect(toForm(draft({ kind: "import" })).rootfs).toEqual({ kind: "busybox" });
  });

  it("trims the mirror and splits the packages", () => {
    expect(
      toForm(draft({ kind: "debian", mirror: " http://m/debian ", packages: " vim, ,curl ," })).rootfs,
    ).toEqual({
      kind: "debian",
      release: "bookworm",
      arch: "amd64",
      mirror: "http://m/debian",
      packages: ["vim", "curl"],
    });
  });

  it("gives a tarball's trimmed path and a clone's source and overlay", () => {
    expect(toForm(draft({ kind: "tarball", path: " /imports/a.tar " })).rootfs).toEqual({
      kind: "tarball",
      path: "/imports/a.tar",
    });
    expect(toForm(draft({ kind: "clone", source: "base", overlay: true })).rootfs).toEqual({
      kind: "clone",
      source: "base",
      snapshot: true,
    });
  });

  it("leaves the network out unless chosen, and the addresses out of DHCP", () => {
    expect(toForm(draft({ bridge: "lxcbr0" })).network).toBeUndefined();
    expect(toForm(draft({ hasNetwork: true, bridge: "lxcbr0", ipv4: "10.0.3.9/24" })).network).toEqual({
      bridge: "lxcbr0",
      mode: "dhcp",
    });
  });

  it("gives a static address, and the gateway only when given", () => {
    const base = { hasNetwork: true, bridge: "lxcbr0", mode: "static" as const, ipv4: " 10.0.3.9/24 " };
    expect(toForm(draft(base)).network).toEqual({ bridge: "lxcbr0", mode: "static", ipv4: "10.0.3.9/24" });
    expect(toForm(draft({ ...base, gateway: " 10.0.3.1 " })).network).toEqual({
      bridge: "lxcbr0",
      mode: "static",
      ipv4: "10.0.3.9/24",
      gateway: "10.0.3.1",
    });
  });

  it("reads blank limits as not given (never as 0), and numbers as numbers", () => {
    expect(toForm(draft({ memoryMiB: "  ", cpuset: " " })).limits).toBeUndefined();
    expect(toForm(draft({ memoryMiB: "256", pids: "100", cpuset: " 0-1 " })).limits).toEqual({
      memoryMiB: 256,
      cpuShares: undefined,
      cpuset: "0-1",
      pids: 100,
    });
  });

  it("passes a number that does not parse on as NaN, for the schema to refuse", () => {
    expect(toForm(draft({ memoryMiB: "lots" })).limits?.memoryMiB).toBeNaN();
  });

  it("gives autostart only when on, with its order, delay and groups", () => {
    expect(toForm(draft({ order: "3" })).autostart).toBeUndefined();
    expect(toForm(draft({ autostart: true, order: "3", groups: "web, db" })).autostart).toEqual({
      enabled: true,
      order: 3,
      delay: undefined,
      groups: ["web", "db"],
    });
  });

  it("keeps the password as typed and trims the key; no access part when neither is given", () => {
    expect(toForm(draft({ sshKey: "  " })).access).toBeUndefined();
    expect(toForm(draft({ rootPassword: " secret  ", sshKey: " ssh-ed25519 AAAA x " })).access).toEqual({
      rootPassword: " secret  ",
      sshKey: "ssh-ed25519 AAAA x",
    });
  });

  it("says privileged only once chosen (unset, the host's default), true or false", () => {
    expect(toForm(emptyDraft).privileged).toBeUndefined();
    expect(toForm(draft({ privileged: true })).privileged).toBe(true);
    expect(toForm(draft({ privileged: false })).privileged).toBe(false);
  });

  it("makes what the procedure's schema accepts", () => {
    const full = draft({
      kind: "debian",
      packages: "vim",
      hasNetwork: true,
      bridge: "lxcbr0",
      mode: "static",
      ipv4: "10.0.3.9/24",
      gateway: "10.0.3.1",
      memoryMiB: "256",
      autostart: true,
      delay: "5",
      rootPassword: "long enough",
      privileged: false,
    });
    expect(ZCreateForm.safeParse(toForm(full)).success).toBe(true);
  });
});

describe("fromForm", () => {
  it("brings a saved form back into the same draft, without the root password", () => {
    const full = draft({
      kind: "debian",
      release: "trixie",
      arch: "i386",
      packages: "vim, curl",
      hasNetwork: true,
      bridge: "lxcbr0",
      mode: "static",
      ipv4: "10.0.3.9/24",
      gateway: "10.0.3.1",
      memoryMiB: "256",
      cpuShares: "512",
      cpuset: "0-1",
      pids: "100",
      autostart: true,
      order: "2",
      delay: "5",
      groups: "web, db",
      rootPassword: "long enough",
      sshKey: "ssh-ed25519 AAAA x",
      privileged: true,
    });
    expect(fromForm(toForm(full))).toEqual({ ...full, rootPassword: "" });
  });

  it("fills what a form leaves out with the empty draft's values", () => {
    expect(fromForm({})).toEqual(emptyDraft);
    expect(fromForm({ rootfs: { kind: "debian" } })).toEqual(draft({ kind: "debian" }));
  });

  it("round-trips a clone with its overlay", () => {
    const clone = draft({ kind: "clone", source: "base", overlay: true });
    expect(fromForm(toForm(clone))).toEqual(clone);
  });
});

describe("errors", () => {
  it("keys a schema's issues by their dotted path", () => {
    expect(
      errorsOf([
        { path: ["network", "ipv4"], message: "a static address is needed" },
        { path: ["rootfs", "packages", 1], message: "bad" },
      ]),
    ).toEqual({ "network.ipv4": "a static address is needed", "rootfs.packages.1": "bad" });
  });

  it("finds the first error of a list field's entries", () => {
    const errors = { "rootfs.mirror": "no", "rootfs.packages.1": "first", "rootfs.packages.3": "second" };
    expect(errorUnder(errors, "rootfs.packages")).toBe("first");
    expect(errorUnder(errors, "autostart.groups")).toBeNull();
  });
});

describe("the summary", () => {
  const say = (locale: "en" | "fr", name: string, change: Partial<TDraft> = {}) =>
    createTranslator({ locale, messages: MESSAGES[locale], namespace: "creation.summary" })(
      "sentence",
      summaryValues(name, draft(change)),
    );

  it("names the container and its root filesystem", () => {
    expect(say("en", "")).toBe("(no name yet): busybox; unprivileged.");
    expect(say("en", "web", { kind: "debian", release: "trixie", arch: "i386" })).toBe(
      "web: Debian trixie i386; unprivileged.",
    );
    expect(say("en", "web", { kind: "tarball" })).toBe("web: tarball; unprivileged.");
  });

  it("says what a clone is of, and which access is set up", () => {
    expect(say("en", "web", { kind: "clone" })).toBe("web: clone; unprivileged.");
    expect(say("en", "web", { kind: "clone", source: "base" })).toBe("web: clone of base; unprivileged.");
    expect(
      say("en", "web", { kind: "clone", source: "base", overlay: true, rootPassword: "x", sshKey: "k" }),
    ).toBe("web: clone of base (overlay); a root password; an SSH key for root; unprivileged.");
  });

  it("says whether the container is privileged", () => {
    expect(say("en", "web", { privileged: true })).toBe("web: busybox; privileged.");
    expect(say("fr", "web", { privileged: true })).toBe("web\u00a0: busybox\u00a0; privilégié.");
  });

  it("says it in French", () => {
    expect(say("fr", "")).toBe("(pas encore de nom)\u00a0: busybox\u00a0; non privilégié.");
    expect(say("fr", "web", { kind: "clone", source: "base", overlay: true, sshKey: "k" })).toBe(
      "web\u00a0: clone de base (overlay)\u00a0; une clé SSH pour root\u00a0; non privilégié.",
    );
  });
});
