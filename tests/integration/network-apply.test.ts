import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import { helperStateDirOf } from "@/server/layout";
import { ip, addressesOf, defaultRoute, makePeerNamespace, type TPeerNamespace } from "../netns";
import { callProcedure } from "../server";
import { useServer } from "../use-server";

/**
 * Applying host network changes, in a namespace standing in for a host: `atnic0` (a veth whose other end, `lan0`, is
 * in a "LAN" namespace this test makes) plays the physical NIC, 192.0.2.10/24 with the default route via the LAN's
 * 192.0.2.1. The "browser" calls the server from the LAN namespace, over that NIC, so that the changes really do
 * touch its session. /etc is a temporary directory laid out like a Debian host with ifupdown.
 */
let lan: TPeerNamespace;
let lanUrl: string;
const server = useServer({
  hostDir: true,
  // Reached from the "LAN" namespace over plain HTTP (HTTPS by default is tests/security/tls.test.ts's).
  env: ({ hostDir }) => ({ HOST: "0.0.0.0", ATELIER_ALLOW_HTTP: "1", ATELIER_HOST_ROOT: hostDir }),
  beforeStart: async ({ hostDir }) => {
    lan = await makePeerNamespace({
      hostName: "atnic0",
      peerName: "lan0",
      hostCidr: "192.0.2.10/24",
      peerCidr: "192.0.2.1/24",
    });
    await ip("route", "replace", "default", "via", "192.0.2.1", "dev", "atnic0");
    // Read by the web tier (user atelier) for the persistence preview, written by the helper (root).
    await mkdir(path.join(hostDir, "etc/network/interfaces.d"), { recursive: true });
    await writeFile(
      path.join(hostDir, "etc/network/interfaces"),
      "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nallow-hotplug atnic0\niface atnic0 inet dhcp\n",
    );
  },
  afterStop: async () => {
    for (const link of ["atbr1", "attun0"]) await ip("link", "del", link).catch(() => undefined);
    await ip("route", "del", "default").catch(() => undefined);
    await lan?.close();
  },
});
const hostRoot = server.hostDir;
beforeAll(() => {
  lanUrl = server.url.replace("127.0.0.1", "192.0.2.10");
});

type TPlan = {
  steps: { argv: string[] }[];
  undo: { argv: string[] }[];
  touchesSession: boolean;
  warnings: string[];
  digest: string;
  persist: { system: string; files: { path: string; content: string | null; diff: string }[] };
};
type TApply = { applyId: string; state: string; rollbackAt: Date | null };

/** A procedure called from the LAN namespace, as the admin's browser would. */
const fromLan = async (
  procedure: string,
  input: unknown,
  kind: "query" | "mutation" = "mutation",
  timeoutMs = 3000,
) => {
  const envelope = JSON.stringify(superjson.serialize(input));
  const headers = { authorization: `Bearer ${server.tokens.admin}`, "content-type": "application/json" };
  const response =
    kind === "query"
      ? await lan.fetch(`${lanUrl}/api/trpc/${procedure}?input=${encodeURIComponent(envelope)}`, {
          headers,
          timeoutMs,
        })
      : await lan.fetch(`${lanUrl}/api/trpc/${procedure}`, {
          method: "POST",
          headers,
          body: envelope,
          timeoutMs,
        });
  if (!response) return null;
  const body = JSON.parse(response.body) as {
    result?: { data: unknown };
    error?: { json: { message: string } };
  };
  return {
    status: response.status,
    data: body.result ? superjson.deserialize(body.result.data as never) : undefined,
    error: body.error?.json,
  };
};
const admin = (procedure: string, input: unknown, kind: "query" | "mutation" = "mutation") =>
  callProcedure(server, procedure, input, { kind, as: "admin" });

const waitFor = async (check: () => Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe("network.applyPlan", () => {
  it("builds the seed's bridge from the LAN, keeps it when the browser confirms over the new path, and persists what is live", async () => {
    const changes = [
      { op: "bridge.create", name: "atbr1", stp: false, forwardDelay: 2 },
      { op: "bridge.addPort", bridge: "atbr1", port: "atnic0", moveAddresses: true },
    ];
    const planned = await fromLan("network.plan", { changes }, "query");
    expect(planned?.status).toBe(200);
    const plan = planned?.data as TPlan;
    // The browser came in on atnic0: this plan touches its session.
    expect(plan.touchesSession).toBe(true);
    expect(plan.persist.system).toBe("ifupdown");
    expect(plan.persist.files.map((file) => file.path)).toEqual(["/etc/network/interfaces.d/atelier"]);
    const predicted = plan.persist.files[0]?.content ?? "";
    expect(predicted).toContain(
      [
        "iface atnic0 inet manual",
        "auto atbr1",
        "iface atbr1 inet static",
        "    address 192.0.2.10/24",
        "    gateway 192.0.2.1",
        "    bridge_ports atnic0",
        "    bridge_stp off",
        "    bridge_fd 2",
      ].join("\n"),
    );
    // The admin's own stanza for the NIC would fight with Atelier's at boot: reported, not edited.
    expect(JSON.stringify(planned?.data)).toContain("/etc/network/interfaces line 6 also configures atnic0");

    const applied = await fromLan("network.applyPlan", { changes, digest: plan.digest });
    expect(applied?.status).toBe(200);
    const result = applied?.data as TApply;
    expect(result.state).toBe("pending");
    const seconds = ((result.rollbackAt?.getTime() ?? 0) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);

    expect(await addressesOf("atbr1")).toEqual(["192.0.2.10/24"]);
    expect(await addressesOf("atnic0")).toEqual([]);
    expect(await defaultRoute()).toMatchObject({ gateway: "192.0.2.1", dev: "atbr1" });
    // Not persisted before it is confirmed.
    await expect(readFile(path.join(hostRoot, "etc/network/interfaces.d/atelier"), "utf8")).rejects.toThrow();
    // One change at a time.
    expect((await admin("network.applyPlan", { changes, digest: plan.digest })).status).toBe(409);

    // The browser reaches Atelier over the bridge now: it confirms.
    const confirmed = await fromLan("network.confirm", { applyId: result.applyId });
    expect(confirmed?.status).toBe(200);
    expect(confirmed?.data).toMatchObject({ state: "confirmed" });

    const written = await readFile(path.join(hostRoot, "etc/network/interfaces.d/atelier"), "utf8");
    expect(written).toBe(predicted);
    const persisted = (await admin("network.persisted", undefined, "query")).data as {
      inSync: boolean;
      managed: string[];
    };
    expect(persisted).toMatchObject({ inSync: true, managed: ["atbr1"] });

    const audit = (await admin("audit.list", { limit: 20 }, "query")).data as {
      entries: { action: string; result: string }[];
    };
    expect(audit.entries.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(["network.applyPlan", "network.confirm"]),
    );
  });

  it("survives a deliberate mistake: the change that cuts the browser off is rolled back when no confirmation comes", async () => {
    const changes = [{ op: "address.remove", dev: "atbr1", cidr: "192.0.2.10/24" }];
    const plan = (await fromLan("network.plan", { changes }, "query"))?.data as TPlan;
    expect(plan.touchesSession).toBe(true);
    expect(plan.warnings.join(" ")).toMatch(/also removes the default route/);

    const started = Date.now();
    const answer = await fromLan(
      "network.applyPlan",
      { changes, digest: plan.digest, rollbackSeconds: 10 },
      "mutation",
      1500,
    );
    // Its answer cannot come back: the address it would come from is gone.
    expect(answer).toBeNull();
    expect(await addressesOf("atbr1")).toEqual([]);
    expect(await lan.fetch(`${lanUrl}/api/health`, { timeoutMs: 1000 })).toBeNull();

    // Nobody can confirm; after 10 s the previous state is back, default route included.
    await waitFor(async () => (await defaultRoute())?.dev === "atbr1", 20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
    expect(await defaultRoute()).toMatchObject({ gateway: "192.0.2.1", dev: "atbr1" });
    expect((await lan.fetch(`${lanUrl}/api/health`))?.status).toBe(200);

    const [latest] = (await admin("network.applies", undefined, "query")).data as {
      state: string;
      message: string;
      log: { argv: string[]; undo: boolean; ok: boolean }[];
    }[];
    expect(latest).toMatchObject({
      state: "rolled-back",
      message: "Not confirmed within 10 s: rolled back automatically.",
    });
    expect(latest?.log.filter((line) => line.undo).map((line) => line.argv.join(" "))).toEqual([
      "ip addr add 192.0.2.10/24 dev atbr1",
      "ip route replace default via 192.0.2.1 dev atbr1",
    ]);
    // A confirmation that comes too late is refused, and says what happened.
    const late = await fromLan("network.confirm", { applyId: (latest as unknown as { id: string }).id });
    expect(late?.status).toBe(412);
    expect(late?.error?.message).toMatch(/rolled-back/);
    // The rollback is in the audit log, by Atelier itself.
    const audit = (await admin("audit.list", { limit: 5 }, "query")).data as {
      entries: { action: string; actor: string }[];
    };
    expect(audit.entries).toContainEqual(
      expect.objectContaining({ action: "network.rollback", actor: "atelier" }),
    );
  });

  it("undoes the steps already run when one fails halfway", async () => {
    // A tun device is not Ethernet: the kernel refuses it as a bridge port, which the plan cannot know.
    await ip("tuntap", "add", "dev", "attun0", "mode", "tun");
    const changes = [
      { op: "address.add", dev: "atbr1", cidr: "198.51.100.1/24" },
      { op: "bridge.addPort", bridge: "atbr1", port: "attun0" },
    ];
    const plan = (await admin("network.plan", { changes }, "query")).data as TPlan;
    const failed = await admin("network.applyPlan", { changes, digest: plan.digest });
    expect(failed.status).toBe(400);
    expect(failed.error?.message).toMatch(
      /^Step 2 \(ip link set attun0 master atbr1\) failed: .+ The 1 step before it was undone: the host is as it was\.$/,
    );
    expect(await addressesOf("atbr1")).toEqual(["192.0.2.10/24"]);
    const [latest] = (await admin("network.applies", undefined, "query")).data as { state: string }[];
    expect(latest?.state).toBe("failed");
  });

  it("runs a plan only as reviewed, for admins, with a valid rollback time", async () => {
    const changes = [{ op: "address.add", dev: "atbr1", cidr: "198.51.100.1/24" }];
    const plan = (await admin("network.plan", { changes }, "query")).data as TPlan;
    const stale = await admin("network.applyPlan", { changes, digest: "0".repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.error?.data.field).toBe("digest");
    const operator = await callProcedure(
      server,
      "network.applyPlan",
      { changes, digest: plan.digest },
      { as: "operator" },
    );
    expect(operator.status).toBe(403);
    const bad = await admin("network.applyPlan", { changes, digest: plan.digest, rollbackSeconds: 1 });
    expect(bad.status).toBe(400);
    expect(bad.error?.data.field).toBe("rollbackSeconds");
    expect(await addressesOf("atbr1")).toEqual(["192.0.2.10/24"]);
  });

  it("rolls back at start-up a change that was waiting when Atelier was killed", async () => {
    const changes = [{ op: "address.add", dev: "atbr1", cidr: "198.51.100.1/24" }];
    const plan = (await admin("network.plan", { changes }, "query")).data as TPlan;
    const applied = await admin("network.applyPlan", { changes, digest: plan.digest, rollbackSeconds: 600 });
    expect(applied.data).toMatchObject({ state: "pending" });
    expect(await addressesOf("atbr1")).toContain("198.51.100.1/24");
    await server.crash();
    await server.restart();
    expect(await addressesOf("atbr1")).toEqual(["192.0.2.10/24"]);
    const [latest] = (await admin("network.applies", undefined, "query")).data as {
      state: string;
      message: string;
    }[];
    expect(latest).toMatchObject({
      state: "rolled-back",
      message: "Atelier stopped before this change was confirmed: rolled back at start-up.",
    });
  });

  it("the web tier killed while a change waits: the helper still rolls it back on time, and its successor records it", async () => {
    const changes = [{ op: "address.add", dev: "atbr1", cidr: "198.51.100.2/24" }];
    const plan = (await admin("network.plan", { changes }, "query")).data as TPlan;
    const applied = await admin("network.applyPlan", { changes, digest: plan.digest, rollbackSeconds: 5 });
    expect(applied.data).toMatchObject({ state: "pending" });
    expect(await addressesOf("atbr1")).toContain("198.51.100.2/24");
    const helperBefore = await server.helperPid();
    await server.killWebTier();
    expect(await server.helperPid()).toBe(helperBefore);
    // Nobody confirms: undone on time by the web tier started again (it found the change still waiting in the
    // helper) or, had it come back later, by the helper's own timer.
    await waitFor(async () => !(await addressesOf("atbr1")).includes("198.51.100.2/24"), 30_000);
    await expect
      .poll(
        async () =>
          (
            (await admin("network.applies", undefined, "query")).data as { state: string; message: string }[]
          )[0],
        { timeout: 15_000 },
      )
      .toMatchObject({
        state: "rolled-back",
        message: "Not confirmed within 5 s: rolled back automatically.",
      });
  });

  it("kill -9 in the middle of applying a change of many steps: the restart undoes every step that was made", async () => {
    const before = await addressesOf("atbr1");
    const ours = (addresses: string[]) => addresses.filter((address) => address.startsWith("203.0.113."));
    const changes = Array.from({ length: 50 }, (_, index) => ({
      op: "address.add",
      dev: "atbr1",
      cidr: `203.0.113.${index + 1}/24`,
    }));
    const planned = await admin("network.plan", { changes }, "query");
    expect(planned.status, JSON.stringify(planned.error)).toBe(200);
    const plan = planned.data as TPlan;
    const applying = admin("network.applyPlan", { changes, digest: plan.digest, rollbackSeconds: 600 }).catch(
      () => null,
    );
    // The barrier: the first step is live on the host; the kill comes while the others are being made.
    const deadline = Date.now() + 30_000;
    while (ours(await addressesOf("atbr1")).length === 0) {
      if (Date.now() > deadline) throw new Error("the apply never started");
    }
    await server.crash();
    const made = ours(await addressesOf("atbr1")).length;
    await applying;
    // The kill landed mid-apply, not before or after: the dead helper's journal holds the change still applying,
    // with some of its steps counted and the rest not, and the host has exactly the addresses of the steps that
    // returned (the one in flight, counted ahead, may or may not have been made).
    const journal = JSON.parse(
      await readFile(path.join(helperStateDirOf(server.dataDir), "network.json"), "utf8"),
    ) as { active: { state: string; steps: unknown[]; done: number; logged: number } | null };
    const killedAt = `killed with ${made} of ${changes.length} addresses made: ${JSON.stringify({
      ...journal.active,
      steps: journal.active?.steps.length,
    })}`;
    expect(journal.active?.state, killedAt).toBe("applying");
    expect(journal.active?.steps.length, killedAt).toBe(changes.length);
    expect(journal.active?.done, killedAt).toBeGreaterThan(0);
    expect(journal.active?.done, killedAt).toBeLessThan(changes.length);
    expect(made, killedAt).toBeGreaterThan(0);
    expect(made, killedAt).toBeGreaterThanOrEqual(journal.active?.logged ?? Infinity);
    expect(made, killedAt).toBeLessThanOrEqual(journal.active?.done ?? -1);
    await server.restart();
    expect(await addressesOf("atbr1")).toEqual(before);
    const [latest] = (await admin("network.applies", undefined, "query")).data as { state: string }[];
    expect(latest, `killed with ${made} of ${changes.length} steps made`).toMatchObject({
      state: "rolled-back",
    });
  });
});
