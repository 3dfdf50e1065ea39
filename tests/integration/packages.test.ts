import { createHash } from "node:crypto";
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { attach, startThroughApi, stopThroughApi } from "../containers";
import { lxcPath, lxcState } from "../lxc-oracle";
import { startTestMirror } from "../mirror";
import { createBusybox, createThroughApi, waitJob } from "../security/helpers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Packages inside containers, against real LXC: a Debian container (privileged, an admin's; from the run's template
 * cache) given a stand-in apt repository served from this test on the test bridge's host address (a .deb made here
 * with dpkg-deb, a Packages file and a Release), its sources.list pointed there; a package installed, listed and
 * removed through the API; a stopped container refused, then worked on in a temporary start; a busybox container
 * with no package manager; hostile package names refused before anything runs.
 */
let mirror: Awaited<ReturnType<typeof startTestMirror>> | undefined;
let repository: Server | undefined;
let repositoryDir: string | undefined;
const server = useServer({
  timeoutMs: 10 * 60_000,
  afterStop: async () => {
    await mirror?.close();
    repository?.closeAllConnections();
    await new Promise((resolve) => (repository ? repository.close(resolve) : resolve(null)));
    if (repositoryDir) await rm(repositoryDir, { recursive: true, force: true });
  },
});

/** The host's address on the test bridge (ATELIER_TEST_BRIDGE_ADDRESS, "10.213.0.1/24"). */
const bridge = () => {
  const [address, prefix] = (process.env.ATELIER_TEST_BRIDGE_ADDRESS ?? "10.213.0.1/24").split("/");
  return { address: address ?? "10.213.0.1", prefix: prefix ?? "24" };
};

/** A flat apt repository with one package, atelier-hello 1.0 (/usr/share/atelier-hello/hello), served over HTTP. */
const serveRepository = async () => {
  repositoryDir = await mkdtemp(path.join(os.tmpdir(), "atelier-apt-"));
  const tree = path.join(repositoryDir, "tree");
  await mkdir(path.join(tree, "DEBIAN"), { recursive: true });
  await mkdir(path.join(tree, "usr/share/atelier-hello"), { recursive: true });
  await writeFile(path.join(tree, "usr/share/atelier-hello/hello"), "hello from atelier\n");
  const control = [
    "Package: atelier-hello",
    "Version: 1.0",
    "Architecture: all",
    "Maintainer: Atelier tests <tests@example.invalid>",
    "Description: Atelier's stand-in package",
    " A tiny package the packages test installs and removes.",
  ];
  await writeFile(path.join(tree, "DEBIAN/control"), `${control.join("\n")}\n`);
  const deb = path.join(repositoryDir, "atelier-hello_1.0_all.deb");
  await execa("dpkg-deb", ["--root-owner-group", "--build", tree, deb]);
  const body = await readFile(deb);
  const packages = [
    ...control.slice(0, 4),
    "Filename: ./atelier-hello_1.0_all.deb",
    `Size: ${(await stat(deb)).size}`,
    `SHA256: ${createHash("sha256").update(body).digest("hex")}`,
    ...control.slice(4),
    "",
    // A package whose archive is never sent (its download hangs until the job is cancelled).
    "Package: atelier-slow",
    "Version: 1.0",
    "Architecture: all",
    "Maintainer: Atelier tests <tests@example.invalid>",
    "Filename: ./atelier-slow_1.0_all.deb",
    `Size: ${(await stat(deb)).size}`,
    `SHA256: ${createHash("sha256").update(body).digest("hex")}`,
    "Description: Atelier's package that never arrives",
    "",
  ].join("\n");
  const files: Record<string, string | Buffer> = {
    "/Release": "Origin: atelier\nLabel: atelier\nSuite: stable\nCodename: stable\n",
    "/Packages": packages,
    "/atelier-hello_1.0_all.deb": body,
  };
  const requests: string[] = [];
  repository = createServer((request, response) => {
    const url = (request.url ?? "").replace(/^\/\.\//, "/");
    requests.push(url);
    const file = files[url];
    if (url === "/atelier-slow_1.0_all.deb") return;
    if (file === undefined) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.end(file);
  });
  const { address } = bridge();
  await new Promise<void>((resolve) => repository?.listen(0, address, resolve));
  const bound = repository.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return { url: `http://${address}:${port}/`, requests };
};

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
  const repo = await serveRepository();
  const made = await createThroughApi(
    server,
    { rootfs: { kind: "debian", release: "bookworm", arch: "amd64", mirror: mirror.url }, privileged: true },
    "admin",
  );
  server.made.push(made.name);
  expect(made.job?.state, made.job?.log.slice(-10).join("\n")).toBe("succeeded");
  const name = made.name;
  // No DHCP on the test bridge: a fixed address on it, from the container's config (kept across starts).
  const { address, prefix } = bridge();
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
