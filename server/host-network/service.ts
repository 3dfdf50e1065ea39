import type { TContainerService } from "../containers/service";
import type { TDb } from "../db";
import type { EventBus } from "../events/bus";
import type { TLogger } from "../log";
import type { TLxcDriver } from "../helper-client/lxc";
import { createNetworkApplier } from "./apply";
import { interfaceWithAddress } from "./parse";
import type { THelper } from "../helper-client";
import {
  detectSystem,
  liveBridges,
  persistConflicts,
  persistDiff,
  persistWarnings,
  renderPersisted,
} from "./persist";
import { planChanges, type TNetworkChange, type TPlan } from "./plan";
import type { TReadNetwork } from "./read";

/**
 * The Network page's view: the host's interfaces, bridges and routes, which interface carries the browser's
 * session, and which container each veth belongs to. A container's host-side veth names come from `lxc-info`
 * (LXC names them at random), read once per container start (cached by PID), not per request.
 */
export const createNetworkService = ({
  readNetwork,
  helper,
  lxc,
  containers,
  db,
  events,
  log,
  hostRoot,
}: {
  /** The host's network, read by the helper. */
  readNetwork: TReadNetwork;
  helper: Pick<THelper, "network">;
  lxc: Pick<TLxcDriver, "info">;
  containers: Pick<TContainerService, "list">;
  db: TDb;
  events: EventBus;
  log: TLogger;
  /** Where the host's /etc is: "/" on a host, a directory laid out like / in tests. */
  hostRoot: string;
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

  const managedBridges = async () =>
    new Set((await db.managedBridge.findMany({ select: { name: true } })).map((row) => row.name));

  const nextManaged = async (plan: Pick<TPlan, "claimed" | "released">) => {
    const names = await managedBridges();
    for (const name of plan.claimed) names.add(name);
    for (const name of plan.released) names.delete(name);
    return names;
  };

  const computePlan = async (changes: TNetworkChange[], serverAddress: string | null) => {
    const network = await readNetwork();
    return planChanges(
      changes,
      network,
      interfaceWithAddress(network.interfaces, serverAddress)?.name ?? null,
    );
  };

  /** The exact commands a list of changes would run (and their undo), checked against the host as it is now. */
  const plan = async ({
    changes,
    serverAddress,
  }: {
    changes: TNetworkChange[];
    serverAddress: string | null;
  }) => {
    const planned = await computePlan(changes, serverAddress);
    const managed = await nextManaged(planned);
    const owners = await vethOwners();
    const target = await detectSystem(hostRoot);
    const bridges = planned.bridgesAfter.filter((bridge) => managed.has(bridge.name));
    const files = renderPersisted(target.system, bridges, (name) => owners.has(name));
    const conflicts = persistWarnings(
      await persistConflicts(
        hostRoot,
        target.system,
        bridges.flatMap((bridge) => [bridge.name, ...bridge.ports]),
      ),
    );
    return {
      ...planned,
      steps: planned.steps.map(({ description, argv, words }) => ({ description, argv, words })),
      persist: {
        ...target,
        warnings: [...target.warnings, ...conflicts.warnings],
        warningWords: [...target.warningWords, ...conflicts.warningWords],
        files: await persistDiff(hostRoot, target.system, files),
      },
    };
  };

  /**
   * Writes what is live for the managed bridges to the host's network configuration (the helper renders it, and
   * takes it only on an admin's ticket).
   */
  const persist = async (names: Set<string> | undefined, adminTicket: string | undefined) => {
    const managed = names ?? (await managedBridges());
    const owners = await vethOwners();
    return helper.network.persist({
      managed: [...managed],
      containerPorts: [...owners.keys()],
      ...(adminTicket ? { ticket: adminTicket } : {}),
    });
  };

  /** What is persisted now against what is live: the files would not change if written again. */
  const persisted = async () => {
    const [network, owners, target, managed] = await Promise.all([
      readNetwork(),
      vethOwners(),
      detectSystem(hostRoot),
      managedBridges(),
    ]);
    const files = renderPersisted(target.system, liveBridges(network, managed), (name) => owners.has(name));
    const differences = await persistDiff(hostRoot, target.system, files);
    return {
      ...target,
      managed: [...managed].sort(),
      files,
      inSync: differences.length === 0,
      differences,
      /** A change waiting for confirmation is live but not persisted yet. */
      isPending: applier.pending() !== null,
    };
  };

  const applier = createNetworkApplier({
    db,
    events,
    log,
    helper,
    replan: computePlan,
    sessionInterface: async (serverAddress) =>
      interfaceWithAddress((await readNetwork()).interfaces, serverAddress)?.name ?? null,
    commit: async (planned, adminTicket) => {
      const names = await nextManaged(planned);
      await db.$transaction([
        db.managedBridge.deleteMany({ where: { name: { in: planned.released } } }),
        ...planned.claimed.map((name) =>
          db.managedBridge.upsert({ where: { name }, create: { name }, update: {} }),
        ),
      ]);
      await persist(names, adminTicket);
    },
  });

  return { list, plan, persist, persisted, ...applier };
};

export type TNetworkService = ReturnType<typeof createNetworkService>;
