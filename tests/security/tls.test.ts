import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import path from "node:path";
import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { coversNames, hostNames } from "@/server/http/tls";
import { startServer } from "../server";

/**
 * HTTPS by default on the LAN: listening beyond loopback with no certificate configured, Atelier makes a
 * self-signed one at its first start (for this host's names and addresses), prints its fingerprint beside the
 * setup link, serves only HTTPS with HSTS, keeps the same certificate across restarts, and refuses requests whose
 * Host is not this machine (DNS rebinding). Plain HTTP stays available on loopback.
 */
const get = (url: string, options: { ca?: string; host?: string; servername?: string } = {}) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const parsed = new URL(url);
      const request = parsed.protocol === "https:" ? httpsRequest : httpRequest;
      const req = request(
        url,
        {
          ...(options.ca ? { ca: options.ca } : {}),
          ...(options.servername ? { servername: options.servername } : {}),
          headers: options.host ? { host: options.host } : {},
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
        },
      );
      req.on("error", reject);
      req.end();
    },
  );

const servedFingerprint = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? "");
      socket.end();
    });
    socket.on("error", reject);
  });

describe("TLS by default", () => {
  it("makes a certificate for this host, logs its fingerprint, serves HTTPS only, with HSTS", async () => {
    // On every interface (scripts/test-env.ts sets HOST=127.0.0.1 for the other tests): HTTPS with no setting.
    let server = await startServer({ HOST: "0.0.0.0" }, { scheme: "https", withUsers: false });
    try {
      const port = Number(new URL(server.url).port);
      const cert = await readFile(path.join(server.dataDir, "web/tls/cert.pem"), "utf8");
      expect((await stat(path.join(server.dataDir, "web/tls/key.pem"))).mode & 0o777).toBe(0o600);
      const fingerprint = new X509Certificate(cert).fingerprint256;
      expect(await servedFingerprint(port)).toBe(fingerprint);
      // Printed beside the setup link, and in the start-up log line.
      expect(server.output()).toContain(`SHA-256 fingerprint before you go on:\n\n    ${fingerprint}`);
      expect(server.output()).toMatch(/"tlsFingerprint":"[0-9A-F:]{95}"/);
      // Valid for the host's names and addresses: a client that trusts it verifies it for localhost and 127.0.0.1.
      const viaName = await get(`https://localhost:${port}/api/health`, { ca: cert });
      expect(viaName.status).toBe(200);
      expect(viaName.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect((await get(`https://127.0.0.1:${port}/api/health`, { ca: cert })).status).toBe(200);
      // Plain HTTP on the same port gets no answer of Atelier's.
      const plain = await get(`http://127.0.0.1:${port}/api/health`).catch(() => ({ status: 0 }));
      expect(plain.status).not.toBe(200);
      // The same certificate after a restart, unless the host's addresses changed meanwhile (other tests of this
      // run add bridges to the namespace): then a new one that names them (server/http/tls.test.ts).
      const isStillCovering = coversNames(cert, hostNames());
      server = await server.restart();
      const again = await servedFingerprint(Number(new URL(server.url).port));
      if (isStillCovering && coversNames(cert, hostNames())) expect(again).toBe(fingerprint);
      else
        expect(
          coversNames(await readFile(path.join(server.dataDir, "web/tls/cert.pem"), "utf8"), hostNames()),
        ).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("refuses a Host that is not this machine's (DNS rebinding), on pages and the API", async () => {
    const server = await startServer(
      { HOST: "0.0.0.0", ATELIER_ALLOWED_HOSTS: "panel.example.lan" },
      { scheme: "https" },
    );
    try {
      const port = Number(new URL(server.url).port);
      const cert = await readFile(path.join(server.dataDir, "web/tls/cert.pem"), "utf8");
      const at = (host: string, pathname: string) =>
        get(`https://127.0.0.1:${port}${pathname}`, { ca: cert, host, servername: "localhost" });
      for (const pathname of ["/api/health", "/containers", "/api/trpc/auth.status"]) {
        expect((await at(`evil.example:${port}`, pathname)).status, pathname).toBe(421);
        expect((await at(`10.99.99.99:${port}`, pathname)).status, pathname).toBe(421);
      }
      expect((await at(`panel.example.lan:${port}`, "/api/health")).status).toBe(200);
      expect((await at(`localhost:${port}`, "/api/health")).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("serves plain HTTP on loopback without a certificate", async () => {
    const server = await startServer({ HOST: "127.0.0.1", ATELIER_ALLOW_HTTP: "0" });
    try {
      const health = await get(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(health.headers["strict-transport-security"]).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});
