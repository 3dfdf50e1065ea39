import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { attach, startThroughApi, stopThroughApi } from "../containers";
import { download, upload } from "../files";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { createBusybox, snapshotTree } from "../security/helpers";

/**
 * A hostile guest's links against the files API (issue #26): inside a busybox container, `etc/evil -> /etc/shadow`,
 * `mnt/up -> ../../../..`, `rootlink -> /`, a link to a canary file of the host (useServer's hostDir, outside every
 * rootfs) by its host path, and links through the container's /proc (`/proc/self/root`: for a process of the host,
 * the host's root). Every route of the files API is driven through them, for a stopped container (its rootfs) and
 * a running one (its init's root): each answer is the container's own file or a refusal, never the host's (the
 * host's /etc/shadow text and the canary's never appear), and the host's files keep their bytes, modes, owners and
 * times.
 */
// The default way: unprivileged, its root filesystem mounted idmapped (changes to it running are made inside it).
const server = useServer({ timeoutMs: 5 * 60_000, hostDir: true });
const { made, hostDir } = server;

const CANARY_TEXT = `HOST-CANARY-${process.pid}-${Date.now()}`;
const canaryPath = () => path.join(hostDir, "canary.txt");

const hostShadowMarks = async () => {
  const text = await readFile("/etc/shadow", "utf8");
  // Lines with a hash or a lock: the host's, which a guest's empty or different shadow never holds.
  return text.split("\n").filter((line) => line.includes(":") && line.length > 8);
};

const hostState = async () => {
  const shadow = await stat("/etc/shadow");
  const canary = await stat(canaryPath());
  return {
    tree: await snapshotTree(hostDir),
    shadow: {
      mode: shadow.mode,
      uid: shadow.uid,
      gid: shadow.gid,
      mtime: shadow.mtimeMs,
      size: shadow.size,
      sha256: createHash("sha256")
        .update(await readFile("/etc/shadow"))
        .digest("hex"),
    },
    canary: { mode: canary.mode, uid: canary.uid, mtime: canary.mtimeMs },
  };
};

const call = (procedure: string, input: unknown, kind: "query" | "mutation") =>
  callProcedure(server, `files.${procedure}`, input, { kind, as: "admin" });

/** Whatever an answer carries, as text: the host's secrets must appear in none of it. */
const textOf = (value: unknown) =>
  Buffer.isBuffer(value) ? value.toString("latin1") : JSON.stringify(value ?? null);

const LINKS = [
  "ln -s /etc/shadow /etc/evil",
  "ln -s ../../../.. /mnt/up",
  "ln -s / /rootlink",
  "ln -s /proc/self/root /etc/selfroot",
];

describe.each(["stopped", "running"] as const)("a hostile guest's links, %s", (variant) => {
  let name: string;
  let marks: string[];
  let before: Awaited<ReturnType<typeof hostState>>;

  beforeAll(async () => {
    await writeFile(canaryPath(), `${CANARY_TEXT}\n`, { mode: 0o644 }).catch(() => undefined);
    name = await createBusybox(server);
    made.push(name);
    await startThroughApi(server, name);
    const script = [...LINKS, `ln -s ${canaryPath()} /etc/canary`].join(" && ");
    const linked = await attach(name, ["sh", "-c", script]);
    expect(linked.exitCode, linked.stderr).toBe(0);
    if (variant === "stopped") await stopThroughApi(server, name);
    marks = await hostShadowMarks();
    expect(marks.length).toBeGreaterThan(0);
    before = await hostState();
  });

  const expectNoHostData = (value: unknown, where: string) => {
    const text = textOf(value);
    expect(text.includes(CANARY_TEXT), `${where}: the host's canary`).toBe(false);
    for (const mark of marks) expect(text.includes(mark), `${where}: the host's /etc/shadow`).toBe(false);
  };

  // Paths that reach the host if anything on the way resolves a link on the host's side.
  const hostward = () => [
    "/etc/evil",
    "/etc/canary",
    "/etc/selfroot/etc/shadow",
    `/etc/selfroot${canaryPath()}`,
    "/proc/self/root/etc/shadow",
    `/proc/self/root${canaryPath()}`,
    "/proc/1/root/etc/shadow",
    "/mnt/up/etc/shadow",
    `/mnt/up${canaryPath()}`,
    "/mnt/up/mnt/up/etc/shadow",
    "/rootlink/etc/shadow",
    `/rootlink${canaryPath()}`,
  ];

  it("reads, lists, downloads and tars only the container's files through the links", async () => {
    for (const guestPath of hostward()) {
      const read = await call("read", { name, path: guestPath }, "query");
      expectNoHostData(read, `files.read ${guestPath}`);
      if (read.status === 200 && guestPath.endsWith("shadow"))
        // The guest's shadow: busybox's template leaves it empty.
        expect((read.data as { content: string }).content, guestPath).toBe("");
      expectNoHostData(await call("stat", { name, path: guestPath }, "query"), `files.stat ${guestPath}`);
      const got = await download(server, name, guestPath, { as: "admin" });
      expectNoHostData(got.body, `GET ${guestPath}`);
    }
    const rootNames = (
      (await call("list", { name, path: "/" }, "query")).data as { entries: { name: string }[] }
    ).entries
      .map((entry) => entry.name)
      .sort();
    expect(rootNames).toEqual(expect.arrayContaining(["bin", "etc", "rootlink"]));
    for (const guestPath of [
      "/mnt/up",
      "/rootlink",
      "/mnt/up/mnt/up",
      "/etc/selfroot",
      "/proc/self/root",
      path.dirname(`/rootlink${canaryPath()}`),
    ]) {
      const listed = await call("list", { name, path: guestPath }, "query");
      expectNoHostData(listed, `files.list ${guestPath}`);
      if (listed.status === 200)
        // A link to the root lists the container's root, never the host's.
        expect(
          (listed.data as { entries: { name: string }[] }).entries.map((entry) => entry.name).sort(),
          guestPath,
        ).toEqual(rootNames);
    }
    for (const guestPath of [
      "/mnt/up/etc",
      "/rootlink/etc",
      "/etc/selfroot/etc",
      path.dirname(`/mnt/up${canaryPath()}`),
    ]) {
      const tarred = await download(server, name, guestPath, { as: "admin" });
      expectNoHostData(tarred.body, `GET (tar) ${guestPath}`);
    }
  });

  it("writes, uploads, renames, deletes, chmods and chowns nothing of the host through the links", async () => {
    const attack = "ATTACK\n";
    for (const guestPath of hostward()) {
      const where = (op: string) => `${op} ${guestPath}`;
      expectNoHostData(
        await call("chmod", { name, path: guestPath, mode: 0o777 }, "mutation"),
        where("chmod"),
      );
      expectNoHostData(
        await call("chown", { name, path: guestPath, user: "1000", group: "1000" }, "mutation"),
        where("chown"),
      );
      expectNoHostData(
        await call("rename", { name, from: guestPath, to: `/tmp/stolen-${Date.now()}` }, "mutation"),
        where("rename from"),
      );
    }
    for (const guestPath of hostward()) {
      const where = (op: string) => `${op} ${guestPath}`;
      expectNoHostData(
        await call("write", { name, path: guestPath, content: attack }, "mutation"),
        where("write"),
      );
      expectNoHostData(
        await upload(server, name, guestPath, Buffer.from(attack), { as: "admin" }),
        where("upload"),
      );
    }
    // Into a host directory by a link's way: the new name must land in the container or nowhere.
    expect((await call("write", { name, path: "/tmp/moving", content: "m" }, "mutation")).status).toBe(200);
    for (const to of [
      `/mnt/up${hostDir}/moved`,
      `/rootlink${hostDir}/moved`,
      `/etc/selfroot${hostDir}/moved`,
    ])
      await call("rename", { name, from: "/tmp/moving", to }, "mutation");
    for (const guestPath of [...hostward(), `/mnt/up${hostDir}`, `/rootlink${hostDir}`])
      await call("delete", { name, path: guestPath, recursive: true }, "mutation");

    const after = await hostState();
    expect(after).toEqual(before);
    expect(await readFile(canaryPath(), "utf8")).toBe(`${CANARY_TEXT}\n`);
  });
});
