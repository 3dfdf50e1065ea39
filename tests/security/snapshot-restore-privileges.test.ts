import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lxcPath, uniqueName } from "../lxc-oracle";
import { callProcedure } from "../server";
import { useServer } from "../use-server";
import { configOf, createBusybox, waitJob } from "./helpers";

/**
 * A snapshot keeps the config as it was. Restoring it (in place or as a new container) must not give an operator
 * back an admin-only line that an admin has since taken out of the container's config: the helper compares the
 * snapshot's config with the container's and takes such a restore only on an admin's ticket.
 */
const server = useServer();
const made = server.made;

const HOOK = "lxc.hook.pre-start = /bin/true";
const save = async (name: string, raw: string, as: "admin" | "operator") => {
  const { version } = await configOf(server, name, as);
  return callProcedure(server, "config.save", { name, raw, baseVersion: version }, { as });
};
const job = async (response: Awaited<ReturnType<typeof callProcedure>>) => {
  expect(response.status, JSON.stringify(response.error)).toBe(200);
  return waitJob(server, (response.data as { jobId: string }).jobId);
};

describe("restoring a snapshot", () => {
  it("brings back an admin-only line an admin took out only for an admin, in place and as a new container", async () => {
    const name = await createBusybox(server);
    made.push(name);
    const original = (await configOf(server, name, "admin")).raw;
    expect((await save(name, `${original}${HOOK}\n`, "admin")).status).toBe(200);
    expect((await job(await callProcedure(server, "snapshots.create", { name }))).state).toBe("succeeded");
    expect((await save(name, original, "admin")).status).toBe(200);

    // In place, by an operator: refused, the config as the admin left it.
    const inPlace = await job(await callProcedure(server, "snapshots.restore", { name, snapshot: "snap0" }));
    expect(inPlace.state).toBe("failed");
    expect(inPlace.error).toMatch(/brings back what an admin took out of its config .*lxc\.hook\.pre-start/);
    const file = path.join(lxcPath(), name, "config");
    expect(await readFile(file, "utf8")).not.toContain("lxc.hook.pre-start");

    // As a new container, by an operator: refused, nothing made.
    const newName = uniqueName("restored");
    made.push(newName);
    const asNew = await job(
      await callProcedure(server, "snapshots.restore", { name, snapshot: "snap0", newName }),
    );
    expect(asNew.state).toBe("failed");
    expect(asNew.error).toMatch(/brings back what an admin took out/);
    expect((await callProcedure(server, "containers.get", { name: newName }, { kind: "query" })).status).toBe(
      404,
    );

    // By an admin: restored, hook and all.
    const byAdmin = await job(
      await callProcedure(server, "snapshots.restore", { name, snapshot: "snap0" }, { as: "admin" }),
    );
    expect(byAdmin.state, byAdmin.log.slice(-5).join("\n")).toBe("succeeded");
    expect(await readFile(file, "utf8")).toContain(HOOK);
  });

  it("is an operator's when the snapshot's config has no admin-only line the container lacks", async () => {
    const name = await createBusybox(server);
    made.push(name);
    expect((await job(await callProcedure(server, "snapshots.create", { name }))).state).toBe("succeeded");
    const { raw } = await configOf(server, name);
    expect((await save(name, `${raw}lxc.start.auto = 1\n`, "operator")).status).toBe(200);
    const restored = await job(await callProcedure(server, "snapshots.restore", { name, snapshot: "snap0" }));
    expect(restored.state, restored.log.slice(-5).join("\n")).toBe("succeeded");
    expect(await readFile(path.join(lxcPath(), name, "config"), "utf8")).not.toContain("lxc.start.auto = 1");
  });
});
