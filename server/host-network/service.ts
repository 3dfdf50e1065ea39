import type { TContainerService } from "../containers/service";
import type { TLxcDriver } from "../lxc";
import { interfaceWithAddress } from "./parse";
import { planChanges, type TNetworkChange } from "./plan";
import { readNetwork } from "./read";

/**
 * The Network page's view: the host's interfaces, bridges and routes, which interface carries the browser's
 * session, and which container each veth belongs to. A container's host-side veth names come from `lxc-info`
 * (LXC names them at random), read once per container start (cached by PID), not per request.
 */
export const createNetworkService = ({
  lxc,
  containers,
}: {
  lxc: Pick<TLxcDriver, "info">;
  containers: Pick<TContainerService, "list">;
}) => {
  const links = new Map<string, { pid: number | null; links: string[] }>();

  const vethOwners = async () => {
    const running = (await containers.list()).filter((row) => row.state !== "STOPPED");
    for (const name of links.keys()) if (!running.some((row) => row.name === name)) links.delete(name);
    const stale = running.filter((row) => links.get(row.name)?.pid !== row.pid);
    for (let index = 0; index < stale.length; index += 8) {
      await Promise.all(
        stale.slice(index, index + 8).map(async (row) => {
          const info = await lxc.info(row.name).catch(() => null);
          links.set(row.name, { pid: row.pid, links: info?.links ?? [] });
        }),
      );
    }
    const owners = new Map<string, string>();
    for (const [name, entry] of links) for (const link of entry.links) owners.set(link, name);
    return owners;
  };

  const list = async ({ serverAddress }: { serverAddress: string | null }) => {
    const [network, owners] = await Promise.all([readNetwork(), vethOwners()]);
    const interfaces = network.interfaces.map((entry) => ({
      ...entry,
      container: owners.get(entry.name) ?? null,
    }));
    const session = interfaceWithAddress(network.interfaces, serverAddress);
    return {
      interfaces,
      bridges: network.bridges.map((bridge) => ({
        ...bridge,
        containers: bridge.ports.flatMap((port) => (owners.has(port) ? [owners.get(port) as string] : [])),
      })),
      routes: network.routes,
      session: {
        serverAddress: serverAddress?.replace(/^::ffff:/, "") ?? null,
        interface: session?.name ?? null,
        /** The session arrives on the interface the default route uses: changing it could cut this browser off. */
        isOnDefaultRoute: network.routes.some((route) => route.isDefault && route.dev === session?.name),
      },
    };
  };

  /** The exact commands a list of changes would run (and their undo), checked against the host as it is now. */
  const plan = async ({
    changes,
    serverAddress,
  }: {
    changes: TNetworkChange[];
    serverAddress: string | null;
  }) => {
    const network = await readNetwork();
    return planChanges(
      changes,
      network,
      interfaceWithAddress(network.interfaces, serverAddress)?.name ?? null,
    );
  };

  return { list, plan };
};

export type TNetworkService = ReturnType<typeof createNetworkService>;
