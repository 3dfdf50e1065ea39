import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

/**
 * A stand-in apt repository for the tests that install packages in a Debian container (tests/integration/
 * packages.test.ts, e2e/inside-debian.spec.ts): a flat repository with one package made here with dpkg-deb, served
 * over HTTP on the test bridge's host address, for a container on that bridge to use as
 * `deb [trusted=yes] URL ./`. Nothing leaves the test's network namespace.
 */

/** The host's address on the test bridge (ATELIER_TEST_BRIDGE_ADDRESS, "10.213.0.1/24"). */
export const testBridge = () => {
  const [address, prefix] = (process.env.ATELIER_TEST_BRIDGE_ADDRESS ?? "10.213.0.1/24").split("/");
  return { address: address ?? "10.213.0.1", prefix: prefix ?? "24" };
};

/**
 * Serves atelier-hello 1.0 (/usr/share/atelier-hello/hello) and atelier-slow 1.0, whose archive is never sent (its
 * download hangs until the job is cancelled). `requests` are the paths asked so far; `close` stops the server and
 * removes its files.
 */
export const serveAptRepository = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-apt-"));
  const tree = path.join(dir, "tree");
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
  const deb = path.join(dir, "atelier-hello_1.0_all.deb");
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
  const server = createServer((request, response) => {
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
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { address } = testBridge();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, address, resolve);
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : 0;
  return { url: `http://${testBridge().address}:${port}/`, requests, close };
};
