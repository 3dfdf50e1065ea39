import { expect, it } from "vitest";
import { attach, startThroughApi } from "../containers";
import { startTestMirror } from "../mirror";
import { createBusybox, createThroughApi } from "../security/helpers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * A container's services through the API, judged by the guest's own tools (lxc-attach -- systemctl …, its
 * /etc/inittab): an unprivileged Debian container (from the run's template cache; the mirror on this namespace's
 * loopback is only asked for its Release file) whose ssh is stopped, started, disabled and enabled; a busybox
 * container's inittab entries; refusals (stopped, hostile names, an operator on a privileged container).
 */
let mirror: Awaited<ReturnType<typeof startTestMirror>> | undefined;
const server = useServer({ timeoutMs: 8 * 60_000, afterStop: async () => mirror?.close() });

type TList = {
  manager: string | null;
  services: { name: string; description: string; state: string; enabled: boolean | null }[];
};
const list = async (name: string, as: "viewer" | "operator" | "admin" = "viewer") => {
  const response = await callProcedure(server, "services.list", { name }, { kind: "query", as });
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  return response.data as TList;
};
const act = async (name: string, action: string, service: string, as: "operator" | "admin" = "operator") =>
  callProcedure(server, `services.${action}`, { name, service }, { as });
const guestSays = async (name: string, argv: string[]) => (await attach(name, argv)).stdout.trim();

it("lists the services of a Debian container and stops, starts, disables and enables ssh as systemctl then says", async () => {
  mirror = await startTestMirror();
  const made = await createThroughApi(server, {
    rootfs: { kind: "debian", release: "bookworm", arch: "amd64", mirror: mirror.url },
    // A static address set by LXC: the guest's networking has nothing to wait for (a DHCP lease would hold its boot,
    // and ssh with it, while no server answers on this namespace's bridge).
    network: { bridge: "atbr0", mode: "static", ipv4: "10.213.0.91/24", gateway: "10.213.0.1" },
  });
  server.made.push(made.name);
  expect(made.job?.state, made.job?.log.slice(-10).join("\n")).toBe("succeeded");
  await startThroughApi(server, made.name);
  // systemd settles ssh a moment after the container is RUNNING: running, or failed when the root filesystem came
  // without ssh host keys (the provisioner runs nothing of the guest's on the host, so none were made).
  const deadline = Date.now() + 120_000;
  const sshState = () => guestSays(made.name, ["systemctl", "is-active", "ssh"]);
  while (!["active", "failed"].includes(await sshState()) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 1000));
  const booted = await sshState();
  const status = await attach(made.name, ["systemctl", "status", "--no-pager", "ssh"]);
  expect(["active", "failed"], status.stdout + status.stderr).toContain(booted);

  const before = await list(made.name);
  expect(before.manager).toBe("systemd");
  expect(before.services.find((service) => service.name === "ssh.service")).toEqual({
    name: "ssh.service",
    description: "OpenBSD Secure Shell server",
    state: booted === "active" ? "running" : "failed",
    enabled: true,
  });
  if (booted === "failed") {
    // Its host keys made inside by the guest's own tool, and systemd's count of failed starts reset (its start
    // limit would refuse the next one for a few seconds); then the start comes from the API.
    expect((await attach(made.name, ["ssh-keygen", "-A"])).exitCode).toBe(0);
    expect((await attach(made.name, ["systemctl", "reset-failed", "ssh"])).exitCode).toBe(0);
    const started = await act(made.name, "start", "ssh");
    expect(started.data, JSON.stringify(started)).toMatchObject({ ok: true });
    expect(await sshState()).toBe("active");
    expect((await list(made.name)).services.find((service) => service.name === "ssh.service")?.state).toBe(
      "running",
    );
  }

  const stopped = await act(made.name, "stop", "ssh");
  expect(stopped.status, JSON.stringify(stopped.error)).toBe(200);
  expect(stopped.data).toMatchObject({ ok: true });
  expect(await guestSays(made.name, ["systemctl", "is-active", "ssh"])).toBe("inactive");
  expect((await list(made.name)).services.find((service) => service.name === "ssh.service")?.state).toBe(
    "stopped",
  );

  expect((await act(made.name, "start", "ssh.service")).data).toMatchObject({ ok: true });
  expect(await guestSays(made.name, ["systemctl", "is-active", "ssh"])).toBe("active");

  expect((await act(made.name, "disable", "ssh")).data).toMatchObject({ ok: true });
  expect(await guestSays(made.name, ["systemctl", "is-enabled", "ssh"])).toBe("disabled");
  expect((await list(made.name)).services.find((service) => service.name === "ssh.service")?.enabled).toBe(
    false,
  );
  expect((await act(made.name, "enable", "ssh")).data).toMatchObject({ ok: true });
  expect(await guestSays(made.name, ["systemctl", "is-enabled", "ssh"])).toBe("enabled");

  // What the guest's tool refuses is an answer, with its words.
  const missing = await act(made.name, "start", "no-such-thing");
  expect(missing.status).toBe(200);
  const answer = missing.data as { ok: boolean; output: string };
  expect(answer.ok).toBe(false);
  expect(answer.output).toContain("no-such-thing.service");

  // Each action is audited with the container and the service.
  const audit = await callProcedure(
    server,
    "audit.list",
    { action: "services.stop", target: made.name },
    { kind: "query", as: "admin" },
  );
  const entries = (audit.data as { entries: { actor: string; input: string | null; result: string }[] })
    .entries;
  expect(entries[0]?.result).toBe("ok");
  expect(entries[0]?.input).toContain('"service":"ssh"');
}, 400_000);

it("lists the inittab entries of a busybox container, and refuses a stopped container", async () => {
  const name = await createBusybox(server);
  server.made.push(name);
  const refused = await callProcedure(server, "services.list", { name }, { kind: "query", as: "viewer" });
  expect(refused.status).toBe(412);
  expect(refused.error?.message).toMatch(/is stopped: its services are asked inside it/);
  expect((await act(name, "enable", "rcS")).status).toBe(412);

  await startThroughApi(server, name);
  const listed = await list(name);
  expect(listed.manager).toBe("busybox");
  expect(listed.services.map((service) => service.name)).toEqual(
    expect.arrayContaining(["rcS", "getty@tty1", "sh@console"]),
  );
  expect(listed.services.find((service) => service.name === "rcS")?.description).toBe(
    "sysinit: /etc/init.d/rcS",
  );

  // Busybox init starts and stops nothing on demand: refused in words; an entry is disabled and enabled.
  const start = await act(name, "start", "getty@tty1");
  expect(start.status).toBe(412);
  expect(start.error?.message).toMatch(/cannot start or stop/);
  expect((await act(name, "disable", "getty@tty1")).data).toMatchObject({ ok: true });
  expect(await guestSays(name, ["cat", "/etc/inittab"])).toMatch(/^#atelier-disabled#tty1::respawn:/m);
  expect((await list(name)).services.find((service) => service.name === "getty@tty1")?.enabled).toBe(false);
  expect((await act(name, "enable", "getty@tty1")).data).toMatchObject({ ok: true });
  expect(await guestSays(name, ["cat", "/etc/inittab"])).toMatch(/^tty1::respawn:/m);
  expect((await act(name, "disable", "nothing-here")).status).toBe(404);

  // Hostile names never reach the guest.
  for (const service of [
    "--now",
    "-x",
    "a;b",
    "../x",
    "..",
    ".",
    "a b",
    "",
    "x".repeat(201),
    "a/b",
    "$(id)",
  ]) {
    const response = await act(name, "disable", service);
    expect(response.status, service).toBe(400);
  }
  expect(await guestSays(name, ["cat", "/etc/inittab"])).not.toMatch(/atelier-disabled/);
}, 240_000);

it("refuses an operator action on a privileged container, and lets an admin act", async () => {
  const name = await createBusybox(server, undefined, { privileged: true });
  server.made.push(name);
  await startThroughApi(server, name);
  expect((await list(name, "viewer")).manager).toBe("busybox");
  const refused = await act(name, "disable", "getty@tty1", "operator");
  expect(refused.status).toBe(403);
  expect(refused.error?.message).toMatch(/privileged container/);
  expect(await guestSays(name, ["cat", "/etc/inittab"])).not.toMatch(/atelier-disabled/);
  expect((await act(name, "disable", "getty@tty1", "admin")).data).toMatchObject({ ok: true });
  expect((await act(name, "enable", "getty@tty1", "admin")).data).toMatchObject({ ok: true });
}, 240_000);
