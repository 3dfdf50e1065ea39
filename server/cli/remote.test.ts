import { X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { makeSelfSigned } from "../http/tls";
import { endpointOfCredentials, type TCredentials } from "./credentials";
import { callMutation, defaultUrlOf, refusal, RemoteError, type TEndpoint } from "./remote";

describe("where the CLI finds this host's panel", () => {
  it("is HTTPS at 127.0.0.1 unless the server serves plain HTTP on loopback or by ATELIER_ALLOW_HTTP", () => {
    const url = (host: string, allowHttp = false, hasCert = false) =>
      defaultUrlOf({ port: 8443, host, allowHttp, hasCert }).href;
    expect(url("0.0.0.0")).toBe("https://127.0.0.1:8443/");
    expect(url("::")).toBe("https://127.0.0.1:8443/");
    expect(url("127.0.0.1")).toBe("http://127.0.0.1:8443/");
    expect(url("localhost")).toBe("http://127.0.0.1:8443/");
    expect(url("::1")).toBe("http://[::1]:8443/");
    expect(url("127.0.0.1", false, true)).toBe("https://127.0.0.1:8443/");
    expect(url("0.0.0.0", true)).toBe("http://127.0.0.1:8443/");
    expect(url("192.168.1.5")).toBe("https://192.168.1.5:8443/");
  });

  it("says a refusal with the server's sentence", () => {
    expect(refusal(401, "invalid token").message).toBe("the server refused the token (401): invalid token");
    expect(refusal(403, "operators only").message).toBe("not allowed (403): operators only");
    expect(refusal(412, "web is not running").message).toBe("web is not running");
  });
});

/** A panel stand-in over HTTPS with a certificate of its own, answering every call as tRPC would. */
const withServer = async (work: (port: number, pem: string) => Promise<void>) => {
  const { cert, key } = await makeSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] });
  const server = createServer({ cert, key }, (req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ result: { data: { json: { ticket: req.headers.authorization } } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await work((server.address() as AddressInfo).port, cert);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
};

describe("the CLI's trust in the panel's certificate", () => {
  it("takes exactly the pinned certificate, the CA given, and nothing else", async () => {
    await withServer(async (port, pem) => {
      const base = new URL(`https://127.0.0.1:${port}/`);
      const fingerprint = new X509Certificate(pem).fingerprint256;
      const pinned: TEndpoint = {
        base,
        token: "t1",
        trust: { kind: "pinned", pem, fingerprint, source: "its cert" },
      };
      expect(await callMutation(pinned, "console.openExec", {})).toEqual({ ticket: "Bearer t1" });
      const ca: TEndpoint = { base, token: "t2", trust: { kind: "ca", pems: [pem], source: "ATELIER_CA" } };
      expect(await callMutation(ca, "console.openExec", {})).toEqual({ ticket: "Bearer t2" });

      const other = (await makeSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] })).cert;
      const wrongPin: TEndpoint = {
        base,
        token: "t",
        trust: {
          kind: "pinned",
          pem: other,
          fingerprint: new X509Certificate(other).fingerprint256,
          source: "x",
        },
      };
      await expect(callMutation(wrongPin, "console.openExec", {})).rejects.toThrow(RemoteError);
      // The same certificate as a CA, but another fingerprint pinned: refused all the same.
      const samePemOtherPin: TEndpoint = {
        base,
        token: "t",
        trust: {
          kind: "pinned",
          pem,
          fingerprint: new X509Certificate(other).fingerprint256,
          source: "the pin",
        },
      };
      await expect(callMutation(samePemOtherPin, "console.openExec", {})).rejects.toThrow(/is not the pin/);
      const system: TEndpoint = { base, token: "t", trust: { kind: "system", extra: [] } };
      await expect(callMutation(system, "console.openExec", {})).rejects.toThrow(
        /certificate: .*set ATELIER_CA/,
      );
    });
  });
});

describe("a stored login's pin (atelier login)", () => {
  it("takes the certificate pinned at login, and refuses another", async () => {
    await withServer(async (port, pem) => {
      const fingerprint = new X509Certificate(pem).fingerprint256;
      const base = new URL(`https://localhost:${port}/`);
      const credentials: TCredentials = {
        url: base.href,
        token: "t3",
        tokenId: 1,
        username: "u",
        role: "viewer",
        trust: "pinned",
        fingerprint,
        pem,
        createdAt: new Date().toISOString(),
      };
      const endpoint = endpointOfCredentials(credentials, "/x");
      expect(await callMutation({ ...endpoint, base }, "p", {})).toEqual({ ticket: "Bearer t3" });
      const other = await makeSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] });
      const otherPin = endpointOfCredentials(
        { ...credentials, pem: other.cert, fingerprint: new X509Certificate(other.cert).fingerprint256 },
        "/x",
      );
      await expect(callMutation(otherPin, "p", {})).rejects.toThrow(RemoteError);
    });
  });
});
