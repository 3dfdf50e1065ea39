import { describe, expect, it } from "vitest";
import {
  attachArgv,
  GUEST_SCRIPTS,
  guestCommands,
  guestFailure,
  modeText,
  ownerSpecs,
  reasonOf,
  temporaryNextTo,
} from "./files-running";

/**
 * The commands a change to a running container's files runs inside it (lxc-attach): constant scripts, and every
 * value a separate argument, whatever it holds. Real LXC runs them in tests/integration/files-running.test.ts.
 */
const HOSTILE = [
  "/root/a file with spaces",
  "/root/new\nline",
  "/root/-rf",
  "/-n",
  "/root/'single' \"double\"",
  "/root/$(touch /tmp/pwned)",
  "/root/`id`",
  "/root/a;b&&c|d>e<f",
  "/root/*?[x]",
  "/root/\\back\\slash",
  "/root/é ✓",
];

const scripts: string[] = Object.values(GUEST_SCRIPTS);

/** The values after sh -c SCRIPT sh: the script is one of the constants, and only they follow. */
const shellParts = (argv: readonly string[]) => {
  expect(argv.slice(0, 2)).toEqual(["sh", "-c"]);
  expect(scripts).toContain(argv[2]);
  expect(argv[3]).toBe("sh");
  return { script: argv[2] ?? "", args: argv.slice(4) };
};

describe("commands inside a running container", () => {
  it("gives lxc-attach the container, a clean environment and the command after --, untouched", () => {
    const command = ["rm", "-f", "--", "/root/$(id)"];
    expect(attachArgv("/var/lib/lxc", "web1", command)).toEqual([
      "-n",
      "web1",
      "-P",
      "/var/lib/lxc",
      "--clear-env",
      "-v",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "-v",
      "LC_ALL=C",
      "--",
      ...command,
    ]);
  });

  it("passes hostile names as whole arguments, never inside a script, after -- where the tool takes options", () => {
    for (const name of HOSTILE) {
      const temporary = temporaryNextTo(name);
      expect(guestCommands.receive(temporary)).toEqual(["sh", "-c", GUEST_SCRIPTS.receive, "sh", temporary]);
      expect(shellParts(guestCommands.install(temporary, name, 0o644, null)).args).toEqual([
        temporary,
        "00644",
        "",
        "",
        name,
      ]);
      expect(guestCommands.discard(temporary)).toEqual(["rm", "-f", "--", temporary]);
      expect(guestCommands.mkdir(name, 0o755)).toEqual(["mkdir", "-m", "00755", "--", name]);
      expect(guestCommands.rename(name, `${name}2`)).toEqual(["mv", "-n", "-T", "--", name, `${name}2`]);
      expect(guestCommands.remove(name, "entry")).toEqual(["rm", "-f", "--", name]);
      expect(guestCommands.remove(name, "emptyDirectory")).toEqual(["rmdir", "--", name]);
      expect(guestCommands.remove(name, "tree")).toEqual(["rm", "-r", "-f", "--", name]);
      expect(guestCommands.chmod(name, 0o4755)).toEqual(["chmod", "--", "04755", name]);
      expect(shellParts(guestCommands.chown(name, 1000, 100)).args).toEqual([name, "+1000:+100", "1000:100"]);
      // A link's text is the guest's, whatever it says: an argument too, even one that looks like an option.
      for (const target of ["-rf", "../../../..", "$(reboot)", "a\nb", name])
        expect(shellParts(guestCommands.symlink(target, temporary, name)).args).toEqual([
          target,
          temporary,
          name,
        ]);
    }
  });

  it("keeps every value out of the scripts: they only name positional parameters, always quoted", () => {
    for (const script of scripts) {
      // Every parameter expansion is "$N" in double quotes; nothing else is expanded or substituted.
      expect(script.replace(/"\$[1-5]"/g, "")).not.toMatch(/[$`]/);
      // Every tool given a path takes it after --.
      for (const line of script.split(/\n|;|&&|\|\|/)) {
        const words = line.trim().split(/\s+/);
        const tool = ["chown", "chmod", "mv", "rm", "ln", "sync"].find((each) => words.includes(each));
        if (tool) expect(words.slice(words.indexOf(tool)), line).toContain("--");
      }
    }
  });

  it("writes modes in five octal digits and owners as both chowns take numbers", () => {
    expect(modeText(0)).toBe("00000");
    expect(modeText(0o644)).toBe("00644");
    expect(modeText(0o2755)).toBe("02755");
    expect(modeText(0o7777)).toBe("07777");
    expect(ownerSpecs(0, 0)).toEqual({ coreutils: "+0:+0", busybox: "0:0" });
    expect(ownerSpecs(5, undefined)).toEqual({ coreutils: "+5", busybox: "5" });
    expect(ownerSpecs(undefined, 7)).toEqual({ coreutils: ":+7", busybox: ":7" });
    expect(shellParts(guestCommands.install("/t", "/f", 0o600, { uid: 3, gid: 4 })).args).toEqual([
      "/t",
      "00600",
      "+3:+4",
      "3:4",
      "/f",
    ]);
  });

  it("names temporary files next to the target, each time another", () => {
    const first = temporaryNextTo("/etc/hostname");
    expect(first).toMatch(/^\/etc\/\.atelier-[0-9a-f]{16}$/);
    expect(temporaryNextTo("/etc/hostname")).not.toBe(first);
    expect(temporaryNextTo("/top")).toMatch(/^\/\.atelier-[0-9a-f]{16}$/);
  });

  it("says a guest tool's failure by the kernel's words, its own text bounded and on one line", () => {
    const failed = (stderr: string) => ({ exitCode: 1, signal: null, timedOut: false, stderr });
    expect(guestFailure("c1", "/x", failed("cat: write error: No space left on device")).message).toMatch(
      /No space left/,
    );
    expect(guestFailure("c1", "/x", failed("mv: can't rename: Read-only file system")).message).toMatch(
      /read-only/,
    );
    expect(guestFailure("c1", "/d", failed("rmdir: '/d': Directory not empty")).message).toMatch(/not empty/);
    expect(
      guestFailure("c1", "/x", failed("lxc-attach: c1: attach.c: get_attach_context: Failed to get init pid"))
        .code,
    ).toBe("CONFLICT");
    const hostile = `\u001b[2J${"A".repeat(10_000)}\r\nlast words`;
    const said = guestFailure("c1", "/x", failed(hostile));
    expect(said.code).toBe("PRECONDITION_FAILED");
    expect(said.message).toContain("last words");
    expect(said.message.length).toBeLessThan(500);
    expect([...reasonOf(hostile)].every((char) => char.charCodeAt(0) >= 32)).toBe(true);
    expect(
      guestFailure("c1", "/x", { exitCode: null, signal: 9, timedOut: true, stderr: "" }).message,
    ).toMatch(/timed out/);
  });
});
