import { z } from "zod";
import { isCidr, isInterfaceName, isIP } from "./lxc-config/validate";

/** Pure zod shared by the network and creation procedures (and the forms that reuse them). */
export const ZInterfaceName = z
  .string()
  .refine(isInterfaceName, { message: "must be an interface name: 1-15 letters, digits, '_', '.', '-'" });

export const ZIpv4 = z.string().refine((value) => isIP(value) === 4, { message: "must be an IPv4 address" });

/** An IPv4 address with its prefix, such as 10.0.3.10/24. */
export const ZIpv4Cidr = z.string().refine((value) => value.includes("/") && isCidr(value, 4), {
  message: "must be an IPv4 address with its prefix, such as 10.0.3.10/24",
});
