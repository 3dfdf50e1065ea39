import { readFileSync } from "node:fs";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { forceDestroy, lxcState, uniqueName } from "../tests/lxc-oracle";

type TFixtures = {
  /** A fresh container name, destroyed after the test whatever happened. */
  containerName: string;
  /** Creates a busybox container through the API (not the page), optionally started. */
  createContainer: (options?: { start?: boolean }) => Promise<string>;
  /** What LXC itself says of a container (`lxc-info -s`), or "MISSING". */
  lxcState: (name: string) => Promise<string>;
};

/** API tokens of the users the setup project made, one per role. */
export const tokens = () =>
  JSON.parse(readFileSync("e2e/.auth/tokens.json", "utf8")) as Record<
    "admin" | "operator" | "viewer",
    string
  >;

const mutate = async (request: APIRequestContext, procedure: string, input: unknown) => {
  const response = await request.post(`/api/trpc/${procedure}`, {
    data: { json: input },
    headers: { authorization: `Bearer ${tokens().operator}` },
  });
  expect(response.status(), `${procedure} ${JSON.stringify(input)}: ${await response.text()}`).toBe(200);
};

export const test = base.extend<TFixtures>({
  containerName: async ({}, provide) => {
    const name = uniqueName("e2e");
    await provide(name);
    await forceDestroy(name);
  },
  createContainer: async ({ request }, provide) => {
    const made: string[] = [];
    await provide(async ({ start = false } = {}) => {
      const name = uniqueName("e2e");
      made.push(name);
      await mutate(request, "containers.create", { name, template: "busybox" });
      if (start) await mutate(request, "containers.start", { name });
      return name;
    });
    await Promise.all(made.map(forceDestroy));
  },
  lxcState: async ({}, provide) => {
    await provide(lxcState);
  },
});

export { expect };

/** A tab of the container page: a link in its "Container sections" nav. */
export const containerTab = (page: Page, label: string) =>
  page
    .getByRole("navigation", { name: "Container sections" })
    .getByRole("link", { name: label, exact: true });

/** Every page of the panel, a container's tabs on `name` included: the walks (axe, French) visit them all. */
export const everyPage = (name: string) => [
  "/containers",
  `/containers/${name}`,
  `/containers/${name}/usage`,
  `/containers/${name}/config`,
  `/containers/${name}/network`,
  `/containers/${name}/files`,
  `/containers/${name}/snapshots`,
  `/containers/${name}/shell`,
  `/containers/${name}/console`,
  `/containers/${name}/services`,
  "/containers/new",
  "/host",
  "/autostart",
  "/network",
  "/jobs",
  "/events",
  "/account",
  "/users",
  "/audit",
];
