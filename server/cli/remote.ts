import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import path from "node:path";
import { checkServerIdentity, rootCertificates, type PeerCertificate } from "node:tls";
import superjson from "superjson";
import WebSocket from "ws";
import { loadSettings, type TSettings } from "../env";
import { isLoopbackAddress } from "../http/guards";
import { lxcDefaultPath } from "../lxc/tools";

/**
 * How `atelier exec` and `atelier attach` reach the panel: the API over HTTP(S) with a token, as any script would
 * (ATELIER_URL, ATELIER_TOKEN), and the console's WebSocket. Unlike the other commands they touch neither the
 * database nor the helper: the server does the checks (roles, the admin ticket, the container's state) and audits.
 */
export class RemoteError extends Error {
  constructor(
    message: string,
    /** The server's tRPC error code (NOT_FOUND, CONFLICT…), or NO_PROCEDURE when it has no such procedure. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export type TTrust =
  /** Plain HTTP. */
  | { kind: "none" }
  /**
   * The system's CAs (and these certificates too: a configured one, the data directory's); with `fingerprint`, the
   * certificate must also be that one (`atelier login --fingerprint`, for the login's own connections).
   */
  | { kind: "system"; extra: string[]; fingerprint?: string }
  /** Only these certificates (ATELIER_CA). */
  | { kind: "ca"; pems: string[]; source: string }
  /**
   * Exactly this certificate, by its SHA-256 fingerprint (the data directory's self-signed one, or the one
   * `atelier login` was told to trust: then under any name, `anyHost`, as the fingerprint says it all).
   */
  | { kind: "pinned"; pem: string; fingerprint: string; source: string; anyHost?: boolean };

/**
 * Where the API is: `base` over the network with `token`, or (root on the host, no token) plain HTTP on the web
 * tier's local socket at `socketPath`, `base` then being http://localhost/.
 */
export type TEndpoint = { base: URL; token: string | null; trust: TTrust; socketPath?: string };

export const TOKEN_MISSING =
  "set ATELIER_TOKEN to a token made with `npx atelier token create USER` or in the Account page, or run `atelier login URL`";

/**
 * This host's panel, from the settings the server reads (PORT, HOST, ATELIER_TLS_CERT, ATELIER_ALLOW_HTTP): HTTPS
 * unless the server serves plain HTTP (loopback, or ATELIER_ALLOW_HTTP, with no certificate configured), at
 * 127.0.0.1 unless it listens on one address only. Pure: unit-tested.
 */
export const defaultUrlOf = (
  settings: Pick<TSettings, "port" | "host" | "allowHttp"> & { hasCert: boolean },
) => {
  const isHttps = settings.hasCert || !(isLoopbackAddress(settings.host) || settings.allowHttp);
  const anyAddress = ["0.0.0.0", "::", "localhost"].includes(settings.host);
  const address = anyAddress ? "127.0.0.1" : settings.host;
  const hostPart = address.includes(":") ? `[${address}]` : address;
  return new URL(`${isHttps ? "https" : "http"}://${hostPart}:${settings.port}/`);
};

const readPem = async (file: string, what: string) => {
  const pem = await readFile(file, "utf8").catch((error: Error) => {
    throw new RemoteError(`${what}: cannot read ${file} (${error.message})`);
  });
  try {
    return { pem, fingerprint: new X509Certificate(pem).fingerprint256 };
  } catch {
    throw new RemoteError(`${what}: ${file} is not a PEM certificate`);
  }
};

/**
 * The self-signed certificate the web tier made in its part of the data directory (web/tls/cert.pem,
 * server/http/tls.ts), when this user can read it (root, or the web user).
 */
const dataDirCertificate = async (settings: TSettings | null) => {
  if (!settings) return null;
  const file = path.join(settings.webDir, "tls", "cert.pem");
  return readPem(file, "the panel's certificate").catch(() => null);
};

/**
 * Where the panel is and how it is trusted. ATELIER_URL, or this host's panel; the token from ATELIER_TOKEN. Over
 * HTTPS: ATELIER_CA alone when set; else, for this host's panel, exactly the data directory's certificate when it is
 * readable (root), a configured ATELIER_TLS_CERT beside the system's CAs, or the system's CAs. Verification is never
 * turned off.
 */
export const resolveEndpoint = async (
  env: NodeJS.ProcessEnv,
  fallback: (explicitUrl: string | undefined) => Promise<TEndpoint | null> = () => Promise.resolve(null),
): Promise<TEndpoint> => {
  const token = env.ATELIER_TOKEN?.trim();
  if (!token) {
    const other = await fallback(env.ATELIER_URL?.trim() || undefined);
    if (other) return other;
    throw new RemoteError(TOKEN_MISSING);
  }
  const explicit = env.ATELIER_URL?.trim();
  // The server's own settings: needed for this host's panel; for another URL only to know the local certificate.
  const settings = await loadSettings(env, { defaultLxcPath: lxcDefaultPath }).catch((error: Error) => {
    if (explicit) return null;
    throw new RemoteError(`cannot tell where this host's panel is (set ATELIER_URL): ${error.message}`);
  });
  let base: URL;
  if (explicit) {
    try {
      base = new URL(explicit.endsWith("/") ? explicit : `${explicit}/`);
    } catch {
      throw new RemoteError(`ATELIER_URL: ${JSON.stringify(explicit)} is not a URL (https://host:port)`);
    }
    if (base.protocol !== "https:" && base.protocol !== "http:")
      throw new RemoteError(`ATELIER_URL: ${explicit} must start with https:// or http://`);
    base.search = "";
    base.hash = "";
  } else {
    base = defaultUrlOf({ ...(settings as TSettings), hasCert: Boolean(settings?.tls) });
  }
  if (base.protocol === "http:") return { base, token, trust: { kind: "none" } };
  const ca = env.ATELIER_CA?.trim();
  if (ca) {
    const { pem } = await readPem(ca, "ATELIER_CA");
    return { base, token, trust: { kind: "ca", pems: [pem], source: `ATELIER_CA (${ca})` } };
  }
  const configured = settings?.tls?.cert;
  const local = configured ? null : await dataDirCertificate(settings);
  if (local && !explicit) {
    return {
      base,
      token,
      trust: {
        kind: "pinned",
        ...local,
        source: `the panel's certificate in ${path.join((settings as TSettings).webDir, "tls")}`,
      },
    };
  }
  return {
    base,
    token,
    trust: { kind: "system", extra: [configured ?? local?.pem].filter((pem) => !!pem) as string[] },
  };
};

/** The TLS options of a request or a WebSocket to the endpoint. */
export const tlsOptionsOf = (trust: TTrust) => {
  switch (trust.kind) {
    case "none":
      return {};
    case "system": {
      const pin = trust.fingerprint;
      return {
        ...(trust.extra.length > 0 ? { ca: [...rootCertificates, ...trust.extra] } : {}),
        ...(pin
          ? {
              checkServerIdentity: (host: string, peer: PeerCertificate) =>
                checkServerIdentity(host, peer) ??
                (peer.fingerprint256 === pin
                  ? undefined
                  : new Error(
                      `the server's certificate is not the one --fingerprint names (${peer.fingerprint256})`,
                    )),
            }
          : {}),
      };
    }
    case "ca":
      return { ca: trust.pems };
    case "pinned":
      return {
        ca: [trust.pem],
        checkServerIdentity: (host: string, peer: PeerCertificate) =>
          (trust.anyHost ? undefined : checkServerIdentity(host, peer)) ??
          (peer.fingerprint256 === trust.fingerprint
            ? undefined
            : new Error(
                `the server's certificate is not ${trust.source} (fingerprint ${peer.fingerprint256})`,
              )),
      };
  }
};

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
]);

/** A sentence for a failure to reach the server at all. */
export const networkFailure = (endpoint: TEndpoint, error: Error & { code?: string }) => {
  const where = originOf(endpoint);
  if (endpoint.socketPath && (error.code === "ECONNREFUSED" || error.code === "ENOENT"))
    return new RemoteError(
      `cannot reach Atelier on ${where}: nobody listens there (is Atelier running? or set ATELIER_TOKEN)`,
    );
  if (error.code && TLS_CODES.has(error.code)) {
    const trusted =
      endpoint.trust.kind === "ca" || endpoint.trust.kind === "pinned"
        ? `it is not signed by ${endpoint.trust.source}`
        : "it is not trusted (set ATELIER_CA to the panel's certificate, a PEM file: its data directory's tls/cert.pem; root on the host trusts that one by itself)";
    return new RemoteError(`cannot reach Atelier at ${where}: its certificate: ${error.message}; ${trusted}`);
  }
  if (error.code === "ECONNREFUSED")
    return new RemoteError(
      `cannot reach Atelier at ${where}: nothing listens there (is it running? ATELIER_URL)`,
    );
  return new RemoteError(`cannot reach Atelier at ${where}: ${error.message}`);
};

/** The server's sentence for a refusal, with what it means for the CLI; `code` is its tRPC error code. */
export const refusal = (status: number, message: string, code?: string) => {
  if (status === 401)
    return new RemoteError(`the server refused the token (401): ${message}`, code ?? "UNAUTHORIZED");
  if (status === 403) return new RemoteError(`not allowed (403): ${message}`, code ?? "FORBIDDEN");
  // tRPC's own answer for a path its router lacks: a server older than this CLI.
  if (code === "NOT_FOUND" && /^No procedure found on path/.test(message))
    return new RemoteError(
      `${message}: this Atelier server is older than this CLI (update it)`,
      "NO_PROCEDURE",
    );
  return new RemoteError(message, code);
};

type TTrpcAnswer = {
  result?: { data: { json: unknown; meta?: unknown } };
  error?: { json: { message?: string; data?: { httpStatus?: number; code?: string; hint?: string | null } } };
};

/** Where an endpoint's answers come from, for the messages. */
const originOf = (endpoint: TEndpoint) =>
  endpoint.socketPath ? `the local socket ${endpoint.socketPath}` : endpoint.base.origin;

/**
 * A tRPC call (POST, superjson envelope, as the pages send mutations; queries too, which the server allows so): its
 * answer and the response's headers, or a RemoteError. `headers` adds to the request's (a session cookie).
 */
export const callProcedureWithHeaders = async <T>(
  endpoint: TEndpoint,
  procedure: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<{ data: T; headers: IncomingHttpHeaders }> => {
  const url = new URL(`api/trpc/${procedure}`, endpoint.base);
  const body = JSON.stringify(superjson.serialize(input));
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const answered = await new Promise<{ status: number; text: string; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}),
            ...headers,
          },
          timeout: 30_000,
          // No shared agent: a TLS session resumed from its cache skips checkServerIdentity, and so the pin.
          agent: false,
          ...(endpoint.socketPath ? { socketPath: endpoint.socketPath } : {}),
          ...tlsOptionsOf(endpoint.trust),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString("utf8"),
              headers: response.headers,
            }),
          );
          response.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
      req.on("error", (error) => reject(networkFailure(endpoint, error)));
      req.end(body);
    },
  );
  const { status, text } = answered;
  let answer: TTrpcAnswer;
  try {
    answer = JSON.parse(text) as TTrpcAnswer;
  } catch {
    throw new RemoteError(
      `${originOf(endpoint)} answered ${status} with no API answer${text ? `: ${text.slice(0, 200).trim()}` : ""} (is ATELIER_URL Atelier?)`,
    );
  }
  if (answer.error || !answer.result) {
    // A refusal before tRPC (the Host check, a body too large): `{ error }` alone.
    const plain = (answer as { error?: unknown }).error;
    const data = answer.error?.json.data;
    const message =
      answer.error?.json.message ?? (typeof plain === "string" ? plain : `the server answered ${status}`);
    throw refusal(data?.httpStatus ?? status, data?.hint ? `${message} (${data.hint})` : message, data?.code);
  }
  return {
    data: superjson.deserialize(answer.result.data as Parameters<typeof superjson.deserialize>[0]),
    headers: answered.headers,
  };
};

/** A tRPC call's answer (a mutation, or a query sent as POST), or a RemoteError. */
export const callProcedure = async <T>(endpoint: TEndpoint, procedure: string, input?: unknown): Promise<T> =>
  (await callProcedureWithHeaders<T>(endpoint, procedure, input)).data;

/** A tRPC mutation (POST, superjson envelope, as the pages send it), its answer or a RemoteError. */
export const callMutation = callProcedure;

/** A text frame of the console's socket, or null when it is not a JSON object. */
export const controlFrame = (data: Buffer): { type?: string } | null => {
  try {
    const value: unknown = JSON.parse(data.toString("utf8"));
    return value && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
};

/**
 * The console's WebSocket for a ticket, with the token. `onMessage` is listening before the socket opens (no frame
 * is missed). Resolves once open; a refused upgrade (401, 403) rejects with the server's sentence.
 */
export const openConsoleSocket = (
  endpoint: TEndpoint,
  ticket: string,
  name: string,
  onMessage: (data: Buffer, isBinary: boolean) => void,
) =>
  new Promise<WebSocket>((resolve, reject) => {
    // The container's name too: the server refuses the ticket for any other.
    const url = new URL(
      `api/console?ticket=${encodeURIComponent(ticket)}&name=${encodeURIComponent(name)}`,
      endpoint.base,
    );
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // On the local socket: ws's own form of a unix socket's URL, addressed to localhost (the Host check).
    const target = endpoint.socketPath ? `ws+unix:${endpoint.socketPath}:${url.pathname}${url.search}` : url;
    const socket = new WebSocket(target, {
      headers: endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : { host: "localhost" },
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
      ...tlsOptionsOf(endpoint.trust),
    });
    let isOpen = false;
    socket.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buffer = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      onMessage(buffer, isBinary);
    });
    socket.once("open", () => {
      isOpen = true;
      resolve(socket);
    });
    socket.once("unexpected-response", (req, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8").trim();
        let message = text || response.statusMessage || "refused";
        try {
          const parsed = JSON.parse(text) as { message?: string; error?: string };
          message = parsed.message ?? parsed.error ?? message;
        } catch {
          // Plain text: as it came.
        }
        reject(refusal(response.statusCode ?? 0, `the console refused the connection: ${message}`));
        req.destroy();
      });
    });
    socket.on("error", (error: Error & { code?: string }) => {
      if (!isOpen) reject(networkFailure(endpoint, error));
    });
  });
