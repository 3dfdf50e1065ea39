import { appendFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { serveAptRepository, testBridge } from "../apt-repository";
import { attach, startThroughApi, stopThroughApi } from "../containers";
import { lxcPath, lxcState } from "../lxc-oracle";
import { startTestMirror } from "../mirror";
import { createBusybox, createThroughApi, waitJob } from "../security/helpers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Packages inside containers, against real LXC: a Debian container (privileged, an admin's; from the run's template
 * cache) given a stand-in apt repository served from this test on the test bridge's host address
 * (tests/apt-repository.ts: a .deb made with dpkg-deb, a Packages file and a Release), its sources.list pointed there; a package installed, listed and
 * removed through the API; a stopped container refused, then worked on in a temporary start; a busybox container
 * with no package manager; hostile package names refused before anything runs.
 */
let mirror: Awaited<ReturnType<typeof startTestMirror>> | undefined;
let repository: Awaited<ReturnType<typeof serveAptRepository>> | undefined;
const server = useServer({
  timeoutMs: 10 * 60_000,
  afterStop: async () => {
    await mirror?.close();
    await repository?.close();
  },
});

const installed = async (name: string) =>
  (await callProcedure(server, "packages.list", { name }, { kind: "query", as: "viewer" })).data as {
    isRunning: boolean;
    manager: string | null;
    packages: { name: string; version: string }[];
  };

const change = async (
  procedure: string,
  input: Record<string, unknown>,
  as: "admin" | "operator" = "admin",
) => {
  const response = await callProcedure(server, procedure, input, { as });
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  return waitJob(server, (response.data as { jobId: string }).jobId, 240_000);
};

it("installs a package from a stand-in repository into a Debian container, lists it and removes it; refuses a stopped container unless asked for a temporary start", async () => {
  mirror = await startTestMirror();
  repository = await serveAptRepository();
  const repo = repository;
  const made = await createThroughApi(
    server,
    { rootfs: { kind: "debian", release: "bookworm", arch: "amd64", mirror: mirror.url }, privileged: true },
    "admin",
  );
  server.made.push(made.name);
  expect(made.job?.state, made.job?.log.slice(-10).join("\n")).toBe("succeeded");
  const name = made.name;
  // No DHCP on the test bridge: a fixed address on it, from the container's config (kept across starts).
  const { address, prefix } = testBridge();
  await appendFile(
    path.join(lxcPath(), name, "config"),
    `lxc.net.0.ipv4.address = ${address.replace(/\.\d+$/, ".77")}/${prefix}\n`,
  );

  // Stopped: refused, saying what to do.
  const refused = await callProcedure(
    server,
    "packages.install",
    { name, packages: ["atelier-hello"] },
    { as: "admin" },
  );
  expect(refused.status).toBe(412);
  expect(`${refused.error?.message} ${refused.error?.data.hint}`).toMatch(/temporary start/);
  expect((await installed(name)).isRunning).toBe(false);

  await startThroughApi(server, name);
  const sources = await attach(name, [
    "sh",
    "-c",
    `echo 'deb [trusted=yes] ${repo.url} ./' > /etc/apt/sources.list`,
  ]);
  expect(sources.exitCode, sources.stderr).toBe(0);

  const before = await installed(name);
  expect(before.manager).toBe("dpkg");
  expect(before.packages.map((entry) => entry.name)).toContain("bash");
  expect(before.packages.map((entry) => entry.name)).not.toContain("atelier-hello");

  // A privileged container's packages are an admin's.
  const byOperator = await callProcedure(server, "packages.install", { name, packages: ["atelier-hello"] });
  expect(byOperator.status).toBe(403);

  const install = await change("packages.install", { name, packages: ["atelier-hello"] });
  expect(install.state, install.log.slice(-20).join("\n")).toBe("succeeded");
  expect(install.log.some((line) => line.startsWith("$ apt-get install"))).toBe(true);
  expect(install.log.some((line) => /^\[dpkg \d+%\] .*atelier-hello/.test(line))).toBe(true);
  expect(repo.requests).toContain("/atelier-hello_1.0_all.deb");
  expect((await installed(name)).packages).toContainEqual(
    expect.objectContaining({ name: "atelier-hello", version: "1.0" }),
  );
  const status = await attach(name, ["dpkg", "-s", "atelier-hello"]);
  expect(status.stdout).toMatch(/^Status: install ok installed$/m);
  expect((await attach(name, ["cat", "/usr/share/atelier-hello/hello"])).stdout).toBe("hello from atelier");

  const found = await callProcedure(
    server,
    "packages.search",
    { name, query: "atelier" },
    { kind: "query", as: "viewer" },
  );
  expect(found.status, JSON.stringify(found.error)).toBe(200);
  expect((found.data as { results: unknown[] }).results[0]).toEqual({
    name: "atelier-hello",
    version: "1.0",
    summary: "Atelier's stand-in package",
    isInstalled: true,
  });

  // Cancelled while apt-get downloads: its process group (apt-get inside the container) is killed.
  const slow = await callProcedure(
    server,
    "packages.install",
    { name, packages: ["atelier-slow"] },
    { as: "admin" },
  );
  expect(slow.status, JSON.stringify(slow.error)).toBe(200);
  const slowJob = (slow.data as { jobId: string }).jobId;
  const deadline = Date.now() + 60_000;
  while (!repo.requests.includes("/atelier-slow_1.0_all.deb") && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  expect(repo.requests).toContain("/atelier-slow_1.0_all.deb");
  const cancelled = await callProcedure(server, "jobs.cancel", { id: slowJob }, { as: "admin" });
  expect(cancelled.status, JSON.stringify(cancelled.error)).toBe(200);
  expect((await waitJob(server, slowJob)).state).toBe("cancelled");
  const left = await attach(name, ["ps", "-eo", "args"]);
  expect(left.stdout).not.toMatch(/apt-get/);

  const removal = await change("packages.remove", { name, packages: ["atelier-hello"] });
  expect(removal.state, removal.log.slice(-20).join("\n")).toBe("succeeded");
  expect((await installed(name)).packages.map((entry) => entry.name)).not.toContain("atelier-hello");
  expect((await attach(name, ["dpkg", "-s", "atelier-hello"])).stdout).not.toMatch(/install ok installed/);

  // A temporary start: started for the work, stopped again afterwards.
  await stopThroughApi(server, name);
  expect(await lxcState(name)).toBe("STOPPED");
  const temporary = await change("packages.install", {
    name,
    packages: ["atelier-hello"],
    temporaryStart: true,
  });
  expect(temporary.state, temporary.log.slice(-20).join("\n")).toBe("succeeded");
  expect(temporary.log.join("\n")).toMatch(/Temporary start: stopping/);
  expect(await lxcState(name)).toBe("STOPPED");
  await startThroughApi(server, name);
  expect((await attach(name, ["dpkg", "-s", "atelier-hello"])).stdout).toMatch(/install ok installed/);

  // Hostile names never reach a command line.
  for (const hostile of ["-oAPT::Update::Pre-Invoke::=touch /tmp/owned", "foo;rm", "--purge"]) {
    const answer = await callProcedure(
      server,
      "packages.install",
      { name, packages: [hostile] },
      { as: "admin" },
    );
    expect(answer.status, hostile).toBe(400);
  }
  expect((await attach(name, ["test", "-e", "/tmp/owned"])).exitCode).not.toBe(0);
}, 600_000);

it("says plainly that a busybox container has no package manager", async () => {
  const name = await createBusybox(server);
  server.made.push(name);
  await startThroughApi(server, name);
  const listed = await installed(name);
  expect(listed).toMatchObject({ isRunning: true, manager: null, packages: [] });
  const job = await change("packages.install", { name, packages: ["curl"] }, "operator");
  expect(job.state).toBe("failed");
  expect(job.error).toMatch(/no package manager/);
}, 180_000);
