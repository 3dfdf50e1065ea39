import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { coversNames, makeSelfSigned } from "./tls";

describe("the self-signed certificate", () => {
  it("names the host's names and addresses, and says when it no longer covers them", async () => {
    const names = { dns: ["panel", "panel.local", "localhost"], ips: ["127.0.0.1", "::1", "192.168.1.10"] };
    const { cert, key } = await makeSelfSigned(names);
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain("DNS:panel.local");
    expect(x509.subjectAltName).toContain("IP Address:192.168.1.10");
    expect(x509.checkPrivateKey((await import("node:crypto")).createPrivateKey(key))).toBe(true);
    expect(x509.checkHost("panel")).toBe("panel");
    expect(x509.checkIP("192.168.1.10")).toBe("192.168.1.10");
    expect(coversNames(cert, names)).toBe(true);
    expect(coversNames(cert, { ...names, ips: ["0:0:0:0:0:0:0:1"] })).toBe(true);
    expect(coversNames(cert, { ...names, ips: [...names.ips, "10.0.3.1"] })).toBe(false);
    expect(coversNames(cert, { ...names, dns: ["other"] })).toBe(false);
  });
});
