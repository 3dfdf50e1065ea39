/**
 * The init script Atelier writes into busybox root filesystems after `lxc-create -t busybox`.
 *
 * The template's own rcS runs `udhcpc` in the foreground: with no DHCP server, init never leaves sysinit, ignores
 * the halt signal, and `lxc-stop` waits its full timeout before killing (see LXC-FACTS). Here DHCP is asked for in
 * the background, with few retries (and again every 3 s after that, not udhcpc's default 20 s), and only when LXC has not already given eth0 a static address (udhcpc's first
 * act, "deconfig", would flush it).
 */
export const BUSYBOX_RCS = `#!/bin/sh
# Written by Atelier: see server/rootfs/busybox-init.ts.
/bin/syslogd
/bin/mount -a
if [ -e /sys/class/net/eth0 ] && ! /bin/ip -4 addr show dev eth0 | /bin/grep -q inet; then
  /bin/udhcpc -b -q -t 2 -T 1 -A 3 -i eth0 >/dev/null 2>&1
fi
`;
