import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { sha512Crypt, withRootPassword } from "./shadow";

describe("root passwords as SHA-512 crypt hashes", () => {
  it("hashes exactly as openssl passwd -6 (the glibc algorithm)", async () => {
    for (const [password, salt] of [
      ["correct-horse-battery", "abcdefgh"],
      ["pässwörd with spaces", "./0123456789AbCdE"],
      ["x", "Zz"],
    ] as const) {
      const { stdout: expected } = await execa("openssl", ["passwd", "-6", "-salt", salt, "-stdin"], {
        input: password,
      });
      expect(sha512Crypt(password, salt)).toBe(expected);
    }
  });

  it("draws a new 16-character salt each time", () => {
    const a = sha512Crypt("same");
    const b = sha512Crypt("same");
    expect(a).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(a).not.toBe(b);
  });

  it("sets root's field and the change date, and keeps every other line", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const shadow = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
    expect(withRootPassword(shadow, "$6$s$h", at)).toBe(
      "root:$6$s$h:20788:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
    );
    // busybox's template leaves /etc/shadow empty: root's line is added.
    expect(withRootPassword("", "$6$s$h", at)).toBe("root:$6$s$h:20788:0:99999:7:::\n");
    expect(withRootPassword("daemon:*:1::::::", "$6$s$h", at)).toBe(
      "daemon:*:1::::::\nroot:$6$s$h:20788:0:99999:7:::\n",
    );
  });
});
