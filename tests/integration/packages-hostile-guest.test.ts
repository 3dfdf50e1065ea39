import { expect, it } from "vitest";
import { attach, startThroughApi } from "../containers";
import { createBusybox } from "../security/helpers";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * A hostile guest's package manager: its `dpkg-query` (a script root in the container planted) leaves a process of
 * its own session holding lxc-attach's stdout, printing for ever. lxc-attach hands the guest its own pipes; the
 * helper's kill of the command's group does not reach a process that called setsid. A viewer's list must still
 * answer, and the helper must not keep reading (the process left behind dies of EPIPE).
 */
const server = useServer({ timeoutMs: 4 * 60_000 });

it("answers a packages list whose guest program leaves a process holding its output", async () => {
  const name = await createBusybox(server);
  server.made.push(name);
  await startThroughApi(server, name);
  const script = [
    "#!/bin/sh",
    "setsid sh -c 'while :; do echo held-by-the-guest; sleep 0.2; done' &",
    'echo "dpkg-query 1.21"',
    "exit 0",
  ].join("\n");
  await attach(name, [
    "sh",
    "-c",
    `printf '%s\\n' '${script.replaceAll("'", "'\\''")}' > /bin/dpkg-query && chmod 755 /bin/dpkg-query`,
  ]);
  expect((await attach(name, ["cat", "/bin/dpkg-query"])).stdout).toContain("setsid");

  const started = Date.now();
  const listed = await callProcedure(server, "packages.list", { name }, { kind: "query", as: "viewer" });
  const seconds = (Date.now() - started) / 1000;
  // Answered (whatever it says of the fake dpkg) well before the helper's own timeout for the call (1 min).
  expect(seconds, JSON.stringify(listed.error ?? listed.data)).toBeLessThan(45);
  // Nothing left printing inside: its pipe was closed.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect((await attach(name, ["ps", "-o", "pid,args"])).stdout).not.toContain("held-by-the-guest");
}, 180_000);
