import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import os from "node:os";
import { createInterface } from "node:readline/promises";
import { checkServerIdentity, connect, type PeerCertificate } from "node:tls";
import { API_COMMANDS, CliUsageError, expectPositionals, stringOf, type TParsed } from "./api-args";
import {
  credentialsFileOf,
  endpointOfCredentials,
  readCredentials,
  removeCredentials,
  writeCredentials,
  type TCredentials,
} from "./credentials";
import { callProcedure, callProcedureWithHeaders, RemoteError, type TEndpoint } from "./remote";

/**
 * `atelier login URL`: makes an API token (signing in with a username and password, which are not kept) or takes
 * one (--token), and stores it with the server's certificate (server/cli/credentials.ts). A certificate this
 * machine's authorities do not vouch for is trusted on first use: its fingerprint is shown and must be confirmed
 * (a question on a terminal, else --fingerprint or --yes), then pinned. `atelier logout` revokes the token it made
 * and forgets the login.
 */
type TCertificate = { pem: string; fingerprint: string; isVouched: boolean; why: string | null };

/** "AB:CD:…" or "abcd…": the same fingerprint, compared by its hex digits. Pure: unit-tested. */
export const sameFingerprint = (a: string, b: string) => {
  const digits = (value: string) => value.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return digits(a).length === 64 && digits(a) === digits(b);
};

/** The login URL, normalised to its origin and path. Pure: unit-tested. */
export const loginUrlOf = (raw: string | undefined) => {
  if (!raw) throw new CliUsageError(`the panel's URL is missing: ${API_COMMANDS.login.usage}`);
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new CliUsageError(`${JSON.stringify(raw)} is not a URL (https://host:port)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new CliUsageError(`${raw}: the panel's URL starts with https:// (or http://)`);
  if (url.username || url.password)
    throw new CliUsageError("no credentials in the URL: use --username or --token");
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
};

/** The server's certificate, as a first connection sees it (nothing is sent over it). */
const probeCertificate = (url: URL) =>
  new Promise<TCertificate>((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      timeout: 15_000,
    });
    socket.once("secureConnect", () => {
      const peer: PeerCertificate = socket.getPeerCertificate();
      socket.destroy();
      if (!peer.raw) return reject(new RemoteError(`${url.origin} showed no certificate`));
      const pem = new X509Certificate(peer.raw).toString();
      const nameProblem = checkServerIdentity(host, peer);
      const why = socket.authorizationError
        ? String(socket.authorizationError)
        : nameProblem
          ? nameProblem.message
          : null;
      resolve({ pem, fingerprint: peer.fingerprint256, isVouched: why === null, why });
    });
    socket.once("timeout", () => socket.destroy(new Error("no answer within 15 s")));
    socket.once("error", (error: Error & { code?: string }) =>
      reject(new RemoteError(`cannot reach Atelier at ${url.origin}: ${error.message}`)),
    );
  });

const ask = async (question: string) => {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
};

/** A password: typed without echo on a terminal, else the first line of stdin. */
const readSecret = async (question: string): Promise<string> => {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = "";
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString("utf8")) {
          if (char === "\r" || char === "\n") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return resolve(typed);
          }
          if (char === "\u0003") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return reject(new CliUsageError("interrupted"));
          }
          if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
};

/** The certificate to trust for `url`: vouched for by the system, or confirmed by the person (pinned). */
const trustFor = async (
  url: URL,
  parsed: TParsed,
): Promise<Pick<TCredentials, "trust" | "fingerprint" | "pem">> => {
  if (url.protocol === "http:") {
    process.stderr.write(`warning: ${url.origin} is plain HTTP: the token crosses the network unencrypted\n`);
    return { trust: "none", fingerprint: null, pem: null };
  }
  const certificate = await probeCertificate(url);
  const expected = stringOf(parsed.values, "fingerprint");
  // --fingerprint is checked whoever vouches for the certificate: a proxy that intercepts TLS with an authority
  // this machine trusts (a company's) is not the panel, and would have the password and the token.
  if (expected !== undefined && !sameFingerprint(expected, certificate.fingerprint))
    throw new RemoteError(
      `the server's certificate (fingerprint ${certificate.fingerprint}) is not the one --fingerprint names: not logged in (someone may be in between)`,
      "FORBIDDEN",
    );
  if (certificate.isVouched) return { trust: "system", fingerprint: certificate.fingerprint, pem: null };
  process.stderr.write(
    `The certificate of ${url.origin} is not vouched for by this machine (${certificate.why}).\nIts SHA-256 fingerprint:\n\n    ${certificate.fingerprint}\n\nCompare it with the server's own (its log at start, or the fingerprint your browser shows).\n`,
  );
  if (expected === undefined && !parsed.values.yes) {
    if (!process.stdin.isTTY)
      throw new CliUsageError(
        "not a terminal to ask in: add --fingerprint SHA256 (checked on the server) or --yes",
      );
    const answer = await ask("Trust this certificate for this server from now on? [y/N] ");
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new RemoteError("certificate not trusted: not logged in", "FORBIDDEN");
  }
  return { trust: "pinned", fingerprint: certificate.fingerprint, pem: certificate.pem };
};

/** Cookies of a Set-Cookie answer, as a Cookie header. Pure: unit-tested. */
export const cookieHeaderOf = (setCookie: string[] | undefined) =>
  (setCookie ?? [])
    .map((cookie) => cookie.split(";")[0]?.trim() ?? "")
    .filter(Boolean)
    .join("; ");

/** The token's name in the Account page: which machine holds it. Pure: unit-tested. */
export const tokenNameOf = (hostname: string) =>
  `atelier CLI on ${hostname.replace(/[^\p{L}\p{N} ._-]/gu, "-")}`.slice(0, 64).trim();

export const runLogin = async (parsed: TParsed) => {
  expectPositionals(parsed, 1, 1, API_COMMANDS.login.usage);
  const url = loginUrlOf(parsed.positionals[0]);
  // `--token -`: the token from standard input (or typed without echo), not in the command line that `ps` shows.
  const tokenArgument = stringOf(parsed.values, "token");
  const givenToken = tokenArgument === "-" ? (await readSecret("Token: ")).trim() : tokenArgument;
  if (givenToken === "") throw new CliUsageError("--token -: no token on standard input");
  let username = stringOf(parsed.values, "username");
  if (givenToken !== undefined && username !== undefined)
    throw new CliUsageError("--token or --username, not both");
  if (givenToken === undefined && username === undefined) {
    if (!process.stdin.isTTY)
      throw new CliUsageError("not a terminal to ask in: add --username U (password on stdin) or --token T");
    username = (await ask("Username: ")).trim();
  }
  const trust = await trustFor(url, parsed);
  const file = credentialsFileOf(process.env);
  const draft: TCredentials = {
    url: url.href,
    token: givenToken ?? "pending",
    tokenId: null,
    username: username ?? "",
    role: "",
    ...trust,
    createdAt: new Date().toISOString(),
  };
  const stored = endpointOfCredentials(draft, file);
  const endpoint: TEndpoint = {
    ...stored,
    token: givenToken ?? null,
    // A fingerprint given holds for the whole login (the password and the token cross these connections), even for
    // a certificate the system vouches for; later, such a certificate may be renewed, and the system's word is kept.
    ...(stringOf(parsed.values, "fingerprint") !== undefined &&
    stored.trust.kind === "system" &&
    draft.fingerprint
      ? { trust: { ...stored.trust, fingerprint: draft.fingerprint } }
      : {}),
  };
  type TStatus = { user: { username: string; role: string } | null };
  let credentials: TCredentials;
  if (givenToken !== undefined) {
    const status = await callProcedure<TStatus>(endpoint, "auth.status");
    if (!status.user) throw new RemoteError("the server refused the token: not logged in", "UNAUTHORIZED");
    credentials = { ...draft, username: status.user.username, role: status.user.role };
  } else {
    const password = await readSecret(`Password for ${username ?? ""}: `);
    const signedIn = await callProcedureWithHeaders<{ username: string; role: string }>(
      endpoint,
      "auth.signIn",
      {
        username,
        password,
      },
    );
    const cookie = cookieHeaderOf(signedIn.headers["set-cookie"]);
    try {
      const created = await callProcedureWithHeaders<{ id: number; token: string }>(
        endpoint,
        "tokens.create",
        { name: tokenNameOf(os.hostname()), role: signedIn.data.role },
        { cookie },
      );
      credentials = {
        ...draft,
        token: created.data.token,
        tokenId: created.data.id,
        username: signedIn.data.username,
        role: signedIn.data.role,
      };
    } finally {
      // The session was only the way to the token.
      await callProcedureWithHeaders(endpoint, "auth.signOut", undefined, { cookie }).catch(() => undefined);
    }
  }
  await writeCredentials(file, credentials);
  process.stdout.write(
    `logged in to ${url.origin} as ${credentials.username} (${credentials.role}); the token is in ${file}\n`,
  );
};

export const runLogout = async (parsed: TParsed) => {
  expectPositionals(parsed, 0, 0, API_COMMANDS.logout.usage);
  const file = credentialsFileOf(process.env);
  const stored = await readCredentials(file);
  if (!stored) {
    process.stderr.write(`not logged in (no ${file})\n`);
    return;
  }
  if (stored.tokenId !== null) {
    await callProcedure(endpointOfCredentials(stored, file), "tokens.revoke", { id: stored.tokenId }).catch(
      (error: Error) =>
        process.stderr.write(
          `warning: the token was not revoked (${error.message}): revoke it in the Account page\n`,
        ),
    );
  } else
    process.stderr.write(
      "the token was given with --token: revoke it in the Account page if it is done with\n",
    );
  await removeCredentials(file);
  process.stdout.write(`logged out of ${new URL(stored.url).origin}\n`);
};
