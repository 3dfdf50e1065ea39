import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkConfigWithLiblxc } from "@/server/lxc";
import { LxcConfig } from "@/server/schemas/lxc-config/model";

const busybox = () =>
  readFile(
    path.resolve(import.meta.dirname, "../../server/lxc-config/__fixtures__/busybox-template.conf"),
    "utf8",
  );

describe("liblxc's verdict on a candidate config", () => {
  it("accepts what the busybox template writes, and an edit made through the model", async () => {
    expect(await checkConfigWithLiblxc(await busybox())).toEqual({ isValid: true });
    const edited = LxcConfig.parse(await busybox())
      .set("lxc.tty.max", "2")
      .add("lxc.net.0.ipv4.address", "10.0.3.5/24");
    expect(await checkConfigWithLiblxc(edited.toString())).toEqual({ isValid: true });
  });

  it("names the line and the reason for an unknown key", async () => {
    const text = "lxc.uts.name = web\nlxc.tty.max = 2\nlxc.foo.bar = 1\n";
    expect(await checkConfigWithLiblxc(text)).toEqual({
      isValid: false,
      line: 3,
      message: 'Unsupported config key "lxc.foo.bar"',
    });
  });

  it("names the line of an invalid address and of a missing include", async () => {
    const address = await checkConfigWithLiblxc(
      "lxc.net.0.type = veth\nlxc.net.0.ipv4.address = 300.1.1.1/24\n",
    );
    expect(address).toMatchObject({
      isValid: false,
      line: 2,
      message: 'Invalid ipv4 address "300.1.1.1/24"',
    });
    const include = await checkConfigWithLiblxc("# first\nlxc.include = /nonexistent/atelier.conf\n");
    expect(include).toMatchObject({ isValid: false, line: 2 });
    expect(include.isValid === false && include.message).toMatch(
      /Failed to open file "\/nonexistent\/atelier.conf"/,
    );
  });
});
