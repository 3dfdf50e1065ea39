import { expect, it } from "vitest";
import { startThroughApi } from "../containers";
import { openTerminal } from "../console";
import { startTestMirror } from "../mirror";
import { createThroughApi } from "../security/helpers";
import { useServer } from "../use-server";

/**
 * The console and shell of a Debian container (an admin's privileged one, whose rootfs needs no owners shifted:
 * unprivileged Debian is provision.test.ts's; from the run's template cache made by
 * scripts/lib/setup.sh; the mirror on this namespace's loopback is only asked for its Release file): its own
 * /dev/console with systemd's login prompt, and bash as root's login shell from the guest's /etc/passwd.
 */
let mirror: Awaited<ReturnType<typeof startTestMirror>> | undefined;
const server = useServer({ timeoutMs: 5 * 60_000, afterStop: async () => mirror?.close() });

it("shows a Debian container's console login prompt, and starts bash as root's login shell", async () => {
  mirror = await startTestMirror();
  const made = await createThroughApi(
    server,
    { rootfs: { kind: "debian", release: "bookworm", arch: "amd64", mirror: mirror.url }, privileged: true },
    "admin",
  );
  server.made.push(made.name);
  expect(made.job?.state, made.job?.log.slice(-10).join("\n")).toBe("succeeded");
  await startThroughApi(server, made.name);
  const console = await openTerminal(server, { name: made.name, kind: "console" }, "admin");
  // systemd's getty on /dev/console may have printed its prompt before anyone looked: Enter asks again.
  const deadline = Date.now() + 90_000;
  while (!/login: /.test(console.client.text()) && Date.now() < deadline) {
    console.client.type("\r");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  expect(console.client.text()).toMatch(/login: /);
  const shell = await openTerminal(server, { name: made.name }, "admin");
  shell.client.type("echo $0 $BASH_VERSION\r");
  await shell.client.waitFor(/-?bash 5\./);
}, 240_000);
