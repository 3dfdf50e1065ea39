import path from "node:path";
import { isRunError, run } from "./runner";

/**
 * Whether the kernel can mount a directory of this filesystem idmapped (what `lxc.rootfs.options = idmap=container`
 * asks of it): the kernel's own answer, not a table of versions. A detached copy of the directory's mount is made
 * (open_tree with OPEN_TREE_CLONE) and given a user namespace's map (mount_setattr with MOUNT_ATTR_IDMAP); the copy
 * is never attached anywhere and goes when the probe exits. The namespace is a `sleep` in a new user namespace
 * (util-linux's unshare) that the probe kills. Perl (perl-base, always on Debian) makes the two system calls, which
 * Node has no binding for; util-linux 2.38's mount ignores X-mount.idmap. The numbers are those of every
 * architecture (the new system calls share one table since Linux 5.1).
 */
const SCRIPT = String.raw`
use strict; use warnings; use POSIX ();
my ($dir) = @ARGV;
my $self = readlink("/proc/self/ns/user") // "";
my $pid = fork() // die "fork: $!";
if ($pid == 0) { exec("/usr/bin/unshare", "--user", "--map-root-user", "/bin/sleep", "20") or POSIX::_exit(127); }
sub finish { kill("KILL", $pid); waitpid($pid, 0); print "$_[0]\n"; exit 0 }
my $ready = 0;
for (1 .. 500) {
  my $ns = readlink("/proc/$pid/ns/user") // "";
  if ($ns ne "" && $ns ne $self && open(my $map, "<", "/proc/$pid/uid_map")) {
    local $/; my $text = <$map> // "";
    if ($text =~ /\d/) { $ready = 1; last }
  }
  select(undef, undef, undef, 0.01);
}
finish("no: no user namespace could be made") unless $ready;
open(my $ns, "<", "/proc/$pid/ns/user") or finish("no: $!");
my $path = "$dir"; my $empty = "";
my $tree = syscall(428, -100, $path, 1 | 0x80000);
finish("no: open_tree: $!") if $tree < 0;
my $attr = pack("QQQQ", 0x00100000, 0, 0, fileno($ns));
my $done = syscall(442, $tree, $empty, 0x1000, $attr, length($attr));
finish($done == 0 ? "yes" : "no: mount_setattr: $!");
`;

export type TIdmapSupport = { supported: boolean; why: string | null };

export const probeIdmappedMounts = async (dir: string): Promise<TIdmapSupport> => {
  if (!path.isAbsolute(dir) || dir.includes("\0")) throw new Error(`not an absolute path: ${dir}`);
  try {
    const result = await run("/usr/bin/perl", ["-e", SCRIPT, "--", dir], {
      timeoutMs: 15_000,
      package: "perl-base",
    });
    const answer = result.stdout.trim();
    if (result.exitCode === 0 && answer === "yes") return { supported: true, why: null };
    return {
      supported: false,
      why: answer.startsWith("no: ")
        ? answer.slice(4)
        : result.stderr.trim() || `exit code ${result.exitCode}`,
    };
  } catch (error) {
    if (isRunError(error)) return { supported: false, why: error.message };
    throw error;
  }
};
