import { z } from "zod";
import { isCidr, isInterfaceName, isIP } from "./lxc-config/validate";
import { says } from "./issue-words";

/** Pure zod shared by the network and creation procedures (and the forms that reuse them). */
export const ZInterfaceName = z.string().refine(isInterfaceName, says("validation.network.interfaceName"));

export const ZIpv4 = z.string().refine((value) => isIP(value) === 4, says("validation.network.ipv4"));

/** An IPv4 address with its prefix, such as 10.0.3.10/24. */
export const ZIpv4Cidr = z
  .string()
  .refine((value) => value.includes("/") && isCidr(value, 4), says("validation.values.ipv4Cidr"));
