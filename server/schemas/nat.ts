import { z } from "zod";
import { inSubnet, ipv4ToNumber, networkOf } from "./ipv4";
import { isCidr, isIP } from "./lxc-config/validate";
import { ZInterfaceName, ZIpv4 } from "./network";
import { customIssue, says } from "./issue-words";

/**
 * The NAT network's settings (what LXC's lxc-net takes from /etc/default/lxc-net): the bridge, its address (the
 * containers' gateway and DNS server) and the DHCP range. Pure, so that the form, the web tier and the helper (which
 * parses them again before any value reaches dnsmasq's arguments or the nftables ruleset) check the same rule.
 */
export const ZNatConfig = z
  .object({
    bridge: ZInterfaceName,
    address: z.string().refine((value) => {
      const prefix = Number(value.split("/")[1]);
      return value.includes("/") && isCidr(value, 4) && prefix >= 16 && prefix <= 30;
    }, says("validation.network.natAddress")),
    dhcpStart: ZIpv4,
    dhcpEnd: ZIpv4,
  })
  .strict()
  .superRefine((value, context) => {
    if (!isCidr(value.address, 4)) return;
    const [own] = value.address.split("/");
    for (const field of ["dhcpStart", "dhcpEnd"] as const) {
      if (isIP(value[field]) !== 4) continue;
      if (!inSubnet(value[field], value.address))
        context.addIssue({
          ...customIssue("validation.network.insideNetwork", { network: networkOf(value.address) }),
          path: [field],
        });
      else if (value[field] === own)
        context.addIssue({ ...customIssue("validation.network.notBridgeAddress"), path: [field] });
    }
    if (
      isIP(value.dhcpStart) === 4 &&
      isIP(value.dhcpEnd) === 4 &&
      ipv4ToNumber(value.dhcpStart) > ipv4ToNumber(value.dhcpEnd)
    )
      context.addIssue({ ...customIssue("validation.network.rangeOrder"), path: ["dhcpEnd"] });
  });
export type TNatConfig = z.infer<typeof ZNatConfig>;

export const DEFAULT_NAT: TNatConfig = {
  bridge: "lxcnat0",
  address: "10.0.4.1/24",
  dhcpStart: "10.0.4.2",
  dhcpEnd: "10.0.4.254",
};
