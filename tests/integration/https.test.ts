import { mkdtemp } from "node:fs/promises";
import { request } from "node:https";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { PASSWORD, runServer, startServer } from "../server";

/** A throwaway self-signed certificate for 127.0.0.1. */
const makeCertificate = async () => {
  const dir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "tls-"));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  await execa("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  return { cert, key };
};

describe("HTTPS", () => {
  it("serves over TLS when ATELIER_TLS_CERT and ATELIER_TLS_KEY are set, with Secure session cookies", async () => {
    const { cert, key } = await makeCertificate();
    const server = await startServer({ ATELIER_TLS_CERT: cert, ATELIER_TLS_KEY: key }, { scheme: "https" });
    try {
      const setCookie = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${server.url}/api/trpc/auth.signIn`,
          { method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } },
          (response) => {
            response.resume();
            resolve(response.headers["set-cookie"]?.[0] ?? "");
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ json: { username: "admin", password: PASSWORD } }));
      });
      expect(setCookie).toMatch(/^atelier_session=/);
      expect(setCookie).toMatch(/; Secure/);
    } finally {
      await server.stop();
    }
  });

  it("refuses to start with a certificate and no key", async () => {
    const { cert } = await makeCertificate();
    const result = await runServer({ ATELIER_TLS_CERT: cert });
    expect(result.exitCode).toBe(1);
    expect(result.all).toMatch(/ATELIER_TLS_CERT and ATELIER_TLS_KEY: set both/);
  });
});
