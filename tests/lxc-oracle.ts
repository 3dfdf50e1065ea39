import { randomBytes } from "node:crypto";
import { execa } from "execa";

/**
 * What LXC itself says, asked directly with the lxc tools: the oracle tests check Atelier's results against.
 * (Test code only: the product runs lxc-* through server/lxc alone.)
 */
export const lxcPath = () => {
  const value = process.env.ATELIER_LXC_PATH;
  if (!value) throw new Error("ATELIER_LXC_PATH is not set");
  return value;
};

/** The container's state per `lxc-info -s`, or "MISSING" when LXC does not know it. */
export const lxcState = async (name: string) => {
  const result = await execa("lxc-info", ["-P", lxcPath(), "-n", name, "-sH"], { reject: false });
  if (result.exitCode !== 0) return "MISSING";
  return result.stdout.trim();
};

/** A container name no other test uses. */
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

/**
 * Removes a container whatever its state, snapshots included (test clean-up; the harness reports a container a
 * test left behind, then removes it).
 */
export const forceDestroy = async (name: string) => {
  await execa("lxc-destroy", ["-P", lxcPath(), "-n", name, "-f", "-s"], { reject: false });
};
