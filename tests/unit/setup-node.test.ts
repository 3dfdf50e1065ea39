import { createHash } from "node:crypto";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

/**
 * scripts/lib/setup.sh's choice of Node.js (the host's when it is 20.9 or newer with npm, else a pinned Node 20
 * from the npm registry under ATELIER_NODE_DIR), run in bash with fake `node`, `npm` and `curl` programs on a PATH
 * that holds nothing else of the host's but the few tools the script uses.
 */
const setup = path.resolve(import.meta.dirname, "../../scripts/lib/setup.sh");
const TOOLS = [
  "bash",
  "cat",
  "uname",
  "mkdir",
  "mktemp",
  "rm",
  "mv",
  "tar",
  "gzip",
  "chmod",
  "ln",
  "base64",
  "openssl",
  "cp",
];

const withDir = async (work: (dir: string) => Promise<void>) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "atelier-setup-node-"));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** A PATH of the script's tools, plus fakes (name → shell script body) in a directory of their own, first. */
const makePath = async (dir: string, fakes: Record<string, string>) => {
  const tools = path.join(dir, "tools");
  const fakeDir = path.join(dir, "fakes");
  await mkdir(tools, { recursive: true });
  await mkdir(fakeDir, { recursive: true });
  for (const tool of TOOLS) {
    const { stdout } = await execa("bash", ["-c", `command -v ${tool}`]);
    await symlink(stdout.trim(), path.join(tools, tool)).catch(() => undefined);
  }
  for (const [name, body] of Object.entries(fakes)) {
    await writeFile(path.join(fakeDir, name), `#!/bin/bash\n${body}\n`);
    await chmod(path.join(fakeDir, name), 0o755);
  }
  return `${fakeDir}:${tools}`;
};

/** Runs SCRIPT in bash after sourcing setup.sh, with that PATH and ATELIER_NODE_DIR. */
const run = (script: string, { PATH, nodeDir }: { PATH: string; nodeDir: string }) =>
  execa(
    path.join(PATH.split(":")[1] ?? "", "bash"),
    ["-c", `set -euo pipefail; source ${setup}; ${script}`],
    {
      env: { PATH, ATELIER_NODE_DIR: nodeDir },
      extendEnv: false,
      reject: false,
    },
  );

const fakeNode = (version: string) =>
  `[ "$1" = -p ] && echo ${version} && exit 0; [ "$1" = -v ] && echo v${version}`;

describe("setup.sh's Node.js", () => {
  it("takes 20.9 or newer as fitting, and nothing older or unreadable", async () => {
    await withDir(async (dir) => {
      const PATH = await makePath(dir, {});
      const verdict = async (version: string) =>
        (
          await run(`node_version_fits ${JSON.stringify(version)} && echo yes || echo no`, {
            PATH,
            nodeDir: dir,
          })
        ).stdout;
      expect(await verdict("18.19.0")).toBe("no");
      expect(await verdict("20.8.0")).toBe("no");
      expect(await verdict("20.9.0")).toBe("yes");
      expect(await verdict("v20.10.1")).toBe("yes");
      expect(await verdict("22.1.0")).toBe("yes");
      expect(await verdict("")).toBe("no");
      expect(await verdict("twenty")).toBe("no");
    });
  });

  it("uses the host's node 20.9 or newer with npm, and installs its own otherwise (Debian's 18, no npm, none)", async () => {
    await withDir(async (dir) => {
      const plan = async (fakes: Record<string, string>) => {
        const sub = await mkdtemp(path.join(dir, "plan-"));
        const PATH = await makePath(sub, fakes);
        const result = await run("node_plan", { PATH, nodeDir: path.join(sub, "node") });
        expect(result.exitCode, result.stderr).toBe(0);
        return result.stdout;
      };
      const npm = "echo 10.0.0";
      expect(await plan({ node: fakeNode("18.19.0"), npm })).toBe("install");
      expect(await plan({ node: fakeNode("20.8.0"), npm })).toBe("install");
      expect(await plan({ node: fakeNode("20.9.0"), npm })).toBe("host");
      expect(await plan({ node: fakeNode("22.1.0"), npm })).toBe("host");
      expect(await plan({ node: fakeNode("22.1.0") })).toBe("install");
      expect(await plan({})).toBe("install");
      expect(await plan({ node: "exit 1", npm })).toBe("install");
    });
  });

  it("keeps using its own node once installed, whatever the host's", async () => {
    await withDir(async (dir) => {
      const PATH = await makePath(dir, { node: fakeNode("22.1.0"), npm: "echo 10.0.0" });
      const nodeDir = path.join(dir, "node");
      await mkdir(path.join(nodeDir, "bin"), { recursive: true });
      await writeFile(path.join(nodeDir, "bin/node"), "#!/bin/sh\n", { mode: 0o755 });
      const stamp = (await run('echo "node $PINNED_NODE_VERSION npm $PINNED_NPM_VERSION"', { PATH, nodeDir }))
        .stdout;
      await writeFile(path.join(nodeDir, ".atelier-node"), `${stamp}\n`);
      expect((await run("node_plan", { PATH, nodeDir })).stdout).toBe("ours");
      // A different pinned version (an update of Atelier): installed again.
      await writeFile(path.join(nodeDir, ".atelier-node"), "node 20.1.0 npm 9.0.0\n");
      expect((await run("node_plan", { PATH, nodeDir })).stdout).toBe("host");
    });
  });

  /** Registry tarballs (package/…) of a fake node and npm, their integrity as npm writes it, and a curl serving them. */
  const registry = async (dir: string) => {
    const make = async (name: string, files: Record<string, string>) => {
      const root = path.join(dir, `${name}-src`);
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, "package", file)), { recursive: true });
        await writeFile(path.join(root, "package", file), text, { mode: 0o755 });
      }
      const tarball = path.join(dir, `${name}.tgz`);
      await execa("tar", ["-czf", tarball, "-C", root, "package"]);
      const integrity = `sha512-${createHash("sha512")
        .update(await readFile(tarball))
        .digest("base64")}`;
      return { tarball, integrity };
    };
    const node = await make("node", {
      "bin/node": `#!/bin/sh\n${fakeNode("20.20.2")}\n`,
      "include/node/common.gypi": "{}",
      "package.json": "{}",
    });
    const npm = await make("npm", {
      "bin/npm-cli.js": "#!/bin/sh\necho 10.8.2\n",
      "bin/npx-cli.js": "#!/bin/sh\n",
    });
    // curl -fsSL --retry 3 -o FILE URL: the URL's tarball, by name; the URLs asked for are logged.
    const curl = `echo "$6" >> ${dir}/urls; case "$6" in */node-linux-*) cp ${node.tarball} "$5" ;; */npm-*) cp ${npm.tarball} "$5" ;; *) exit 22 ;; esac`;
    return { node, npm, curl };
  };

  it("installs the pinned node and npm from the registry, checked against their integrity, first in PATH", async () => {
    await withDir(async (dir) => {
      const { node, npm, curl } = await registry(dir);
      const PATH = await makePath(dir, { node: fakeNode("18.19.0"), npm: "echo 9.2.0", curl });
      const nodeDir = path.join(dir, "opt/atelier/node");
      const result = await run(
        [
          `PINNED_NODE_INTEGRITY[x64]=${node.integrity}; PINNED_NODE_INTEGRITY[arm64]=${node.integrity}`,
          `PINNED_NPM_INTEGRITY=${npm.integrity}`,
          // The packages are apt's business: not tried here.
          'install_packages() { echo "packages: $*" >&2; }',
          "ensure_node",
          'echo "$(command -v node) $(node -p x) $(npm) $npm_config_nodedir"',
        ].join("; "),
        { PATH, nodeDir },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${nodeDir}/bin/node 20.20.2 10.8.2 ${nodeDir}`);
      expect(result.stderr).toContain("packages: curl ca-certificates openssl python3 make g++ procps");
      const urls = (await readFile(path.join(dir, "urls"), "utf8")).trim().split("\n");
      expect(urls).toEqual([
        expect.stringMatching(
          /^https:\/\/registry\.npmjs\.org\/node-linux-(x64|arm64)\/-\/node-linux-(x64|arm64)-20\.\d+\.\d+\.tgz$/,
        ),
        expect.stringMatching(/^https:\/\/registry\.npmjs\.org\/npm\/-\/npm-10\.\d+\.\d+\.tgz$/),
      ]);
      expect(await readlink(path.join(nodeDir, "bin/npm"))).toBe("../lib/node_modules/npm/bin/npm-cli.js");
      expect(await readFile(path.join(nodeDir, "include/node/common.gypi"), "utf8")).toBe("{}");
      // Nothing left beside it, and a second run uses it as it is.
      expect(await readdir(path.join(dir, "opt/atelier"))).toEqual(["node"]);
      expect((await run("node_plan", { PATH, nodeDir })).stdout).toBe("ours");
    });
  });

  it("installs nothing when a download does not match its pinned integrity", async () => {
    await withDir(async (dir) => {
      const { npm, curl } = await registry(dir);
      const PATH = await makePath(dir, { curl });
      const nodeDir = path.join(dir, "opt/atelier/node");
      const wrong = `sha512-${createHash("sha512").update("something else").digest("base64")}`;
      const result = await run(
        [
          `PINNED_NODE_INTEGRITY[x64]=${wrong}; PINNED_NODE_INTEGRITY[arm64]=${wrong}`,
          `PINNED_NPM_INTEGRITY=${npm.integrity}`,
          "install_node",
        ].join("; "),
        { PATH, nodeDir },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("does not match its pinned integrity");
      expect(await lstat(nodeDir).catch(() => null)).toBeNull();
      expect(await readdir(path.join(dir, "opt/atelier"))).toEqual([]);
    });
  });

  it("pins integrities of the npm form for the version it names", async () => {
    await withDir(async (dir) => {
      const PATH = await makePath(dir, {});
      const { stdout } = await run(
        'echo "$PINNED_NODE_VERSION $PINNED_NPM_VERSION ${PINNED_NODE_INTEGRITY[x64]} ${PINNED_NODE_INTEGRITY[arm64]} $PINNED_NPM_INTEGRITY"',
        { PATH, nodeDir: dir },
      );
      const [nodeVersion, npmVersion, ...integrities] = stdout.split(" ");
      expect(nodeVersion).toMatch(/^20\.(9|[1-9]\d)\.\d+$/);
      expect(npmVersion).toMatch(/^10\.\d+\.\d+$/);
      for (const integrity of integrities) expect(integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    });
  });
});
