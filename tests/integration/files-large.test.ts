import { describe, expect, it } from "vitest";
import { attach, startThroughApi } from "../containers";
import { download, memoryOf, patternStream, sampleRss, upload } from "../files";
import { useServer } from "../use-server";
import { createBusybox } from "../security/helpers";

/**
 * A 1 GiB file up and down through the streaming routes (issue #26: "large files stream both ways, never buffered
 * whole in memory"), into a running busybox container: the bytes the guest's own sha256sum sees are the ones sent,
 * the ones downloaded are the guest's, and the web tier's resident memory (/proc/PID/status, sampled during each
 * transfer) grows by far less than the file. FILES_LARGE_BYTES makes it smaller for a quick run.
 */
const SIZE = Number(process.env.FILES_LARGE_BYTES ?? 1024 ** 3);
/** What the web tier may grow by during a transfer: a bounded window of chunks, never the file. */
const MAX_GROWTH = 150 * 1024 * 1024;

// The default way: unprivileged, its root filesystem mounted idmapped (an upload into it running goes in by its own cat).
const server = useServer({ timeoutMs: 5 * 60_000 });
const { made } = server;

describe("a 1 GiB file through the streaming routes", () => {
  it("uploads and downloads 1 GiB with the same bytes on both sides and the web tier's memory flat", async () => {
    const name = await createBusybox(server);
    made.push(name);
    await startThroughApi(server, name);
    const webPid = await server.webPid();
    expect(webPid).not.toBeNull();
    const pid = webPid ?? 0;
    const pattern = patternStream(SIZE);

    const idle = (await memoryOf(pid)).rss;
    const upSampler = sampleRss(pid);
    const upStarted = performance.now();
    const put = await upload(server, name, "/root/large.bin", pattern.stream(), { size: SIZE });
    const upSeconds = (performance.now() - upStarted) / 1000;
    const upPeak = upSampler.stop();
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ kind: "file", size: SIZE });
    const guestSum = await attach(name, ["sha256sum", "/root/large.bin"]);
    expect(guestSum.stdout.split(/\s+/)[0]).toBe(pattern.sha256);

    const downSampler = sampleRss(pid);
    const downStarted = performance.now();
    const got = await download(server, name, "/root/large.bin", { keep: false });
    const downSeconds = (performance.now() - downStarted) / 1000;
    const downPeak = downSampler.stop();
    expect(got.status).toBe(200);
    expect(got.isComplete).toBe(true);
    expect(got.bytes).toBe(SIZE);
    expect(got.sha256).toBe(pattern.sha256);

    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    process.stderr.write(
      `files-large: up ${(SIZE / 1024 / 1024 / upSeconds).toFixed(0)} MiB/s, down ${(SIZE / 1024 / 1024 / downSeconds).toFixed(0)} MiB/s; web RSS idle ${mib(idle)} MiB, peak up ${mib(upPeak)} MiB, down ${mib(downPeak)} MiB\n`,
    );
    expect(upPeak - idle).toBeLessThan(MAX_GROWTH);
    expect(downPeak - idle).toBeLessThan(MAX_GROWTH);
  });
});
