import { startServer, callProcedure } from "./tests/server";
import { lxcState } from "./tests/lxc-oracle";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = await startServer();
for (const [n, poll] of [
  ["p1", false],
  ["p2", true],
] as const) {
  let polling = poll;
  const poller = (async () => {
    while (polling) {
      await callProcedure(server, "containers.get", { name: n }, { kind: "query" });
      await sleep(100);
    }
  })();
  await callProcedure(server, "containers.create", { name: n, template: "busybox" });
  await callProcedure(server, "containers.start", { name: n });
  await sleep(1400);
  await callProcedure(server, "containers.freeze", { name: n });
  await sleep(400);
  await callProcedure(server, "containers.unfreeze", { name: n });
  await sleep(300);
  const r = await callProcedure(server, "containers.stop", { name: n });
  const s1 = await lxcState(n);
  await sleep(5000);
  polling = false;
  await poller;
  console.log(n, poll ? "with polling" : "no polling", r.status, s1, "then", await lxcState(n));
}
await server.stop();
