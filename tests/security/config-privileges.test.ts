import { existsSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { createAccounts } from "@/server/auth/accounts";
import { createDb } from "@/server/db";
import { callProcedure, PASSWORD } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox, createThroughApi, signInAs } from "./helpers";

/**
 * An operator cannot make themselves host root through a config: every admin-only line (one per class, several per
 * class) is refused with 403 naming it through every entry point that writes a config (config.save,
 * config.restore, config.importAsNew, the creation wizard and types, container NICs), and accepted for an admin.
 * A hook that writes a canary proves the refused lines would have run: an admin's runs, an operator's never does.
 */
const server = useServer({
  hostDir: true,
  env: ({ hostDir }) => ({ ATELIER_BIND_ROOTS: path.join(hostDir, "binds") }),
});
const { hostDir, made } = server;
const configFile = (name: string) => path.join(lxcPath(), name, "config");

const busybox = async () => {
  const name = await createBusybox(server);
  made.push(name);
  return name;
};
/** An admin's privileged container (no id map): where dropped capabilities protect the host. */
const privilegedBusybox = async () => {
  const result = await createThroughApi(server, { rootfs: { kind: "busybox" }, privileged: true }, "admin");
  made.push(result.name);
  expect(result.job?.state, result.job?.log.slice(-10).join("\n")).toBe("succeeded");
  return result.name;
};

/**
 * Lines that let a container or its config act as root on the host; each loads in liblxc. @HOST@ is this test's
 * stand-in for the host: the admin's copy of each line is saved for real, and the clean-up's lxc-destroy loads it
 * (a rootfs of dir:/ would have it remove the host's root filesystem; a log file in /etc would be created there).
 */
const HOSTILE = [
  'lxc.hook.pre-start = /bin/sh -c "id > /tmp/proof"',
  "lxc.hook.start-host = /bin/true",
  "lxc.hook.mount = /usr/share/lxc/hooks/mountcgroups",
  "lxc.net.0.script.up = /bin/true",
  "lxc.net.0.script.down = /bin/true",
  "lxc.include = /usr/share/lxc/config/nesting.conf",
  "lxc.rootfs.path = dir:@HOST@/not-a-rootfs",
  "lxc.rootfs.path = overlay:@HOST@/lower:@HOST@/upper",
  "lxc.mount.entry = /etc host-etc none bind,create=dir 0 0",
  "lxc.mount.entry = /dev/vda1 mnt ext4 defaults 0 0",
  "lxc.mount.entry = sysfs sys sysfs rw 0 0",
  "lxc.mount.fstab = /etc/fstab",
  "lxc.mount.auto = sys:rw",
  "lxc.mount.auto = proc:rw",
  "lxc.apparmor.profile = unconfined",
  "lxc.apparmor.allow_incomplete = 1",
  "lxc.cap.keep = sys_admin",
  "lxc.cgroup.devices.allow = a",
  "lxc.cgroup.devices.allow = b 8:0 rwm",
  "lxc.cgroup.devices.allow = c 1:1 rwm",
  "lxc.seccomp.profile = /etc/hostname",
  "lxc.namespace.share.net = 1",
  "lxc.namespace.keep = net",
  "lxc.sysctl.kernel.core_pattern = |/bin/true",
  "lxc.log.file = @HOST@/cron.d-evil",
  "lxc.console.logfile = @HOST@/bashrc",
  "lxc.idmap = u 0 0 65536",
];

describe("admin-only config lines", () => {
  it.each(HOSTILE)(
    "config.save refuses `%s` from an operator (403 naming it), and takes it from an admin",
    async (template) => {
      const line = template.replaceAll("@HOST@", hostDir);
      const name = await busybox();
      const before = await configOf(server, name);
      const raw = `${before.raw}${line}\n`;
      const refused = await callProcedure(server, "config.save", { name, raw, baseVersion: before.version });
      expect(refused.status, JSON.stringify(refused.error)).toBe(403);
      expect(refused.error?.message).toContain(line.split(" = ")[0]);
      expect(refused.error?.message).toMatch(/needs the admin role/);
      expect(await readFile(configFile(name), "utf8")).toBe(before.raw);
      // The review (config.validate) says it too, before anything is written.
      const review = await callProcedure(server, "config.validate", { name, raw }, { kind: "query" });
      expect(
        (review.data as { problems: { message: string }[] }).problems.map((p) => p.message).join(" "),
      ).toMatch(/admin role/);
      // Checking a candidate (an admin's review runs liblxc's parser on it) never writes where its log lines point.
      // Checked before the admin's save: once saved, liblxc opens that log on every load (lxc-info from the
      // sampler too), which is what an admin who writes the line asks for.
      const logTarget = /^lxc\.(?:log\.file|console\.logfile) = (.*)$/.exec(line)?.[1];
      const adminReview = await callProcedure(
        server,
        "config.validate",
        { name, raw },
        { kind: "query", as: "admin" },
      );
      expect(adminReview.status).toBe(200);
      if (logTarget) expect(existsSync(logTarget)).toBe(false);
      const accepted = await callProcedure(
        server,
        "config.save",
        { name, raw, baseVersion: before.version },
        { as: "admin" },
      );
      expect([200, 400], JSON.stringify(accepted.error)).toContain(accepted.status);
      if (accepted.status === 400) expect(accepted.error?.message).not.toMatch(/admin role/);
    },
  );

  it("an operator's hook never runs; an admin's does (the canary is real)", async () => {
    const name = await busybox();
    const canary = path.join(hostDir, `hook-${name}`);
    const hook = `lxc.hook.pre-start = /bin/sh -c "id > ${canary}"`;
    const before = await configOf(server, name);
    const raw = `${before.raw}${hook}\n`;
    expect(
      (await callProcedure(server, "config.save", { name, raw, baseVersion: before.version })).status,
    ).toBe(403);
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
    expect(existsSync(canary)).toBe(false);
    const saved = await callProcedure(
      server,
      "config.save",
      { name, raw, baseVersion: before.version },
      { as: "admin" },
    );
    expect(saved.status).toBe(200);
    expect((await callProcedure(server, "containers.start", { name })).status).toBe(200);
    expect(await readFile(canary, "utf8")).toMatch(/uid=0\(root\)/);
    expect((await callProcedure(server, "containers.stop", { name, force: true })).status).toBe(200);
  });

  it("admin-only lines rest on the helper's word: a signed-in admin's session writes one, an admin token it never vouched for cannot, a user made admin may once signed in", async () => {
    const name = await busybox();
    // A token made on the database alone (as a compromised web tier could make one): the helper never vouched.
    const db = createDb(server.databaseUrl);
    let bare: string;
    try {
      const accounts = createAccounts({ db });
      const admin = await accounts.userByName("admin");
      bare = (
        await accounts.createApiToken({ userId: admin!.id, role: "admin" }, { name: "bare", role: "admin" })
      ).token;
    } finally {
      await db.$disconnect();
    }
    const before = await configOf(server, name);
    const raw = `${before.raw}lxc.hook.start-host = /bin/true\n`;
    const input = { name, raw, baseVersion: before.version };
    const refused = await callProcedure(server, "config.save", input, {
      as: null,
      headers: { authorization: `Bearer ${bare}` },
    });
    expect(refused.status, JSON.stringify(refused.error)).toBe(403);
    expect(refused.error?.message).toMatch(/the helper takes this only from an admin it knows/);
    expect(await readFile(configFile(name), "utf8")).toBe(before.raw);
    // Signed in with the password: the helper checked it itself and vouches for the session.
    const saved = await callProcedure(server, "config.save", input, {
      as: null,
      headers: await signInAs(server, "admin", PASSWORD),
    });
    expect(saved.status, JSON.stringify(saved.error)).toBe(200);
    expect(await readFile(configFile(name), "utf8")).toContain("lxc.hook.start-host = /bin/true");

    // A user an admin makes admin is enrolled by the helper at their next sign-in, and may then write such lines.
    const made = await callProcedure(
      server,
      "users.create",
      { username: "promoted", role: "viewer", password: "promoted-password-1" },
      { as: "admin" },
    );
    expect(made.status, JSON.stringify(made.error)).toBe(200);
    const id = (made.data as { id: number }).id;
    expect(
      (await callProcedure(server, "users.setRole", { id, role: "admin" }, { as: "admin" })).status,
    ).toBe(200);
    const current = await configOf(server, name);
    const byPromoted = await callProcedure(
      server,
      "config.save",
      { name, raw: `${current.raw}lxc.hook.stop = /bin/true\n`, baseVersion: current.version },
      { as: null, headers: await signInAs(server, "promoted", "promoted-password-1") },
    );
    expect(byPromoted.status, JSON.stringify(byPromoted.error)).toBe(200);
    expect(await readFile(configFile(name), "utf8")).toContain("lxc.hook.stop = /bin/true");
  });

  it("an operator keeps an admin's lines as they are and edits the rest; removing a protection is refused", async () => {
    const name = await privilegedBusybox();
    await appendFile(configFile(name), "lxc.hook.pre-start = /bin/true\nlxc.cgroup.devices.deny = a\n");
    const config = await configOf(server, name);
    expect(config.entries.find((e) => e.key === "lxc.hook.pre-start")?.adminOnly).toMatch(/hook/);
    const edited = `${config.raw}lxc.start.auto = 1\n`;
    expect(
      (await callProcedure(server, "config.save", { name, raw: edited, baseVersion: config.version })).status,
    ).toBe(200);
    const after = await configOf(server, name);
    for (const [what, raw] of [
      ["altered", after.raw.replace("/bin/true", "/bin/false")],
      ["duplicated", `${after.raw}lxc.hook.pre-start = /bin/true\n`],
      ["a protection removed", after.raw.replace("lxc.cgroup.devices.deny = a\n", "")],
      ["capabilities given back", after.raw.replace(/^lxc\.cap\.drop = .*$/m, "lxc.cap.drop = mac_admin")],
    ] as const) {
      const response = await callProcedure(server, "config.save", { name, raw, baseVersion: after.version });
      expect(response.status, what).toBe(403);
    }
    // Removing a hook takes nothing away from the host's safety: that is the operator's.
    const without = after.raw.replace("lxc.hook.pre-start = /bin/true\n", "");
    expect(
      (await callProcedure(server, "config.save", { name, raw: without, baseVersion: after.version })).status,
    ).toBe(200);
  });

  it("config.restore refuses to bring back an admin's line an admin has since removed", async () => {
    const name = await busybox();
    const first = await configOf(server, name);
    const withHook = `${first.raw}lxc.hook.pre-start = /bin/true\n`;
    expect(
      (
        await callProcedure(
          server,
          "config.save",
          { name, raw: withHook, baseVersion: first.version },
          { as: "admin" },
        )
      ).status,
    ).toBe(200);
    const second = await configOf(server, name);
    expect(
      (
        await callProcedure(
          server,
          "config.save",
          { name, raw: first.raw, baseVersion: second.version },
          { as: "admin" },
        )
      ).status,
    ).toBe(200);
    const history = (await callProcedure(server, "config.history", { name }, { kind: "query" })).data as {
      id: number;
      isCurrent: boolean;
    }[];
    const hooked = history[1];
    const current = await configOf(server, name);
    const refused = await callProcedure(server, "config.restore", {
      name,
      id: hooked?.id,
      baseVersion: current.version,
    });
    expect(refused.status).toBe(403);
    expect(await readFile(configFile(name), "utf8")).toBe(first.raw);
    const restored = await callProcedure(
      server,
      "config.restore",
      { name, id: hooked?.id, baseVersion: current.version },
      { as: "admin" },
    );
    expect(restored.status).toBe(200);
  });

  // (importAsNew sets the rootfs itself: those lines are replaced, not refused.)
  it.each(HOSTILE.filter((line) => !line.startsWith("lxc.rootfs.path")).slice(0, 8))(
    "config.importAsNew refuses `%s` from an operator and creates nothing",
    async (template) => {
      const line = template.replaceAll("@HOST@", hostDir);
      const name = uniqueName("imp");
      made.push(name);
      const raw = `lxc.net.0.type = veth\nlxc.net.0.link = atbr0\n${line}\n`;
      const response = await callProcedure(server, "config.importAsNew", { name, raw });
      expect(response.status, JSON.stringify(response.error)).toBe(403);
      expect(existsSync(path.join(lxcPath(), name))).toBe(false);
      // The same creation path through the wizard's API (the imported config as a root filesystem provider).
      const wizard = await callProcedure(server, "containers.create", {
        name,
        rootfs: { kind: "config", raw },
      });
      expect(wizard.status, JSON.stringify(wizard.error)).toBe(403);
      expect(wizard.error?.message).toMatch(/needs the admin role/);
      expect(existsSync(path.join(lxcPath(), name))).toBe(false);
    },
  );

  it("an operator's import keeps the template's protections (dropped capabilities)", async () => {
    const name = uniqueName("imp");
    made.push(name);
    const response = await callProcedure(server, "config.importAsNew", {
      name,
      raw: "lxc.net.0.type = veth\nlxc.net.0.link = atbr0\nlxc.tty.max = 2\n",
    });
    expect(response.status, JSON.stringify(response.error)).toBe(200);
    const written = await readFile(configFile(name), "utf8");
    expect(written).toMatch(/^lxc\.cap\.drop = .*sys_module/m);
  });

  it("the wizard, types and NICs cannot smuggle a config line through a field", async () => {
    const smuggled = "atbr0\nlxc.hook.pre-start = /bin/sh -c id";
    for (const [procedure, input] of [
      [
        "containers.create",
        { name: uniqueName("wiz"), rootfs: { kind: "busybox" }, network: { bridge: smuggled } },
      ],
      [
        "containers.create",
        {
          name: uniqueName("wiz"),
          rootfs: { kind: "busybox" },
          autostart: { enabled: true, groups: ["a\nlxc.hook.stop = x"] },
        },
      ],
      [
        "containers.create",
        { name: uniqueName("wiz"), rootfs: { kind: "busybox" }, limits: { cpuset: "0\nlxc.hook.stop = x" } },
      ],
      ["types.save", { name: "t1", form: { rootfs: { kind: "busybox" }, network: { bridge: smuggled } } }],
      ["network.attach", { container: "x", type: "veth", link: smuggled }],
    ] as const) {
      const response = await callProcedure(server, procedure, input);
      expect(response.status, `${procedure} ${JSON.stringify(response.error)}`).toBe(400);
    }
    const listing = await readFile(configFile(await busybox()), "utf8");
    expect(listing).not.toContain("lxc.hook");
  });

  it("a bind mount is the operator's only inside the bind roots, and not through a symlink out of them", async () => {
    const { mkdir, symlink } = await import("node:fs/promises");
    const roots = path.join(hostDir, "binds");
    await mkdir(path.join(roots, "data"), { recursive: true });
    await symlink("/etc", path.join(roots, "escape"));
    const name = await busybox();
    const config = await configOf(server, name);
    const save = (line: string, as: "operator" | "admin" = "operator") =>
      callProcedure(
        server,
        "config.save",
        { name, raw: `${config.raw}${line}\n`, baseVersion: config.version },
        { as },
      );
    expect((await save(`lxc.mount.entry = ${roots}/escape mnt none bind,create=dir 0 0`)).status).toBe(403);
    expect((await save(`lxc.mount.entry = ${roots}/../../etc mnt none bind,create=dir 0 0`)).status).toBe(
      403,
    );
    expect((await save(`lxc.mount.entry = ${roots}/data mnt/data none bind 0 0`)).status).toBe(200);
    // The host picker, for operators, stays inside the roots too.
    const browse = (p: string) => callProcedure(server, "config.browseHost", { path: p }, { kind: "query" });
    expect((await browse(roots)).status).toBe(200);
    expect((await browse(`${roots}/escape`)).status).toBe(403);
    expect((await browse("/")).status).toBe(403);
    expect(
      (await callProcedure(server, "config.browseHost", { path: "/" }, { kind: "query", as: "admin" }))
        .status,
    ).toBe(200);
  });

  it("a tarball's setuid bits are kept only when an admin asks", async () => {
    const response = await createThroughApi(server, {
      rootfs: { kind: "tarball", path: "/nonexistent/x.tar", keepSetuid: true },
    });
    expect(response.response.status).toBe(403);
    expect(response.response.error?.data.field).toBe("rootfs.keepSetuid");
  });
});
