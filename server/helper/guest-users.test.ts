import { describe, expect, it } from "vitest";
import { parseGuestGroup, parseGuestPasswd, reachesHostRoot } from "./guest-users";

describe("a guest's /etc/passwd, read as hostile text", () => {
  it("takes well-formed accounts, the first of a name, and plain paths only", () => {
    const users = parseGuestPasswd(
      [
        "root:x:0:0:root:/root:/bin/bash",
        "root:x:1000:1000:second root:/home/evil:/bin/sh",
        "app:x:1000:1000::/home/app:/usr/sbin/nologin",
        "odd:x:1001:1001::/home/$(id):/bin/sh -c id",
        "-n:x:1:1::/:/bin/sh",
        "big:x:4294967295:0::/:/bin/sh",
        "hex:x:0x10:0::/:/bin/sh",
        "short:x:1:1",
        "dots:x:2:2::/home/../../etc:/bin/../bin/sh",
        "",
      ].join("\n"),
    );
    expect(users.get("root")).toEqual({ name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/bash" });
    // No login shell, or none plain enough to pass on: /bin/sh; a home that is not plain: /.
    expect(users.get("app")).toMatchObject({ uid: 1000, shell: "/bin/sh", home: "/home/app" });
    expect(users.get("odd")).toMatchObject({ home: "/", shell: "/bin/sh" });
    expect(users.get("dots")).toMatchObject({ home: "/", shell: "/bin/sh" });
    for (const name of ["-n", "big", "hex", "short"]) expect(users.has(name)).toBe(false);
  });
});

describe("whether an id map reaches host id 0", () => {
  it("is the kernel's map read as lines of inside, outside, count", () => {
    expect(reachesHostRoot("         0          0 4294967295\n")).toBe(true);
    expect(reachesHostRoot("0 1000000 65536\n")).toBe(false);
    expect(reachesHostRoot("0 1000000 1000\n1000 1000 1\n1001 1001001 64535\n")).toBe(false);
    expect(reachesHostRoot("0 1000000 65536\n65536 0 1\n")).toBe(true);
    // Nothing to read, or something else: not proof of isolation.
    expect(reachesHostRoot("")).toBe(true);
    expect(reachesHostRoot("garbage")).toBe(true);
  });
});

describe("a guest's /etc/group, read as hostile text", () => {
  it("keeps well-formed groups, the first of a name, and skips the rest", () => {
    const groups = parseGuestGroup(
      [
        "root:x:0:",
        "adm:x:4:syslog,alice",
        "root:x:99:",
        "bad:x:-1:",
        "toolong:x:1:2:3",
        "big:x:4294967295:",
        "../x:x:5:",
        "staff:x:50:",
      ].join("\n"),
    );
    expect([...groups.values()]).toEqual([
      { name: "root", gid: 0 },
      { name: "adm", gid: 4 },
      { name: "staff", gid: 50 },
    ]);
  });
});
