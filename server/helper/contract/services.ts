import { z } from "zod";
import { ZContainerName } from "../../schemas/container-name";
import { ZServiceActResult, ZServiceAction, ZServiceList, ZServiceName } from "../../schemas/services";
import { op } from "./define";
import { ZOptionalTicket } from "./ticket";

/**
 * The services of a running container, as its own service manager sees them: systemd (`systemctl`), OpenRC
 * (`rc-status`, `rc-service`, `rc-update`), sysvinit (`/etc/init.d`, `service`, `update-rc.d`) or busybox init
 * (`/etc/inittab`). Which one is judged from what the container runs (its init's executable and name as the kernel
 * gives them), then asked inside the container. Every program is the guest's own, run inside the container by
 * `lxc-attach --clear-env` with a fixed argv; a service's name is one argument, validated (ZServiceName).
 *
 * Changing a privileged container's services needs an admin's ticket (its root is the host's root); listing does not.
 */
export const servicesContract = {
  list: op({
    input: z.object({ name: ZContainerName }).strict(),
    output: ZServiceList,
    timeoutMs: 60 * 1000,
    summary:
      "The services of a running container and their state (systemd, OpenRC, sysvinit or busybox init, detected from its init and asked inside it)",
  }),
  act: op({
    input: z
      .object({
        name: ZContainerName,
        service: ZServiceName,
        action: ZServiceAction,
        ticket: ZOptionalTicket,
      })
      .strict(),
    output: ZServiceActResult,
    ticket: "when",
    ticketWhen: "the running container is privileged (its init's uid or gid map reaches host id 0)",
    timeoutMs: 3 * 60 * 1000,
    summary:
      "Starts, stops, restarts, enables or disables a service of a running container with the guest's own tool (systemctl, rc-service/rc-update, service/update-rc.d, busybox inittab)",
  }),
};
