import { describe, expect, it } from "vitest";
import {
  baseNameOf,
  crumbsOf,
  downloadNameOf,
  filesUrl,
  isValidName,
  modeText,
  normalizeTypedPath,
  octalOf,
  ownerText,
  parentOf,
  parseOctal,
  sortEntries,
  withBit,
} from "./files-draft";

describe("paths", () => {
  it("breaks a path into the breadcrumb's links, the root first", () => {
    expect(crumbsOf("/")).toEqual([{ name: "/", path: "/" }]);
    expect(crumbsOf("/etc/network")).toEqual([
      { name: "/", path: "/" },
      { name: "etc", path: "/etc" },
      { name: "network", path: "/etc/network" },
    ]);
  });

  it("goes up one directory, and stays at the root", () => {
    expect(parentOf("/etc/network/interfaces")).toBe("/etc/network");
    expect(parentOf("/etc")).toBe("/");
    expect(parentOf("/")).toBe("/");
  });

  it("names the last component and joins a name to a directory", () => {
    expect(baseNameOf("/etc/hostname")).toBe("hostname");
    expect(baseNameOf("/")).toBe("/");
    expect(["/", "/etc"].map((directory) => `${directory}|${baseNameOf(directory)}`)).toEqual([
      "/|/",
      "/etc|etc",
    ]);
  });

  it("reads what was typed in the path bar as the absolute path the server takes", () => {
    expect(normalizeTypedPath("etc//network/")).toBe("/etc/network");
    expect(normalizeTypedPath("/etc/./network/../hosts")).toBe("/etc/hosts");
    expect(normalizeTypedPath("/../..")).toBe("/");
    expect(normalizeTypedPath("   ")).toBeNull();
  });

  it("takes one component as a name, never a path or a dot name", () => {
    expect(isValidName("hosts.new")).toBe(true);
    for (const bad of ["", ".", "..", "a/b", "a\0b", "x".repeat(256)]) expect(isValidName(bad)).toBe(false);
  });
});

describe("modes", () => {
  it("writes a mode as ls -l does, special bits included", () => {
    expect(modeText(0o755, "directory")).toBe("drwxr-xr-x");
    expect(modeText(0o644)).toBe("-rw-r--r--");
    expect(modeText(0o4755)).toBe("-rwsr-xr-x");
    expect(modeText(0o2644)).toBe("-rw-r-Sr--");
    expect(modeText(0o1777, "directory")).toBe("drwxrwxrwt");
    expect(modeText(0o777, "symlink")).toBe("lrwxrwxrwx");
  });

  it("writes and reads octal as chmod does", () => {
    expect(octalOf(0o755)).toBe("0755");
    expect(octalOf(0o4755)).toBe("4755");
    expect(parseOctal("644")).toBe(0o644);
    expect(parseOctal(" 1777 ")).toBe(0o1777);
    for (const bad of ["", "8", "12345", "-1", "0x1"]) expect(parseOctal(bad)).toBeNull();
  });

  it("sets and clears one bit", () => {
    expect(withBit(0o644, 0o100, true)).toBe(0o744);
    expect(withBit(0o4755, 0o4000, false)).toBe(0o755);
  });
});

describe("listing", () => {
  it("names the owner as the container does, or by id where it has no name", () => {
    expect(ownerText({ uid: 0, gid: 0, user: "root", group: "root" })).toBe("root:root");
    expect(ownerText({ uid: 1000, gid: 100, user: null, group: "users" })).toBe("1000:users");
  });

  it("puts directories first, then names in byte order", () => {
    const sorted = sortEntries([
      { name: "b", kind: "file" },
      { name: "z", kind: "directory" },
      { name: "a", kind: "symlink" },
      { name: "c", kind: "directory" },
    ] as const);
    expect(sorted.map((entry) => entry.name)).toEqual(["c", "z", "a", "b"]);
  });

  it("builds the streaming URL and the download's name", () => {
    expect(filesUrl("web 1", "/etc/a b")).toBe("/api/containers/web%201/files?path=%2Fetc%2Fa+b");
    expect(filesUrl("web", "/tmp/x", 0o600)).toBe("/api/containers/web/files?path=%2Ftmp%2Fx&mode=0600");
    expect(downloadNameOf({ path: "/etc", kind: "directory" })).toBe("etc.tar");
    expect(downloadNameOf({ path: "/", kind: "directory" })).toBe("root.tar");
    expect(downloadNameOf({ path: "/etc/hosts", kind: "file" })).toBe("hosts");
  });
});
