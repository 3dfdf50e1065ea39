import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { lxcPath, lxcState, uniqueName } from "../lxc-oracle";
import { startTestMirror } from "../mirror";
import { jobProcessGroup, processesInGroup } from "../processes";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Provisioning against real LXC: every root filesystem provider makes a container that starts, jobs report progress,
 * can be cancelled mid-debootstrap and are interrupted by a restart, leaving nothing behind; snapshots and types.
 * Debian comes from the run's template cache (a bookworm made once by scripts/lib/setup.sh, where the mirror is
 * reachable); "a mirror" that never answers is a server on this namespace's loopback.
 */
let mirror: Awaited<ReturnType<typeof startTestMirror>>;
const server = useServer({ afterStop: async () => mirror?.close() });
const created = server.made;

type TJob = {
  id: string;
  state: string;
  progress: number | null;
  phase: string | null;
  error: string | null;
  result: unknown;
  log: string[];
};
const job = async (id: string) =>
  (await callProcedure(server, "jobs.get", { id }, { kind: "query", as: "viewer" })).data as TJob;
const waitJob = async (id: string, ms = 120_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const current = await job(id);
    if (current.state !== "running") return current;
    if (Date.now() > deadline) throw new Error(`job ${id} still running: ${current.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
};
const create = async (input: Record<string, unknown>, as: "operator" | "admin" = "operator") => {
  const name = (input.name as string | undefined) ?? uniqueName("prov");
  created.push(name);
  const response = await callProcedure(server, "containers.create", { name, ...input }, { as });
  return { name, response, jobId: (response.data as { jobId?: string } | undefined)?.jobId ?? "" };
};
const createAndWait = async (input: Record<string, unknown>, as: "operator" | "admin" = "operator") => {
  const made = await create(input, as);
  expect(made.response.status, JSON.stringify(made.response.error)).toBe(200);
  const finished = await waitJob(made.jobId);
  expect(finished.state, `${finished.error}\n${finished.log.slice(-20).join("\n")}`).toBe("succeeded");
  return made.name;
};
const startAndCheck = async (name: string) => {
  const started = await callProcedure(server, "containers.start", { name });
  expect(started.status, JSON.stringify(started.error)).toBe(200);
  expect(await lxcState(name)).toBe("RUNNING");
};
const configOf = (name: string) => readFile(path.join(lxcPath(), name, "config"), "utf8");
const exists = async (file: string) => (await stat(file).catch(() => null)) !== null;
const processesMentioning = async (text: string) =>
  (await execa("pgrep", ["-af", text], { reject: false })).stdout
    .split("\n")
    .filter((line) => line && !line.includes("pgrep"));

beforeAll(async () => {
  mirror = await startTestMirror();
});

describe("root filesystem providers", () => {
  it("busybox, with a static address, limits, autostart and an SSH key, answers with a job at once and starts", async () => {
    const made = await create({
      rootfs: { kind: "busybox" },
      network: { bridge: "atbr0", mode: "static", ipv4: "10.213.0.81/24", gateway: "10.213.0.1" },
      limits: { memoryMiB: 128, pids: 200, cpuShares: 512 },
      autostart: { enabled: true, order: 5, delay: 2, groups: ["web"] },
      access: { sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8x atelier-test" },
    });
    expect(made.response.status).toBe(200);
    const finished = await waitJob(made.jobId);
    expect(finished).toMatchObject({ state: "succeeded", progress: 100, result: { name: made.name } });
    const config = await configOf(made.name);
    for (const line of [
      "lxc.net.0.link = atbr0",
      "lxc.net.0.ipv4.address = 10.213.0.81/24",
      "lxc.net.0.ipv4.gateway = 10.213.0.1",
      "lxc.cgroup.memory.limit_in_bytes = 134217728",
      "lxc.cgroup.pids.max = 200",
      "lxc.cgroup.cpu.shares = 512",
      "lxc.start.auto = 1",
      "lxc.start.order = 5",
      "lxc.start.delay = 2",
      "lxc.group = web",
    ])
      expect(config).toContain(line);
    expect(await readFile(path.join(lxcPath(), made.name, "rootfs/root/.ssh/authorized_keys"), "utf8")).toBe(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8x atelier-test\n",
    );
    await startAndCheck(made.name);
    const limit = await execa("lxc-cgroup", ["-P", lxcPath(), "-n", made.name, "memory.limit_in_bytes"]);
    expect(limit.stdout.trim()).toBe("134217728");
    const ping = await execa("busybox", ["ping", "-c", "1", "-W", "3", "10.213.0.81"], { reject: false });
    expect(ping.exitCode).toBe(0);
  });

  it("debian (from the template cache), with progress, a static address and a root password, reaches RUNNING", async () => {
    const made = await create({
      rootfs: { kind: "debian", release: "bookworm", arch: "amd64", mirror: mirror.url },
      network: { bridge: "atbr0", mode: "static", ipv4: "10.213.0.82/24", gateway: "10.213.0.1" },
      access: { rootPassword: "correct horse battery" },
    });
    expect(made.response.status, JSON.stringify(made.response.error)).toBe(200);
    // Locked while it is made: a second creation of the name, or a start, is refused.
    const again = await callProcedure(server, "containers.create", {
      name: made.name,
      rootfs: { kind: "busybox" },
    });
    expect(again.status).toBe(409);
    // Every observation in order (a Set would hide a step back to a value seen before).
    const seen: number[] = [];
    let current = await job(made.jobId);
    while (current.state === "running") {
      if (current.progress !== null) seen.push(current.progress);
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = await job(made.jobId);
    }
    expect(current.state, `${current.error}\n${current.log.slice(-20).join("\n")}`).toBe("succeeded");
    expect(current.log.join("\n")).toContain("Copying rootfs");
    // Progress moved through the template's steps, and never backwards.
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(
      seen.every((value, index) => index === 0 || value >= (seen[index - 1] ?? 0)),
      seen.join(" "),
    ).toBe(true);
    const rootfs = path.join(lxcPath(), made.name, "rootfs");
    expect(await readFile(path.join(rootfs, "etc/network/interfaces"), "utf8")).toContain(
      "iface eth0 inet manual",
    );
    const shadow = await readFile(path.join(rootfs, "etc/shadow"), "utf8");
    expect(shadow).toMatch(/^root:\$[^:]+:/m);
    await startAndCheck(made.name);
    // systemd comes up and the address LXC gave it answers.
    await expect
      .poll(
        async () =>
          (await execa("busybox", ["ping", "-c", "1", "-W", "1", "10.213.0.82"], { reject: false })).exitCode,
        {
          timeout: 20_000,
        },
      )
      .toBe(0);
    await callProcedure(server, "containers.stop", { name: made.name, force: true });
  });

  it("a tarball from the import directory, and a clone (full and overlay) of a stopped container", async () => {
    // Privileged (an admin's): lxc-copy cannot overlay an idmapped root filesystem.
    const source = await createAndWait({ rootfs: { kind: "busybox" }, privileged: true }, "admin");
    const imports = process.env.ATELIER_IMPORT_DIRS ?? "";
    const archive = path.join(imports, "busybox-rootfs.tar.gz");
    await execa("tar", [
      "-C",
      path.join(lxcPath(), source, "rootfs"),
      "--numeric-owner",
      "-czf",
      archive,
      ".",
    ]);
    const fromTarball = await createAndWait({ rootfs: { kind: "tarball", path: archive } });
    expect(await configOf(fromTarball)).toContain(`lxc.uts.name = ${fromTarball}`);
    await startAndCheck(fromTarball);

    const full = await createAndWait({ rootfs: { kind: "clone", source } });
    // A snapshot clone (overlay) cannot be mounted idmapped: an admin's privileged one.
    const overlay = await createAndWait(
      {
        rootfs: { kind: "clone", source, snapshot: true },
        access: { sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 overlay" },
        privileged: true,
      },
      "admin",
    );
    expect(await configOf(overlay)).toMatch(/lxc\.rootfs\.path = overlay/);
    await startAndCheck(full);
    await startAndCheck(overlay);
    // The key went into the overlay's upper layer: the clone sees it, the source does not.
    const key = await execa("lxc-attach", [
      "-P",
      lxcPath(),
      "-n",
      overlay,
      "--",
      "/bin/cat",
      "/root/.ssh/authorized_keys",
    ]);
    expect(key.stdout.trim()).toBe("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 overlay");
    expect(await exists(path.join(lxcPath(), source, "rootfs/root/.ssh/authorized_keys"))).toBe(false);
    const noPassword = await create(
      {
        rootfs: { kind: "clone", source, snapshot: true },
        access: { rootPassword: "long enough here" },
        privileged: true,
      },
      "admin",
    );
    expect(noPassword.response.error?.data.field).toBe("access.rootPassword");
    // A running source cannot be cloned: said before anything runs.
    const refused = await create({ rootfs: { kind: "clone", source: full } });
    expect(refused.response.status).toBe(412);
    expect(refused.response.error?.data.field).toBe("rootfs.source");
  });

  it("takes an uploaded archive into the import directory, for operators only, and creates from it", async () => {
    const source = await createAndWait({ rootfs: { kind: "busybox" } });
    const archive = await execa("tar", ["-C", path.join(lxcPath(), source, "rootfs"), "-cz", "."], {
      encoding: "buffer",
    });
    const upload = (role: "operator" | "viewer", filename: string) =>
      fetch(`${server.url}/api/uploads/rootfs?filename=${encodeURIComponent(filename)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.tokens[role]}` },
        body: new Blob([Buffer.from(archive.stdout)]),
      });
    expect((await upload("viewer", "rootfs.tar.gz")).status).toBe(403);
    expect((await upload("operator", "rootfs.sh")).status).toBe(400);
    const uploaded = await upload("operator", "../../my rootfs.tar.gz");
    expect(uploaded.status).toBe(200);
    const { path: stored } = (await uploaded.json()) as { path: string };
    expect(path.dirname(stored)).toBe(process.env.ATELIER_IMPORT_DIRS);
    expect(path.basename(stored)).toMatch(/^upload-[0-9a-f]{8}-my_rootfs\.tar\.gz$/);
    const made = await createAndWait({ rootfs: { kind: "tarball", path: stored } });
    await startAndCheck(made);
  });

  it("two creations of one name: one runs, the other is refused, and the container made is never touched", async () => {
    const name = uniqueName("race");
    created.push(name);
    const attempts = await Promise.all(
      [0, 1].map(() => callProcedure(server, "containers.create", { name, rootfs: { kind: "busybox" } })),
    );
    expect(attempts.map((attempt) => attempt.status).sort()).toEqual([200, 409]);
    const winner = attempts.find((attempt) => attempt.status === 200);
    expect((await waitJob((winner?.data as { jobId: string }).jobId)).state).toBe("succeeded");
    // Once it exists, another attempt is refused before anything runs, and cleans nothing up.
    const late = await callProcedure(server, "containers.create", { name, rootfs: { kind: "busybox" } });
    expect(late.status).toBe(409);
    expect(late.error?.data.field).toBe("name");
    await startAndCheck(name);
  });

  it("refuses bad inputs naming the field, and runs nothing", async () => {
    const before = (
      (await callProcedure(server, "jobs.list", undefined, { kind: "query", as: "viewer" })).data as unknown[]
    ).length;
    const entries = async () => (await execa("ls", [lxcPath()])).stdout;
    const listing = await entries();
    for (const [rootfs, field] of [
      [{ kind: "debian", mirror: "http://deb.debian.org/debian\nrm -rf /" }, "rootfs.mirror"],
      [{ kind: "debian", mirror: "http://deb.debian.org/debian;reboot" }, "rootfs.mirror"],
      [{ kind: "debian", mirror: "ftp://deb.debian.org/debian" }, "rootfs.mirror"],
      [{ kind: "debian", release: "sid; rm -rf /" }, "rootfs.release"],
      [{ kind: "debian", packages: ["vim", "curl;id"] }, "rootfs.packages.1"],
      [{ kind: "debian", arch: "--flush-cache" }, "rootfs.arch"],
      [{ kind: "tarball", path: "/etc/shadow.tar" }, "rootfs.path"],
      [{ kind: "tarball", path: "/tmp/../etc/x.tar" }, "rootfs.path"],
      [{ kind: "clone", source: "../x" }, "rootfs.source"],
      [{ kind: "clone", source: "does-not-exist" }, "rootfs.source"],
    ] as const) {
      const refused = await create({ rootfs });
      expect(refused.response.status, JSON.stringify(rootfs)).toBeGreaterThanOrEqual(400);
      expect(refused.response.status, JSON.stringify(rootfs)).toBeLessThan(500);
      expect(refused.response.error?.data.field, JSON.stringify(rootfs)).toBe(field);
    }
    const badNetwork = await create({ rootfs: { kind: "busybox" }, network: { bridge: "nope0" } });
    expect(badNetwork.response.error?.data.field).toBe("network.bridge");
    const badKey = await create({
      rootfs: { kind: "busybox" },
      access: { sshKey: "ssh-ed25519 AAAA\nroot:x" },
    });
    expect(badKey.response.error?.data.field).toBe("access.sshKey");
    expect(await entries()).toBe(listing);
    expect(
      (
        (await callProcedure(server, "jobs.list", undefined, { kind: "query", as: "viewer" }))
          .data as unknown[]
      ).length,
    ).toBe(before);
  });
});

describe("the template cache and the wizard's summary", () => {
  it("lists the cache with sizes, clears only its own entries, for admins; previews the config lines a form adds", async () => {
    const cache = (await callProcedure(server, "provision.cache", undefined, { kind: "query", as: "viewer" }))
      .data as {
      entries: { name: string; bytes: number | null; isPartial: boolean }[];
    };
    expect(cache.entries).toContainEqual(
      expect.objectContaining({ name: "rootfs-bookworm-amd64", isPartial: false }),
    );
    expect(cache.entries.find((entry) => entry.name === "rootfs-bookworm-amd64")?.bytes).toBeGreaterThan(
      100e6,
    );
    expect(
      (await callProcedure(server, "provision.clearCache", { entry: "rootfs-bookworm-amd64" })).status,
    ).toBe(403);
    const outside = await callProcedure(
      server,
      "provision.clearCache",
      { entry: "../../etc" },
      { as: "admin" },
    );
    expect(outside.status).toBe(400);

    const preview = await callProcedure(
      server,
      "provision.preview",
      {
        rootfs: { kind: "busybox" },
        network: { bridge: "atbr0", mode: "static", ipv4: "10.213.0.99/24" },
        limits: { memoryMiB: 32 },
      },
      { kind: "query", as: "operator" },
    );
    expect((preview.data as { added: string[] }).added).toEqual(
      expect.arrayContaining([
        "lxc.net.0.name = eth0",
        "lxc.net.0.hwaddr = (generated when it is created)",
        "lxc.net.0.ipv4.address = 10.213.0.99/24",
        "lxc.cgroup.memory.limit_in_bytes = 33554432",
      ]),
    );
  });
});

describe("jobs", () => {
  it("cancel mid-debootstrap kills it and leaves nothing behind", async () => {
    const heldBefore = mirror.held();
    const made = await create({ rootfs: { kind: "debian", release: "bullseye", mirror: mirror.url } });
    expect(made.response.status).toBe(200);
    // debootstrap itself is running, waiting on the "mirror".
    await expect.poll(() => mirror.held(), { timeout: 60_000 }).toBeGreaterThan(heldBefore);
    expect(await processesMentioning("debootstrap")).not.toEqual([]);
    // The job's whole process group (lxc-create, the template, debootstrap, wget...), by group, not by name.
    const pgid = await jobProcessGroup(server.databaseUrl, made.jobId);
    expect(pgid).not.toBeNull();
    expect((await processesInGroup(pgid ?? -1)).length).toBeGreaterThan(1);
    const cancelled = await callProcedure(server, "jobs.cancel", { id: made.jobId });
    expect(cancelled.status).toBe(200);
    expect(cancelled.data).toMatchObject({ state: "cancelled" });
    expect(await processesInGroup(pgid ?? -1)).toEqual([]);
    expect(await processesMentioning("debootstrap")).toEqual([]);
    expect(await processesMentioning(made.name)).toEqual([]);
    expect(await exists(path.join(lxcPath(), made.name))).toBe(false);
    expect(
      await exists(path.join(process.env.ATELIER_LXC_CACHE ?? "", "debian", "partial-bullseye-amd64")),
    ).toBe(false);
    expect(await lxcState(made.name)).toBe("MISSING");
    // Cancelling again says it is over.
    expect((await callProcedure(server, "jobs.cancel", { id: made.jobId })).status).toBe(412);
  });

  it("the web tier killed mid-job: the one the launcher starts again marks it interrupted and cleans up", async () => {
    const heldBefore = mirror.held();
    const made = await create({ rootfs: { kind: "debian", release: "bullseye", mirror: mirror.url } });
    await expect.poll(() => mirror.held(), { timeout: 60_000 }).toBeGreaterThan(heldBefore);
    const pgid = await jobProcessGroup(server.databaseUrl, made.jobId);
    expect(pgid).not.toBeNull();
    expect((await processesInGroup(pgid ?? -1)).length).toBeGreaterThan(1);
    // kill -9 of the web tier alone: the helper, its connection gone, cancels the call and kills the group.
    const helperBefore = await server.helperPid();
    await server.killWebTier();
    expect(await server.helperPid()).toBe(helperBefore);
    const after = await job(made.jobId);
    expect(after).toMatchObject({
      state: "interrupted",
      error: "Atelier stopped while this job ran; what it had made was removed.",
    });
    // The group (of its own) did not outlive the web tier killed with -9: the helper killed all of it.
    expect(await processesInGroup(pgid ?? -1)).toEqual([]);
    expect(await processesMentioning("debootstrap")).toEqual([]);
    expect(await exists(path.join(lxcPath(), made.name))).toBe(false);
    expect(
      await exists(path.join(process.env.ATELIER_LXC_CACHE ?? "", "debian", "partial-bullseye-amd64")),
    ).toBe(false);
  });
});

describe("a crash during a stream of jobs", () => {
  it("kill -9 while creations run: after the restart every acknowledged job has its outcome, and its container matches it", async () => {
    const acknowledged: { name: string; jobId: string }[] = [];
    let stop = false;
    const creator = (async () => {
      while (!stop) {
        const made = await create({ rootfs: { kind: "busybox" } }).catch(() => null);
        if (made?.response.status !== 200) break;
        acknowledged.push({ name: made.name, jobId: made.jobId });
        // A new creation every 400 ms: a busybox creation takes longer, so two or three run at any time.
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    })();
    // The barrier: killed once a job has succeeded while the latest still runs.
    await expect
      .poll(
        async () => {
          const [first, last] = [acknowledged[0], acknowledged.at(-1)];
          if (!first || !last || first === last) return false;
          return (
            (await job(first.jobId)).state === "succeeded" && (await job(last.jobId)).state === "running"
          );
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    // All of Atelier at once: the next helper kills the groups the last one left (its own record of them).
    await server.crash();
    stop = true;
    await creator;
    await server.restart();
    const outcomes: string[] = [];
    for (const { name, jobId } of acknowledged) {
      const after = await job(jobId);
      outcomes.push(after.state);
      // An acknowledged job is never lost and never left "running"; what it made matches what it says.
      expect(["succeeded", "interrupted"], `${name}: ${after.state} ${after.error}`).toContain(after.state);
      if (after.state === "succeeded") {
        expect(await lxcState(name), name).toBe("STOPPED");
        expect((await callProcedure(server, "containers.get", { name }, { kind: "query" })).status).toBe(200);
      } else {
        expect(await lxcState(name), name).toBe("MISSING");
        expect(await exists(path.join(lxcPath(), name)), name).toBe(false);
      }
    }
    expect(outcomes).toContain("succeeded");
    expect(outcomes).toContain("interrupted");
  });
});

describe("snapshots and types", () => {
  it("snapshots a stopped container with a comment, restores it in place and as a new container, deletes it", async () => {
    const name = await createAndWait({ rootfs: { kind: "busybox" } });
    const snapshot = await callProcedure(server, "snapshots.create", { name, comment: "before the change" });
    expect(snapshot.status).toBe(200);
    expect((await waitJob((snapshot.data as { jobId: string }).jobId)).state).toBe("succeeded");
    const list = async () =>
      (await callProcedure(server, "snapshots.list", { name }, { kind: "query", as: "viewer" })).data as {
        name: string;
        comment: string | null;
        bytes: number | null;
        createdAt: Date | null;
      }[];
    const [first] = await list();
    expect(first).toMatchObject({ name: "snap0", comment: "before the change" });
    expect(first?.bytes).toBeGreaterThan(100_000);
    expect(first?.createdAt).not.toBeNull();

    const marker = path.join(lxcPath(), name, "rootfs", "after-snapshot");
    await writeFile(marker, "x");
    const restored = await callProcedure(server, "snapshots.restore", { name, snapshot: "snap0" });
    expect((await waitJob((restored.data as { jobId: string }).jobId)).state).toBe("succeeded");
    expect(await exists(marker)).toBe(false);

    const copy = uniqueName("fromsnap");
    created.push(copy);
    const asNew = await callProcedure(server, "snapshots.restore", {
      name,
      snapshot: "snap0",
      newName: copy,
    });
    expect((await waitJob((asNew.data as { jobId: string }).jobId)).state).toBe("succeeded");
    await startAndCheck(copy);

    // LXC snapshots only stopped containers: refused with the reason while it runs.
    await startAndCheck(name);
    const running = await callProcedure(server, "snapshots.create", { name });
    expect(running.status).toBe(412);
    expect(running.error?.message).toMatch(/only a stopped container/);
    await callProcedure(server, "containers.stop", { name, force: true });
    const deleted = await callProcedure(server, "snapshots.delete", { name, snapshot: "snap0" });
    expect(deleted.status).toBe(200);
    expect(await list()).toEqual([]);
    expect((await callProcedure(server, "snapshots.delete", { name, snapshot: "snap0" })).status).toBe(404);
  });

  it("saves a form as a type and creates from it in one call; a clone form makes a container the type", async () => {
    const saved = await callProcedure(server, "types.save", {
      name: "web dev",
      form: {
        rootfs: { kind: "busybox" },
        limits: { memoryMiB: 64 },
        access: { rootPassword: "never stored", sshKey: "ssh-ed25519 AAAAC3Nza atelier" },
      },
    });
    expect(saved.status).toBe(200);
    expect(JSON.stringify(saved.data)).not.toContain("never stored");
    const name = uniqueName("typed");
    created.push(name);
    const fromType = await callProcedure(server, "types.createFrom", { type: "web dev", name });
    expect(fromType.status).toBe(200);
    expect((await waitJob((fromType.data as { jobId: string }).jobId)).state).toBe("succeeded");
    expect(await configOf(name)).toContain("lxc.cgroup.memory.limit_in_bytes = 67108864");

    await callProcedure(server, "types.save", {
      name: "android",
      form: { rootfs: { kind: "clone", source: name } },
    });
    const clone = uniqueName("android");
    created.push(clone);
    const cloned = await callProcedure(server, "types.createFrom", { type: "android", name: clone });
    expect((await waitJob((cloned.data as { jobId: string }).jobId)).state).toBe("succeeded");
    await startAndCheck(clone);
    const types = (await callProcedure(server, "types.list", undefined, { kind: "query", as: "viewer" }))
      .data as {
      name: string;
    }[];
    expect(types.map((type) => type.name)).toEqual(["android", "web dev"]);
    expect(
      (await callProcedure(server, "types.createFrom", { type: "nope", name: uniqueName("x") })).status,
    ).toBe(404);
  });
});
