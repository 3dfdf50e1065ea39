import { describe, expect, it } from "vitest";
import { CliUsageError, parseCommandArgs } from "./api-args";
import { adviceFor } from "./api-main";
import { autostartAction, boardRows, type TBoard } from "./autostart";
import { containerRows, createRequest, lifecycleInput } from "./containers";
import {
  EXIT_CONFLICT,
  EXIT_DENIED,
  EXIT_FAILED,
  EXIT_NOT_FOUND,
  EXIT_USAGE,
  exitOfErrorCode,
} from "./exit-codes";
import { cookieHeaderOf, loginUrlOf, sameFingerprint, tokenNameOf } from "./login";
import { formatFields, formatTable } from "./output";
import { snapshotAction, snapshotRows } from "./snapshot";
import { bashCompletion } from "./completion";
import { refusal } from "./remote";

const parse = parseCommandArgs;

describe("the container commands' arguments", () => {
  it("reads options in both forms and refuses unknown ones as usage errors", () => {
    expect(parse("stop", ["web", "--timeout", "5"])).toEqual({
      positionals: ["web"],
      values: { timeout: "5" },
    });
    expect(parse("stop", ["--timeout=5", "web"]).values.timeout).toBe("5");
    expect(() => parse("ls", ["--bogus"])).toThrow(CliUsageError);
    expect(() => parse("ls", ["--bogus"])).toThrow(/^Unknown option '--bogus'$/);
    expect(parse("create", ["a", "--group", "x", "--group", "y"]).values.group).toEqual(["x", "y"]);
  });

  it("builds lifecycle inputs: --timeout in range, --kill alone", () => {
    expect(lifecycleInput("start", parse("start", ["web"]))).toEqual({ name: "web" });
    expect(lifecycleInput("stop", parse("stop", ["web", "--timeout", "9"]))).toEqual({
      name: "web",
      timeoutSeconds: 9,
    });
    expect(lifecycleInput("stop", parse("stop", ["web", "--kill"]))).toEqual({ name: "web", force: true });
    expect(() => lifecycleInput("stop", parse("stop", ["web", "--kill", "--timeout", "3"]))).toThrow(
      /--kill/,
    );
    expect(() => lifecycleInput("stop", parse("stop", ["web", "--timeout", "0"]))).toThrow(/1 to 600/);
    expect(() => lifecycleInput("start", parse("start", []))).toThrow(/missing/);
    expect(() => lifecycleInput("start", parse("start", ["a", "b"]))).toThrow(/unexpected argument "b"/);
    expect(() => lifecycleInput("start", parse("start", ["../x"]))).toThrow(CliUsageError);
  });

  it("builds a creation from a type or the wizard's fields", async () => {
    const create = (args: string[]) =>
      createRequest(parse("create", args), () => Promise.resolve("ssh-ed25519 AAAA me\n"));
    expect(await create(["db", "--type", "small"])).toEqual({
      procedure: "types.createFrom",
      input: { type: "small", name: "db" },
    });
    await expect(create(["db", "--type", "small", "--memory", "64"])).rejects.toThrow(/the type holds/);
    await expect(create(["db"])).rejects.toThrow(/one of --type/);
    await expect(create(["db", "--template", "alpine"])).rejects.toThrow(/busybox or debian/);
    await expect(create(["db", "--template", "busybox", "--release", "trixie"])).rejects.toThrow(
      /for --template debian/,
    );
    expect(await create(["db", "--template", "busybox"])).toEqual({
      procedure: "containers.create",
      input: { name: "db", rootfs: { kind: "busybox" } },
    });
    expect(
      await create([
        "db",
        "--template",
        "debian",
        "--release",
        "trixie",
        "--package",
        "curl",
        "--bridge",
        "br0",
        "--ip",
        "10.0.3.5/24",
        "--gateway",
        "10.0.3.1",
        "--memory",
        "256",
        "--cpus",
        "0-1",
        "--autostart",
        "--order",
        "3",
        "--group",
        "web",
        "--ssh-key",
        "/k.pub",
        "--privileged",
      ]),
    ).toEqual({
      procedure: "containers.create",
      input: {
        name: "db",
        rootfs: { kind: "debian", release: "trixie", packages: ["curl"] },
        network: { bridge: "br0", mode: "static", ipv4: "10.0.3.5/24", gateway: "10.0.3.1" },
        limits: { memoryMiB: 256, cpuset: "0-1" },
        autostart: { enabled: true, order: 3, groups: ["web"] },
        access: { sshKey: "ssh-ed25519 AAAA me" },
        privileged: true,
      },
    });
    expect((await create(["db", "--clone", "web", "--snapshot"])).input.rootfs).toEqual({
      kind: "clone",
      source: "web",
      snapshot: true,
    });
    await expect(create(["db", "--template", "busybox", "--ip", "10.0.0.2/24"])).rejects.toThrow(
      /need --bridge/,
    );
    await expect(create(["db", "--template", "busybox", "--order", "1"])).rejects.toThrow(/with --autostart/);
  });

  it("reads snapshot and autostart actions", () => {
    expect(snapshotAction(parse("snapshot", ["web"]))).toEqual({ action: "list", name: "web" });
    expect(snapshotAction(parse("snapshot", ["web", "create", "--comment", "x"]))).toEqual({
      action: "create",
      name: "web",
      comment: "x",
    });
    expect(snapshotAction(parse("snapshot", ["web", "restore", "snap0", "--as", "web2"]))).toEqual({
      action: "restore",
      name: "web",
      snapshot: "snap0",
      newName: "web2",
    });
    expect(() => snapshotAction(parse("snapshot", ["web", "delete"]))).toThrow(/snapshot's name is missing/);
    expect(() => snapshotAction(parse("snapshot", ["web", "explode"]))).toThrow(/unknown snapshot action/);
    expect(() => snapshotAction(parse("snapshot", ["web", "list", "--comment", "x"]))).toThrow(/--comment/);

    expect(autostartAction(parse("autostart", []))).toEqual({ action: "board" });
    expect(autostartAction(parse("autostart", ["web"]))).toEqual({ action: "show", name: "web" });
    expect(
      autostartAction(parse("autostart", ["web", "on", "--order", "2", "--delay", "5", "--group", "a"])),
    ).toEqual({
      action: "set",
      input: { name: "web", auto: true, order: 2, delay: 5, groups: ["a"] },
      name: "web",
      dependency: undefined,
    });
    expect(autostartAction(parse("autostart", ["web", "--no-group"]))).toEqual({
      action: "set",
      input: { name: "web", groups: [] },
      name: "web",
      dependency: undefined,
    });
    expect(autostartAction(parse("autostart", ["web", "on", "--after", "db", "--port", "5432"]))).toEqual({
      action: "set",
      input: { name: "web", auto: true },
      name: "web",
      dependency: { after: "db", probe: { kind: "tcp", port: 5432 }, timeoutSeconds: 60 },
    });
    expect(
      autostartAction(parse("autostart", ["web", "--after", "db", "--ping", "--timeout", "20"])),
    ).toEqual({
      action: "set",
      input: null,
      name: "web",
      dependency: { after: "db", probe: { kind: "ping" }, timeoutSeconds: 20 },
    });
    expect(autostartAction(parse("autostart", ["web", "--no-after"]))).toEqual({
      action: "set",
      input: null,
      name: "web",
      dependency: null,
    });
    expect(() => autostartAction(parse("autostart", ["web", "--after", "db"]))).toThrow(
      /--port N .* or --ping/,
    );
    expect(() =>
      autostartAction(parse("autostart", ["web", "--after", "db", "--port", "1", "--ping"])),
    ).toThrow(/--port N .* or --ping/);
    expect(() => autostartAction(parse("autostart", ["web", "--port", "80"]))).toThrow(/go with --after/);
    expect(() => autostartAction(parse("autostart", ["web", "--no-after", "--after", "db"]))).toThrow(
      /removes the dependency/,
    );
    expect(() => autostartAction(parse("autostart", ["web", "--after", "db", "--port", "70000"]))).toThrow(
      /--port: a whole number from 1 to 65535/,
    );
    expect(() =>
      autostartAction(parse("autostart", ["web", "--after", "db", "--ping", "--timeout", "601"])),
    ).toThrow(/--timeout: a whole number from 1 to 600/);
    expect(() => autostartAction(parse("autostart", ["web", "--after", "../db", "--ping"]))).toThrow(
      /--after:/,
    );
    expect(() => autostartAction(parse("autostart", ["web", "maybe"]))).toThrow(/on or off/);
    expect(() => autostartAction(parse("autostart", ["--order", "1"]))).toThrow(/which container/);
  });

  it("reads a login's URL, fingerprints and cookies", () => {
    expect(loginUrlOf("panel.example:8443").href).toBe("https://panel.example:8443/");
    expect(loginUrlOf("http://127.0.0.1:3000/x?y#z").href).toBe("http://127.0.0.1:3000/x/");
    expect(() => loginUrlOf("ftp://h")).toThrow(CliUsageError);
    expect(() => loginUrlOf("https://u:p@h")).toThrow(/no credentials/);
    const fingerprint = Array.from({ length: 32 }, (_, index) =>
      index.toString(16).padStart(2, "0").toUpperCase(),
    ).join(":");
    expect(sameFingerprint(fingerprint.toLowerCase().replace(/:/g, ""), fingerprint)).toBe(true);
    expect(sameFingerprint("00", "00")).toBe(false);
    expect(cookieHeaderOf(["a=1; Path=/; HttpOnly", "b=2"])).toBe("a=1; b=2");
    expect(tokenNameOf("host/α")).toBe("atelier CLI on host-α");
  });
});

describe("the container commands' output and exit codes", () => {
  it("aligns columns without trailing blanks", () => {
    expect(
      formatTable(
        ["NAME", "STATE"],
        [
          ["web", "RUNNING"],
          ["database", "STOPPED"],
        ],
      ),
    ).toBe("NAME      STATE\nweb       RUNNING\ndatabase  STOPPED\n");
    expect(
      formatFields([
        ["name", "web"],
        ["state", ""],
      ]),
    ).toBe("name:   web\nstate:\n");
    expect(
      containerRows([
        {
          name: "web",
          state: "RUNNING",
          pid: 1,
          ipv4: ["10.0.3.2"],
          ipv6: [],
          autostart: true,
          groups: ["a", "b"],
          unprivileged: true,
          busy: "freeze",
        },
      ]),
    ).toEqual([["web", "RUNNING (freeze)", "yes", "a,b", "10.0.3.2", "-", "yes"]]);
    expect(
      snapshotRows([
        { name: "snap0", createdAt: new Date("2024-01-02T03:04:05.678Z"), comment: null, bytes: 2048 },
      ]),
    ).toEqual([["snap0", "2024-01-02T03:04:05Z", "2.0 KiB", ""]]);
  });

  it("lists the board in boot order, then the rest", () => {
    const entry = (name: string, auto: boolean) => ({
      name,
      state: "STOPPED",
      auto,
      order: 0,
      delay: 0,
      groups: [],
      dependency: null,
      stopTimeoutSeconds: 30,
    });
    const board: TBoard = {
      bootGroups: [""],
      containers: [entry("z", false), entry("b", true), entry("a", true)],
      startOrder: ["b", "a"],
    };
    expect(boardRows(board).map((row) => [row[0], row[1]])).toEqual([
      ["1", "b"],
      ["2", "a"],
      ["-", "z"],
    ]);
  });

  it("maps the server's error codes to exit codes, and says what to do on a refused token", () => {
    expect(exitOfErrorCode("BAD_REQUEST")).toBe(EXIT_USAGE);
    expect(exitOfErrorCode("NOT_FOUND")).toBe(EXIT_NOT_FOUND);
    expect(exitOfErrorCode("UNAUTHORIZED")).toBe(EXIT_DENIED);
    expect(exitOfErrorCode("FORBIDDEN")).toBe(EXIT_DENIED);
    expect(exitOfErrorCode("CONFLICT")).toBe(EXIT_CONFLICT);
    expect(exitOfErrorCode("PRECONDITION_FAILED")).toBe(EXIT_CONFLICT);
    expect(exitOfErrorCode("NO_PROCEDURE")).toBe(EXIT_FAILED);
    expect(exitOfErrorCode(undefined)).toBe(EXIT_FAILED);
    expect(refusal(404, 'No procedure found on path "autostart.board"', "NOT_FOUND").code).toBe(
      "NO_PROCEDURE",
    );
    expect(refusal(404, "Container web does not exist", "NOT_FOUND").code).toBe("NOT_FOUND");
    expect(adviceFor(EXIT_DENIED, "the server refused the token (401): expired")).toMatch(/atelier login/);
    expect(adviceFor(EXIT_DENIED, "not allowed (403): operators only")).toBe("");
  });

  it("completes every command, and each command's options", () => {
    const script = bashCompletion();
    expect(script).toMatch(
      /compgen -W "ls info start stop restart freeze unfreeze create destroy snapshot autostart login logout completion user token subids exec attach"/,
    );
    expect(script).toContain('stop) opts="--timeout --kill --help"');
    expect(script).toContain("complete -F _atelier atelier");
  });
});
