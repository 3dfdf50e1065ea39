import { createPrivateKey, X509Certificate } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import { isLoopbackAddress } from "./guards";

/**
 * HTTPS by default on the LAN: when Atelier listens beyond loopback and no certificate is configured
 * (ATELIER_TLS_CERT/KEY), it makes a self-signed one at its first start, in its data directory (tls/cert.pem,
 * tls/key.pem 0600), valid for this host's names and addresses, and serves HTTPS with it. Its SHA-256 fingerprint
 * is printed beside the setup link, so the first visit can be checked against it. It is made again when it expires
 * within 30 days or no longer names all of the host's names and addresses (an address added since). Plain HTTP only
 * on loopback, or when ATELIER_ALLOW_HTTP says so.
 */
export type TTls = { cert: string; key: string; fingerprint: string; isGenerated: boolean };

/**
 * The host's names and addresses, as a certificate's subject alternative names. IPv6 link-local addresses are left
 * out: every container start gives its host-side veth one, and nobody browses to them.
 */
export const hostNames = () => {
  const addresses = Object.values(os.networkInterfaces())
    .flat()
    .flatMap((info) => (info && !/^fe80:/i.test(info.address) ? [info.address.replace(/%.*$/, "")] : []));
  return {
    dns: [
      ...new Set([os.hostname(), os.hostname() && `${os.hostname()}.local`, "localhost"].filter(Boolean)),
    ],
    ips: [...new Set(["127.0.0.1", "::1", ...addresses])],
  };
};

const fingerprintOf = (cert: string) => new X509Certificate(cert).fingerprint256;

const DAY = 24 * 60 * 60 * 1000;

type TNames = ReturnType<typeof hostNames>;

const normalIp = (ip: string) => {
  try {
    return ip.includes(":") ? new URL(`http://[${ip}]/`).hostname : ip;
  } catch {
    return ip;
  }
};

/** Whether a certificate names every one of these names and addresses (else it is made again). */
export const coversNames = (cert: string, names: TNames) => {
  const alt = new X509Certificate(cert).subjectAltName ?? "";
  const dns = new Set([...alt.matchAll(/DNS:([^,\s]+)/g)].map((m) => (m[1] ?? "").toLowerCase()));
  const ips = new Set([...alt.matchAll(/IP Address:([^,\s]+)/g)].map((m) => normalIp(m[1] ?? "")));
  return (
    names.dns.every((name) => dns.has(name.toLowerCase())) && names.ips.every((ip) => ips.has(normalIp(ip)))
  );
};

export const makeSelfSigned = async (names: TNames = hostNames()) => {
  const notBeforeDate = new Date(Date.now() - DAY);
  const pems = await generate([{ name: "commonName", value: os.hostname() || "atelier" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 825 * DAY),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...names.dns.map((value) => ({ type: 2 as const, value })),
          ...names.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
};

/**
 * The certificate to serve with: the configured one, the one made earlier in the data directory (made again when
 * it expires within 30 days), a new one, or none (loopback, or plain HTTP allowed).
 */
export const ensureTls = async (options: {
  configured: { cert: string; key: string } | null;
  host: string;
  allowHttp: boolean;
  dataDir: string;
}): Promise<TTls | null> => {
  if (options.configured)
    return { ...options.configured, fingerprint: fingerprintOf(options.configured.cert), isGenerated: false };
  if (isLoopbackAddress(options.host) || options.allowHttp) return null;
  const dir = path.join(options.dataDir, "tls");
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  const existing = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]).catch(
    () => null,
  );
  if (existing) {
    const [cert, key] = existing;
    const usable = (() => {
      try {
        const x509 = new X509Certificate(cert);
        return (
          x509.checkPrivateKey(createPrivateKey(key)) &&
          new Date(x509.validTo).getTime() - Date.now() > 30 * DAY &&
          coversNames(cert, hostNames())
        );
      } catch {
        return false;
      }
    })();
    if (usable) return { cert, key, fingerprint: fingerprintOf(cert), isGenerated: true };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = await makeSelfSigned();
  // Each file is replaced atomically; a crash between the two leaves a pair that does not match, made anew above.
  await writeFile(`${keyPath}.tmp`, key, { mode: 0o600 });
  await chmod(`${keyPath}.tmp`, 0o600);
  await rename(`${keyPath}.tmp`, keyPath);
  await writeFile(`${certPath}.tmp`, cert, { mode: 0o644 });
  await rename(`${certPath}.tmp`, certPath);
  return { cert, key, fingerprint: fingerprintOf(cert), isGenerated: true };
};
