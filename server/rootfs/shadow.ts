import { randomBytes } from "node:crypto";
import { encrypt } from "unixcrypt";
import { AppError, said } from "../errors";
import type { TRootfs } from "./index";

/**
 * Root passwords of new containers: a SHA-512 crypt hash ($6$, as Debian's chpasswd writes) put into the guest's
 * /etc/shadow through the rootfs module. No program of the guest runs (chpasswd in a chroot would run the guest's
 * own binary, libc and PAM as host root).
 */
const SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const sha512Crypt = (password: string, salt?: string) => {
  const chosen =
    salt ?? [...randomBytes(16)].map((byte) => SALT_CHARS[byte % SALT_CHARS.length] ?? ".").join("");
  return encrypt(password, `$6$${chosen}`);
};

/** The shadow file with root's password field (and the date of the change) set; other lines as they were. */
export const withRootPassword = (shadow: string, hash: string, now = new Date()) => {
  const days = String(Math.floor(now.getTime() / 86_400_000));
  const lines = shadow.split("\n");
  let found = false;
  const next = lines.map((line) => {
    if (!line.startsWith("root:")) return line;
    found = true;
    const fields = line.split(":");
    while (fields.length < 9) fields.push("");
    fields[1] = hash;
    fields[2] = days;
    return fields.join(":");
  });
  if (found) return next.join("\n");
  const body = shadow === "" || shadow.endsWith("\n") ? shadow : `${shadow}\n`;
  return `${body}root:${hash}:${days}:0:99999:7:::\n`;
};

export const setRootPassword = async (rootfs: TRootfs, password: string) => {
  const passwd = (await rootfs.readFile("etc/passwd"))?.toString() ?? "";
  if (!/^root:/m.test(passwd))
    throw new AppError("BAD_REQUEST", { ...said("noRootUser"), field: "access.rootPassword" });
  const shadow = (await rootfs.readFile("etc/shadow"))?.toString() ?? "";
  // A new shadow file is root's only (0640 root:root); an existing one keeps its mode and owner (root:shadow).
  await rootfs.writeFile("etc/shadow", withRootPassword(shadow, sha512Crypt(password)), {
    ...(shadow === "" ? { mode: 0o640, uid: 0, gid: 0 } : {}),
  });
};
