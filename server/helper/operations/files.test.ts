import { lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { chmod, chown, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { extract } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { MAX_CHUNK_BYTES, type THandlers } from "../contract/define";
import type { filesContract } from "../contract/files";
import { filesOperations, parseProcIdMap, toContainerId, toHostId } from "./files";

/**
 * The files operations on stopped containers of a temporary lxcpath (lxc-info reads their configs: STOPPED), an
 * unprivileged one (ids 0..65535 on host 100000..) and a privileged one, each with a hostile rootfs, and a host
 * canary beside them that nothing may read through or change.
 */
let top: string;
let lxcPath: string;
let stateDir: string;
let canary: string;
const rootOf = (name: string) => path.join(lxcPath, name, "rootfs");

const makeContainer = async (name: string, lines: string[]) => {
  const rootfs = rootOf(name);
  await mkdir(path.join(rootfs, "etc"), { recursive: true });
  await mkdir(path.join(rootfs, "mnt"), { recursive: true });
  await mkdir(path.join(rootfs, "srv", "www", "deep"), { recursive: true });
  await writeFile(
    path.join(lxcPath, name, "config"),
    [`lxc.uts.name = ${name}`, `lxc.rootfs.path = dir:${rootfs}`, ...lines, ""].join("\n"),
  );
  await writeFile(
    path.join(rootfs, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www:/var/www:/usr/sbin/nologin\nbad line\n",
  );
  await writeFile(path.join(rootfs, "etc", "group"), "root:x:0:\nwww-data:x:33:\nadm:x:4:syslog\n");
  await writeFile(path.join(rootfs, "etc", "hosts"), "127.0.0.1 localhost\n");
  await writeFile(path.join(rootfs, "srv", "www", "index.html"), "<h1>hi</h1>");
  await writeFile(path.join(rootfs, "srv", "www", "deep", "page"), "deep page");
  await symlink("/etc/shadow", path.join(rootfs, "etc", "evil"));
  await symlink("../../../..", path.join(rootfs, "mnt", "up"));
  await symlink(canary, path.join(rootfs, "srv", "www", "out"));
  await symlink(path.dirname(canary), path.join(rootfs, "srv", "www", "out-dir"));
};

const shift = async (name: string, by: number) => {
  const { execa } = await import("execa");
  // Every entry of the rootfs moved to the container's range, as an unprivileged container's are.
  await execa("sh", ["-c", `find "$1" -exec chown -h ${by}:${by} {} +`, "sh", rootOf(name)]);
};

const context = <T, TUp extends Buffer = never>(upstream: TUp[] = []) => {
  const items: T[] = [];
  return {
    items,
    context: {
      signal: new AbortController().signal,
      emit: (item: T) => {
        items.push(item);
        return Promise.resolve();
      },
      upstream: (async function* (): AsyncGenerator<TUp> {
        for (const chunk of upstream) {
          await Promise.resolve();
          yield chunk;
        }
      })(),
    },
  };
};
const plain = () => context<never>().context;

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

let hostBefore: string;
const hostState = () => {
  const stats = statSync(canary);
  return `${readFileSync(canary, "utf8")} ${stats.mode.toString(8)} ${stats.uid}:${stats.gid}`;
};

beforeEach(async () => {
  top = await mkdtemp(path.join(os.tmpdir(), "atelier-files-ops-"));
  lxcPath = path.join(top, "lxc");
  stateDir = path.join(top, "state");
  canary = path.join(top, "host", "canary");
  await mkdir(path.dirname(canary), { recursive: true });
  await mkdir(stateDir, { mode: 0o700 });
  await writeFile(canary, "host secret");
  for (const name of ["u1", "p1", "o1"]) await mkdir(path.join(lxcPath, name), { recursive: true });
  await makeContainer("u1", ["lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536"]);
  await shift("u1", 100000);
  await makeContainer("p1", []);
  await writeFile(
    path.join(lxcPath, "o1", "config"),
    `lxc.uts.name = o1\nlxc.rootfs.path = overlay:${rootOf("u1")}:${path.join(lxcPath, "o1", "delta0")}\n`,
  );
  hostBefore = hostState();
});

afterEach(async () => {
  try {
    expect(hostState()).toBe(hostBefore);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});

const ops = (
  info?: (name: string) => Promise<{ state: string; pid: number | null }>,
): THandlers<typeof filesContract> => filesOperations({ lxcPath, stateDir, ...(info ? { info } : {}) });

describe("id maps", () => {
  it("maps ids both ways, unmapped ones to 65534 or nothing", () => {
    const ranges = parseProcIdMap("         0     100000      65536\n garbage\n");
    expect(ranges).toEqual([{ inside: 0, host: 100000, count: 65536 }]);
    expect(toContainerId(ranges, 100033)).toBe(33);
    expect(toContainerId(ranges, 5)).toBe(65534);
    expect(toHostId(ranges, 33)).toBe(100033);
    expect(toHostId(ranges, 70000)).toBeNull();
    expect(toHostId(null, 7)).toBe(7);
  });
});

describe("reading a stopped container", () => {
  it("lists a directory as the container sees it: its owners and names, links as links, directories first", async () => {
    await chown(path.join(rootOf("u1"), "srv", "www", "index.html"), 100033, 100004);
    await chown(path.join(rootOf("u1"), "etc", "hosts"), 5, 5);
    const listing = await ops().list({ name: "u1", path: "/srv/www", readAs: "root" }, plain());
    expect(listing.isRunning).toBe(false);
    expect(listing.isTruncated).toBe(false);
    expect(listing.entries.map((entry) => entry.name)).toEqual(["deep", "index.html", "out", "out-dir"]);
    const index = listing.entries.find((entry) => entry.name === "index.html");
    expect(index).toMatchObject({
      path: "/srv/www/index.html",
      kind: "file",
      size: 11,
      uid: 33,
      gid: 4,
      user: "www-data",
      group: "adm",
      linkTarget: null,
    });
    expect(listing.entries.find((entry) => entry.name === "out")).toMatchObject({
      kind: "symlink",
      linkTarget: canary,
      uid: 0,
      user: "root",
    });
    const etc = await ops().list({ name: "u1", path: "/etc", readAs: "root" }, plain());
    expect(etc.entries.find((entry) => entry.name === "hosts")).toMatchObject({ uid: 65534, user: null });
    const rootDir = await ops().list({ name: "u1", path: "/", readAs: "root" }, plain());
    expect(rootDir.entries.map((entry) => entry.name)).toEqual(["etc", "mnt", "srv"]);
  });

  it("reads text bounded, says binary, and never the host's file behind a link", async () => {
    const rootfs = rootOf("u1");
    await writeFile(path.join(rootfs, "etc", "binary"), Buffer.from([0x41, 0x00, 0x42]));
    await writeFile(path.join(rootfs, "etc", "latin1"), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await writeFile(path.join(rootfs, "etc", "utf8"), "héhé");
    const files = ops();
    const read = (file: string, maxBytes?: number) =>
      files.read({ name: "u1", path: file, readAs: "root", ...(maxBytes ? { maxBytes } : {}) }, plain());
    expect(await read("/etc/hosts")).toMatchObject({
      content: "127.0.0.1 localhost\n",
      isBinary: false,
      isTruncated: false,
    });
    expect(await read("/etc/binary")).toMatchObject({ content: "", isBinary: true });
    expect(await read("/etc/latin1")).toMatchObject({ content: "", isBinary: true });
    // "h é h é" is 6 bytes: 2 bytes cut the "é" in two, which is held back rather than called binary.
    expect(await read("/etc/utf8", 2)).toMatchObject({ content: "h", isBinary: false, isTruncated: true });
    expect((await failure(read("/etc/evil"))).code).toBe("NOT_FOUND");
    expect((await failure(read("/srv/www/out"))).code).toBe("NOT_FOUND");
    expect((await failure(read(`/mnt/up${canary}`))).code).toBe("NOT_FOUND");
    expect((await failure(read("/srv"))).message).toMatch(/not a regular file/);
  });

  it("lets viewers read only what the container's others may read", async () => {
    await chmod(path.join(rootOf("u1"), "etc", "hosts"), 0o600);
    const files = ops();
    const refused = await failure(files.read({ name: "u1", path: "/etc/hosts", readAs: "other" }, plain()));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/not a file the container's other users may read/);
    await chmod(path.join(rootOf("u1"), "srv", "www"), 0o700);
    const dir = await failure(files.list({ name: "u1", path: "/srv/www", readAs: "other" }, plain()));
    expect(dir.message).toMatch(/not a directory the container's other users may list/);
    expect((await files.read({ name: "u1", path: "/etc/hosts", readAs: "root" }, plain())).content).toMatch(
      /localhost/,
    );
  });

  it("gives the guest's accounts, and says a stopped overlay clone must start", async () => {
    const accounts = await ops().accounts({ name: "u1" }, plain());
    expect(accounts.users).toEqual([
      { name: "root", uid: 0 },
      { name: "www-data", uid: 33 },
    ]);
    expect(accounts.groups.map((group) => group.name)).toEqual(["root", "www-data", "adm"]);
    const overlay = await failure(ops().list({ name: "o1", path: "/", readAs: "root" }, plain()));
    expect(overlay.code).toBe("PRECONDITION_FAILED");
    expect(overlay.hint).toMatch(/Start it to reach its files/);
    expect((await failure(ops().list({ name: "nope", path: "/", readAs: "root" }, plain()))).code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("changing a stopped container", () => {
  it("writes a new file owned by the container's root, replaces a link rather than following it, and checks the mtime", async () => {
    const files = ops();
    const made = await files.write({ name: "u1", path: "/etc/new.conf", content: "a = 1\n" }, plain());
    expect(made).toMatchObject({ kind: "file", uid: 0, gid: 0, user: "root", mode: 0o644, size: 6 });
    expect(lstatSync(path.join(rootOf("u1"), "etc", "new.conf")).uid).toBe(100000);
    const evil = await files.write({ name: "u1", path: "/etc/evil", content: "mine" }, plain());
    expect(evil.kind).toBe("file");
    expect(readFileSync(path.join(rootOf("u1"), "etc", "evil"), "utf8")).toBe("mine");
    const conflict = await failure(
      files.write(
        { name: "u1", path: "/etc/new.conf", content: "b", expectedMtime: "2001-01-01T00:00:00.000Z" },
        plain(),
      ),
    );
    expect(conflict.code).toBe("CONFLICT");
    await files.write(
      { name: "u1", path: "/etc/new.conf", content: "b", expectedMtime: made.mtime },
      plain(),
    );
    // Through mnt/up, still inside the rootfs.
    await files.write({ name: "u1", path: `/mnt/up/mnt/up/top`, content: "t" }, plain());
    expect(readFileSync(path.join(rootOf("u1"), "top"), "utf8")).toBe("t");
  });

  it("never changes what the container's id map does not reach", async () => {
    const rootfs = rootOf("u1");
    await chown(path.join(rootfs, "etc", "hosts"), 5, 5);
    await mkdir(path.join(rootfs, "srv", "hostbind"));
    await chown(path.join(rootfs, "srv", "hostbind"), 0, 0);
    const files = ops();
    const refused = await failure(files.chmod({ name: "u1", path: "/etc/hosts", mode: 0o666 }, plain()));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/host id 5, outside the id map of "u1"/);
    expect((await failure(files.write({ name: "u1", path: "/etc/hosts", content: "x" }, plain()))).code).toBe(
      "FORBIDDEN",
    );
    expect(
      (await failure(files.write({ name: "u1", path: "/srv/hostbind/x", content: "x" }, plain()))).code,
    ).toBe("FORBIDDEN");
    expect((await failure(files.remove({ name: "u1", path: "/srv", recursive: true }, plain()))).code).toBe(
      "FORBIDDEN",
    );
    expect(statSync(path.join(rootfs, "etc", "hosts")).mode & 0o777).toBe(0o644);
  });

  it("needs an admin's ticket to change a privileged container, not to read it", async () => {
    const files = ops();
    const refused = await failure(files.write({ name: "p1", path: "/etc/x", content: "x" }, plain()));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/Changing files in the privileged container "p1"/);
    for (const call of [
      () => files.mkdir({ name: "p1", path: "/etc/d" }, plain()),
      () => files.remove({ name: "p1", path: "/etc/hosts", recursive: false }, plain()),
      () => files.rename({ name: "p1", from: "/etc/hosts", to: "/etc/h" }, plain()),
      () => files.chmod({ name: "p1", path: "/etc/hosts", mode: 0o600 }, plain()),
      () => files.chown({ name: "p1", path: "/etc/hosts", user: "www-data" }, plain()),
      () => files.symlink({ name: "p1", path: "/sbin-init", target: "/bin/sh" }, plain()),
      () => files.upload({ name: "p1", path: "/etc/u", size: 0 }, context<never>([]).context),
    ])
      expect((await failure(call())).code).toBe("FORBIDDEN");
    expect((await files.read({ name: "p1", path: "/etc/hosts", readAs: "root" }, plain())).content).toMatch(
      /localhost/,
    );
    expect(readFileSync(path.join(rootOf("p1"), "etc", "hosts"), "utf8")).toMatch(/localhost/);
  });

  it("makes, renames, chmods, chowns by the guest's names, links and removes, all inside the rootfs", async () => {
    const files = ops();
    const rootfs = rootOf("u1");
    expect(await files.mkdir({ name: "u1", path: "/srv/new", mode: 0o750 }, plain())).toMatchObject({
      kind: "directory",
      mode: 0o750,
      uid: 0,
    });
    expect(lstatSync(path.join(rootfs, "srv", "new")).uid).toBe(100000);
    const owned = await files.chown({ name: "u1", path: "/srv/new", user: "www-data", group: "4" }, plain());
    expect(owned).toMatchObject({ uid: 33, gid: 4, user: "www-data", group: "adm" });
    expect(lstatSync(path.join(rootfs, "srv", "new")).uid).toBe(100033);
    expect(
      (await failure(files.chown({ name: "u1", path: "/srv/new", user: "nobody-here" }, plain()))).message,
    ).toMatch(/"nobody-here" is not a user of "u1"/);
    expect(
      (await failure(files.chown({ name: "u1", path: "/srv/new", user: "70000" }, plain()))).message,
    ).toMatch(/Id 70000 is outside the id map/);
    expect(await files.chmod({ name: "u1", path: "/srv/new", mode: 0o2775 }, plain())).toMatchObject({
      mode: 0o2775,
    });
    expect(
      (await failure(files.chmod({ name: "u1", path: "/srv/www/out", mode: 0o777 }, plain()))).message,
    ).toMatch(/symbolic link/);
    // The link's own owner changes, never the host file it names.
    await files.chown({ name: "u1", path: "/srv/www/out", user: "www-data" }, plain());
    expect(lstatSync(path.join(rootfs, "srv", "www", "out")).uid).toBe(100033);
    const moved = await files.rename({ name: "u1", from: "/srv/www/out", to: "/srv/new/out" }, plain());
    expect(moved).toMatchObject({ kind: "symlink", linkTarget: canary });
    expect(
      (await failure(files.rename({ name: "u1", from: "/etc/hosts", to: "/etc/passwd" }, plain()))).code,
    ).toBe("CONFLICT");
    const link = await files.symlink(
      { name: "u1", path: "/etc/init", target: "/lib/systemd/systemd" },
      plain(),
    );
    expect(link).toMatchObject({ kind: "symlink", linkTarget: "/lib/systemd/systemd", uid: 0 });
    expect(lstatSync(path.join(rootfs, "etc", "init")).uid).toBe(100000);
    await files.symlink({ name: "u1", path: "/etc/init", target: "/bin/busybox" }, plain());
    expect(readlinkSync(path.join(rootfs, "etc", "init"))).toBe("/bin/busybox");
    expect(
      (await failure(files.remove({ name: "u1", path: "/srv/www", recursive: false }, plain()))).message,
    ).toMatch(/not empty/);
    expect(await files.remove({ name: "u1", path: "/srv/www", recursive: true }, plain())).toEqual({
      removed: 5,
    });
    expect(await files.remove({ name: "u1", path: "/mnt/up", recursive: true }, plain())).toEqual({
      removed: 1,
    });
    expect(lstatSync(path.join(rootfs, "etc")).isDirectory()).toBe(true);
    await lchown(path.join(rootfs, "etc", "init"), 100000, 100000);
  });
});

describe("streams", () => {
  it("downloads a file in chunks of at most 64 KiB and uploads one from chunks", async () => {
    const big = Buffer.alloc(200_000);
    for (let index = 0; index < big.length; index += 1) big[index] = index % 251;
    await writeFile(path.join(rootOf("u1"), "srv", "big"), big);
    const files = ops();
    const down = context<Buffer>();
    expect(await files.download({ name: "u1", path: "/srv/big", readAs: "root" }, down.context)).toEqual({
      bytes: 200_000,
    });
    expect(down.items.every((chunk) => chunk.length <= MAX_CHUNK_BYTES)).toBe(true);
    expect(Buffer.concat(down.items).equals(big)).toBe(true);
    const chunks = [big.subarray(0, 65_536), big.subarray(65_536, 131_072), big.subarray(131_072)];
    const up = context<never, Buffer>(chunks);
    const entry = await files.upload(
      { name: "u1", path: "/srv/copy", size: big.length, mode: 0o600 },
      up.context,
    );
    expect(entry).toMatchObject({ size: 200_000, mode: 0o600, uid: 0 });
    expect(readFileSync(path.join(rootOf("u1"), "srv", "copy")).equals(big)).toBe(true);
    const short = await failure(
      files.upload(
        { name: "u1", path: "/srv/short", size: 10 },
        context<never, Buffer>([Buffer.from("abc")]).context,
      ),
    );
    expect(short.message).toMatch(/sent 3 bytes instead of the 10 announced/);
    expect(() => lstatSync(path.join(rootOf("u1"), "srv", "short"))).toThrow();
    expect(
      (await failure(files.download({ name: "u1", path: "/srv/www/out", readAs: "root" }, down.context)))
        .code,
    ).toBe("NOT_FOUND");
  });

  it("packs a directory as a tar: links as links (never their target's content), owners as the container sees them", async () => {
    await chown(path.join(rootOf("u1"), "srv", "www", "index.html"), 100033, 100033);
    const { execa } = await import("execa");
    await execa("mkfifo", [path.join(rootOf("u1"), "srv", "www", "fifo")]);
    const down = context<Buffer>();
    const result = await ops().tar({ name: "u1", path: "/srv/www", readAs: "root" }, down.context);
    expect(result).toEqual({ entries: 6, skipped: 1 });
    const tar = Buffer.concat(down.items);
    expect(tar.includes(Buffer.from("host secret"))).toBe(false);
    const headers: {
      name: string;
      type: string;
      linkname: string | null | undefined;
      uid: number;
      uname: string;
      body: string;
    }[] = [];
    const extractor = extract();
    const done = new Promise<void>((resolve, reject) => {
      extractor.on("entry", (header, stream, next) => {
        const parts: Buffer[] = [];
        stream.on("data", (part: Buffer) => parts.push(part));
        stream.on("end", () => {
          headers.push({
            name: header.name,
            type: header.type ?? "",
            linkname: header.linkname,
            uid: header.uid ?? -1,
            uname: header.uname ?? "",
            body: Buffer.concat(parts).toString("utf8"),
          });
          next();
        });
      });
      extractor.on("finish", () => resolve());
      extractor.on("error", reject);
    });
    extractor.end(tar);
    await done;
    const byName = Object.fromEntries(headers.map((header) => [header.name, header]));
    expect(Object.keys(byName).sort()).toEqual([
      "www/",
      "www/deep/",
      "www/deep/page",
      "www/index.html",
      "www/out",
      "www/out-dir",
    ]);
    expect(byName["www/out"]).toMatchObject({ type: "symlink", linkname: canary, body: "" });
    expect(byName["www/out-dir"]).toMatchObject({ type: "symlink", body: "" });
    expect(byName["www/index.html"]).toMatchObject({
      type: "file",
      uid: 33,
      uname: "www-data",
      body: "<h1>hi</h1>",
    });
    expect(byName["www/deep/page"]?.body).toBe("deep page");
  });

  it("stops packing when the client goes away, and reports why", async () => {
    await writeFile(path.join(rootOf("u1"), "srv", "www", "big"), Buffer.alloc(1024 * 1024, 7));
    let sent = 0;
    const gone = {
      ...plain(),
      emit: () => {
        sent += 1;
        return sent > 2 ? Promise.reject(new Error("client gone")) : Promise.resolve();
      },
    };
    await expect(ops().tar({ name: "u1", path: "/srv", readAs: "root" }, gone)).rejects.toThrow(
      "client gone",
    );
    expect(sent).toBe(3);
  });
});

describe("a running container", () => {
  it("reads through its init's /proc/PID/root, and refuses once that PID is gone or is in the helper's own namespace", async () => {
    const { execa } = await import("execa");
    // A process in a mount namespace of its own stands in for a container's init.
    const init = execa("unshare", ["--mount", "--propagation", "private", "sleep", "60"]);
    try {
      let pid: number | null = null;
      for (let tries = 0; tries < 100 && pid === null; tries += 1) {
        const children = await execa("pgrep", ["-P", String(init.pid), "sleep"], { reject: false });
        const child = Number(children.stdout.trim().split("\n")[0]);
        const ownNs = readlinkSync("/proc/self/ns/mnt");
        if (child > 0 && readlinkSync(`/proc/${child}/ns/mnt`) !== ownNs) pid = child;
        else if (init.pid && readlinkSync(`/proc/${init.pid}/ns/mnt`) !== ownNs) pid = init.pid;
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(pid).not.toBeNull();
      const files = ops(() => Promise.resolve({ state: "RUNNING", pid }));
      const stat = await files.stat({ name: "u1", path: canary, readAs: "root" }, plain());
      expect(stat).toMatchObject({ kind: "file", size: 11 });
      const listing = await files.list({ name: "u1", path: "/", readAs: "root" }, plain());
      expect(listing.isRunning).toBe(true);
      // Its uid map reaches host 0: privileged, changes need a ticket.
      expect(
        (await failure(files.write({ name: "u1", path: `${canary}-x`, content: "x" }, plain()))).code,
      ).toBe("FORBIDDEN");
      // /proc inside its root is refused as everywhere.
      expect(
        (await failure(files.read({ name: "u1", path: "/proc/self/status", readAs: "root" }, plain())))
          .message,
      ).toMatch(/filesystem Atelier never opens/);
      init.kill("SIGKILL");
      await init.catch(() => undefined);
      const gone = await failure(files.list({ name: "u1", path: "/", readAs: "root" }, plain()));
      expect(gone.code).toBe("CONFLICT");
      expect(gone.message).toMatch(/stopped or restarted/);
    } finally {
      init.kill("SIGKILL");
      await init.catch(() => undefined);
    }
    const own = ops(() => Promise.resolve({ state: "RUNNING", pid: process.pid }));
    expect((await failure(own.list({ name: "u1", path: "/", readAs: "root" }, plain()))).code).toBe(
      "CONFLICT",
    );
  });
});
