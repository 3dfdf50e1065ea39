import type { TActor } from "../auth/roles";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError, said } from "../errors";
import { ZContainerName } from "../schemas/container-name";
import { customIssue, says } from "../schemas/issue-words";
import type { TConfigService } from "../lxc-config/service";
import { LxcConfig } from "../schemas/lxc-config/model";
import { isCidr } from "../schemas/lxc-config/validate";
import { ZInterfaceName, ZIpv4, ZIpv4Cidr } from "../schemas/network";
import { inSubnet } from "../schemas/ipv4";
import type { TReadNetwork } from "./read";

/**
 * A container's network interfaces, set from the Network page or the container page: a veth on a bridge, or a
 * macvlan onto a host NIC; a static IPv4 address (and gateway) or DHCP. Written as lxc.net.N.* lines through the
 * config's validated write path (so: checked by liblxc, versioned, audited, refused on a stale version).
 */
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

export const ZAttachNic = z
  .object({
    container: ZContainerName,
    /** Replace this interface (lxc.net.N); a new one is added otherwise. */
    index: z.number().int().min(0).max(31).optional(),
    type: z.enum(["veth", "macvlan"]),
    /** The bridge (veth) or host NIC (macvlan). */
    link: ZInterfaceName,
    /** A static IPv4 address with its prefix; DHCP when absent. */
    ipv4: ZIpv4Cidr.optional(),
    gateway: ZIpv4.optional(),
    hwaddr: z.string().regex(MAC, says("validation.network.mac")).optional(),
    macvlanMode: z.enum(["bridge", "vepa", "private", "passthru"]).optional(),
    /** The config version the form was built on (network pages may leave it out: the current one is used). */
    baseVersion: z.string().optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.gateway && !value.ipv4)
      context.addIssue({ ...customIssue("validation.network.gatewayNeedsStatic"), path: ["gateway"] });
    if (value.gateway && value.ipv4 && isCidr(value.ipv4, 4) && !inSubnet(value.gateway, value.ipv4))
      context.addIssue({
        ...customIssue("validation.network.insideAddressNetwork", { address: value.ipv4 }),
        path: ["gateway"],
      });
    if (value.macvlanMode && value.type !== "macvlan")
      context.addIssue({ ...customIssue("validation.network.macvlanOnly"), path: ["macvlanMode"] });
  });
export type TAttachNic = z.infer<typeof ZAttachNic>;

export const ZDetachNic = z
  .object({
    container: ZContainerName,
    index: z.number().int().min(0).max(31),
    baseVersion: z.string().optional(),
  })
  .strict();

/** LXC's own prefix for generated MACs (00:16:3e, Xensource's, as lxc.net.N.hwaddr's xx template uses). */
export const generateMac = () =>
  `00:16:3e:${[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, "0")).join(":")}`;

export type TNic = {
  index: number;
  type: string | null;
  link: string | null;
  name: string | null;
  hwaddr: string | null;
  ipv4: string[];
  gateway: string | null;
};

/** The interfaces a config describes, by index. */
export const nicsOf = (config: LxcConfig): TNic[] => {
  const indexes = [
    ...new Set(
      config
        .entries()
        .map((entry) => /^lxc\.net\.(\d+)\./.exec(entry.key)?.[1])
        .filter((value): value is string => value !== undefined)
        .map(Number),
    ),
  ].sort((a, b) => a - b);
  return indexes.map((index) => {
    const key = (suffix: string) => `lxc.net.${index}.${suffix}`;
    return {
      index,
      type: config.get(key("type")) ?? null,
      link: config.get(key("link")) ?? null,
      name: config.get(key("name")) ?? null,
      hwaddr: config.get(key("hwaddr")) ?? null,
      ipv4: config.getAll(key("ipv4.address")),
      gateway: config.get(key("ipv4.gateway")) ?? null,
    };
  });
};

const removeNic = (config: LxcConfig, index: number) => {
  for (const entry of config.entries())
    if (entry.key.startsWith(`lxc.net.${index}.`)) config.remove(entry.key);
};

/**
 * Writes interface lxc.net.N into a config model, replacing what it had (its MAC and name are kept unless given).
 * The one place lxc.net.N lines are composed: the NIC forms and the creation wizard both use it.
 */
export const writeNic = (
  config: LxcConfig,
  index: number,
  nic: {
    type: "veth" | "macvlan";
    link: string;
    ipv4?: string;
    gateway?: string;
    hwaddr?: string;
    macvlanMode?: string;
  },
) => {
  const previous = nicsOf(config).find((entry) => entry.index === index);
  const kept = previous?.hwaddr && !previous.hwaddr.includes("x") ? previous.hwaddr : undefined;
  const hwaddr = nic.hwaddr ?? kept ?? generateMac();
  removeNic(config, index);
  const key = (suffix: string) => `lxc.net.${index}.${suffix}`;
  config.add(key("type"), nic.type);
  config.add(key("link"), nic.link);
  config.add(key("flags"), "up");
  config.add(key("name"), previous?.name ?? `eth${index}`);
  config.add(key("hwaddr"), hwaddr);
  if (nic.type === "macvlan") config.add(key("macvlan.mode"), nic.macvlanMode ?? "bridge");
  if (nic.ipv4) config.add(key("ipv4.address"), nic.ipv4);
  if (nic.gateway) config.add(key("ipv4.gateway"), nic.gateway);
  return { hwaddr };
};

export const createNics = ({
  config,
  readNetwork,
}: {
  config: Pick<TConfigService, "read" | "save">;
  readNetwork: TReadNetwork;
}) => {
  const list = async (container: string) => {
    const current = await config.read(container);
    return { version: current.version, nics: nicsOf(LxcConfig.parse(current.raw)) };
  };

  /** The config to change: refused if it changed since the page read it, or lacks the interface named. */
  const readForChange = async (
    container: string,
    baseVersion: string | undefined,
    index: number | undefined,
  ) => {
    const current = await config.read(container);
    if (baseVersion && baseVersion !== current.version)
      throw new AppError("CONFLICT", { ...said("nicConfigChanged", { container }), field: "baseVersion" });
    const model = LxcConfig.parse(current.raw);
    const existing = nicsOf(model);
    if (index !== undefined && !existing.some((nic) => nic.index === index))
      throw new AppError("BAD_REQUEST", { ...said("nicNotFound", { container, index }), field: "index" });
    return { current, model, existing };
  };

  const attach = async (input: TAttachNic, actor: TActor) => {
    const network = await readNetwork();
    const link = network.interfaces.find((entry) => entry.name === input.link);
    if (!link)
      throw new AppError("BAD_REQUEST", {
        ...said("interfaceNotOnHost", { name: input.link }),
        field: "link",
      });
    if (input.type === "veth" && link.kind !== "bridge")
      throw new AppError("BAD_REQUEST", { ...said("vethNeedsBridge", { link: input.link }), field: "link" });
    // A veth counts as a NIC here: in a network namespace standing in for a host, that is what the NICs are.
    if (input.type === "macvlan" && (link.kind === "bridge" || link.kind === "loopback" || link.master))
      throw new AppError("BAD_REQUEST", {
        ...(link.kind === "bridge"
          ? said("macvlanOnBridge", { link: input.link })
          : link.kind === "loopback"
            ? said("macvlanOnLoopback", { link: input.link })
            : said("macvlanOnPort", { link: input.link, master: link.master ?? "" })),
        field: "link",
      });
    const { current, model, existing } = await readForChange(input.container, input.baseVersion, input.index);
    const index =
      input.index ?? (existing.length > 0 ? Math.max(...existing.map((nic) => nic.index)) + 1 : 0);
    const { hwaddr } = writeNic(model, index, input);
    const saved = await config.save({
      name: input.container,
      raw: model.toString(),
      baseVersion: current.version,
      actor: actor.username,
      role: actor.role,
      adminTicket: actor.adminTicket,
      applyLive: false,
    });
    return { index, hwaddr, version: saved.version, diff: saved.diff };
  };

  const detach = async (input: z.infer<typeof ZDetachNic>, actor: TActor) => {
    const { current, model } = await readForChange(input.container, input.baseVersion, input.index);
    removeNic(model, input.index);
    const saved = await config.save({
      name: input.container,
      raw: model.toString(),
      baseVersion: current.version,
      actor: actor.username,
      role: actor.role,
      adminTicket: actor.adminTicket,
      applyLive: false,
    });
    return { version: saved.version, diff: saved.diff };
  };

  return { list, attach, detach };
};

export type TNics = ReturnType<typeof createNics>;
