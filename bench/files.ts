import { createHash } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { GUEST_PATH } from "@/server/helper/operations/console";
import { download, patternStream, sampleRss, upload, memoryOf } from "../tests/files";
import { lxcPath, uniqueName } from "../tests/lxc-oracle";
import { callProcedure, startServer } from "../tests/server";
import { median } from "./stats";

/**
 * Files inside a container through the API (issue #26, docs/api.md "Files"), against the container's own tools in
 * the same run, interleaved round by round so that the machine's load falls on both alike:
 * - a 1 GiB file: `GET /api/containers/NAME/files` over HTTPS with a token (the web tier's route, the helper's
 *   files.download through /proc/PID/root) against `lxc-attach -- cat` of the same file, both read to the end and
 *   hashed by this process; goal: at least 0.8× the throughput of lxc-attach;
 * - a directory tree (BENCH_FILES_TREE files of 256 KiB): the route's tar against `lxc-attach -- tar c`;
 * - the web tier's resident memory (VmRSS) before and at its peak during the API's transfers.
 */
const SIZE = Number(process.env.BENCH_FILES_BYTES ?? 1024 ** 3);
const TREE = Number(process.env.BENCH_FILES_TREE ?? 400);
const ROUNDS = Number(process.env.BENCH_FILES_ROUNDS ?? 3);

const mibps = (bytes: number, seconds: number) => bytes / 1024 / 1024 / seconds;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** A throwaway self-signed certificate for 127.0.0.1 (as tests/integration/https.test.ts makes). */
const makeCertificate = async (dir: string) => {
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
  // The web tier (user atelier) reads them.
  await chmod(dir, 0o755);
  await chmod(key, 0o644);
  return { cert, key };
};

/** `lxc-attach -- ARGV` as the helper runs a guest's program, its stdout hashed here: seconds and bytes. */
const attachRead = async (name: string, argv: string[]) => {
  const started = performance.now();
  const child = execa(
    "lxc-attach",
    ["-n", name, "-P", lxcPath(), "--clear-env", "-v", `PATH=${GUEST_PATH}`, "--", ...argv],
    { encoding: "buffer", buffer: false },
  );
  const hash = createHash("sha256");
  let bytes = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  await child;
  return { seconds: (performance.now() - started) / 1000, bytes, sha256: hash.digest("hex") };
};

export const benchFiles = async () => {
  const certDir = await mkdtemp(path.join(process.env.ATELIER_DATA_DIR ?? "/tmp", "bench-files-tls-"));
  const { cert, key } = await makeCertificate(certDir);
  const server = await startServer(
    { ATELIER_TLS_CERT: cert, ATELIER_TLS_KEY: key, ATELIER_IDMAP_METHOD: "shift" },
    { scheme: "https", timeoutMs: 30 * 60_000 },
  );
  const name = uniqueName("bench-files");
  // fetch() (the tRPC calls) cannot be given a certificate to trust: this run's own self-signed one is taken, for
  // this part only.
  const rejecting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  try {
    // Through the API: a busybox container, started, the file uploaded (the upload is timed too).
    process.stderr.write(`files: a ${mib(SIZE)} file and a tree of ${TREE} files into ${name}…\n`);
    const created = await callProcedure(server, "containers.create", { name, rootfs: { kind: "busybox" } });
    const jobId = (created.data as { jobId?: string } | undefined)?.jobId;
    if (!jobId) throw new Error(`containers.create failed: ${JSON.stringify(created.error)}`);
    for (;;) {
      const job = (await callProcedure(server, "jobs.get", { id: jobId }, { kind: "query" })).data as {
        state: string;
      };
      if (job.state === "succeeded") break;
      if (job.state !== "running") throw new Error(`creating ${name}: ${job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const started = await callProcedure(server, "containers.start", { name });
    if (started.status !== 200) throw new Error(`containers.start: ${JSON.stringify(started.error)}`);
    const pid = (await server.webPid()) ?? 0;
    const pattern = patternStream(SIZE);
    const idle = (await memoryOf(pid)).rss;
    const upSampler = sampleRss(pid);
    const upStarted = performance.now();
    const put = await upload(server, name, "/root/large.bin", pattern.stream(), { size: SIZE });
    const upSeconds = (performance.now() - upStarted) / 1000;
    const upPeak = upSampler.stop();
    if (put.status !== 200) throw new Error(`upload: ${JSON.stringify(put.json)}`);
    const made = await execa("lxc-attach", [
      "-n",
      name,
      "-P",
      lxcPath(),
      "--clear-env",
      "-v",
      `PATH=${GUEST_PATH}`,
      "--",
      "sh",
      "-c",
      `mkdir -p /root/tree && i=0; while [ $i -lt ${TREE} ]; do head -c 262144 /root/large.bin > /root/tree/f$i; i=$((i+1)); done`,
    ]);
    if (made.exitCode !== 0) throw new Error(`making the tree: ${made.stderr}`);

    const api = { file: [] as number[], tree: [] as number[] };
    const raw = { file: [] as number[], tree: [] as number[] };
    let treeBytes = 0;
    let downPeak = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const sampler = sampleRss(pid);
      let begun = performance.now();
      const got = await download(server, name, "/root/large.bin", { keep: false });
      api.file.push(mibps(got.bytes, (performance.now() - begun) / 1000));
      if (got.sha256 !== pattern.sha256) throw new Error("the API's download differs from the file");
      begun = performance.now();
      const tarred = await download(server, name, "/root/tree", { keep: false });
      api.tree.push(mibps(tarred.bytes, (performance.now() - begun) / 1000));
      treeBytes = tarred.bytes;
      downPeak = Math.max(downPeak, sampler.stop());

      const cat = await attachRead(name, ["cat", "/root/large.bin"]);
      if (cat.sha256 !== pattern.sha256) throw new Error("lxc-attach cat read other bytes");
      raw.file.push(mibps(cat.bytes, cat.seconds));
      const tar = await attachRead(name, ["tar", "-c", "-f", "-", "-C", "/root", "tree"]);
      raw.tree.push(mibps(tar.bytes, tar.seconds));
    }
    const line = (label: string, ours: number[], theirs: number[], what: string) =>
      `  ${label.padEnd(34)} API ${median(ours).toFixed(0).padStart(5)} MiB/s   ${what.padEnd(20)} ${median(theirs).toFixed(0).padStart(5)} MiB/s   ratio ${(median(ours) / median(theirs)).toFixed(2)}   (goal >= 0.8)`;
    return [
      `Files (HTTPS, token; ${ROUNDS} rounds, medians; busybox, running):`,
      line(`download of a ${mib(SIZE)} file`, api.file, raw.file, "lxc-attach -- cat"),
      line(`tar of ${TREE} files (${mib(treeBytes)})`, api.tree, raw.tree, "lxc-attach -- tar c"),
      `  upload of the ${mib(SIZE)} file          ${mibps(SIZE, upSeconds).toFixed(0).padStart(5)} MiB/s`,
      `  web tier RSS: idle ${mib(idle)}, peak during the upload ${mib(upPeak)}, during the downloads ${mib(downPeak)}`,
    ];
  } finally {
    if (rejecting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejecting;
    await server.stop();
    await execa("lxc-destroy", ["-n", name, "-P", lxcPath(), "-f"], { reject: false });
    await rm(certDir, { recursive: true, force: true });
  }
};

// Alone (`npx tsx scripts/test-env.ts tsx bench/files.ts`): this part of `npm run bench` only.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { assertTestEnvironment } = await import("../tests/guard");
  await assertTestEnvironment();
  process.stdout.write(`${(await benchFiles()).join("\n")}\n`);
}
