import { createServer } from "node:http";

/**
 * A stand-in for a Debian mirror on this namespace's loopback, for the tests that create Debian containers. LXC's
 * debian template asks the mirror whether the architecture and release exist (two Release files) even when its
 * cache already holds the root filesystem; this answers those. Anything else (debootstrap's own first request, for a
 * release that is not cached) is held open without an answer, so a test can cancel or interrupt a debootstrap that
 * is really running. No traffic leaves the namespace.
 */
export const startTestMirror = async () => {
  let held = 0;
  const server = createServer((request, response) => {
    const url = request.url ?? "";
    if (/^\/debian\/dists\/testing\/main\/binary-[a-z0-9]+\/Release$/.test(url)) {
      response.end("Archive: testing\n");
      return;
    }
    const release = /^\/debian\/dists\/([a-z]+)\/Release$/.exec(url);
    if (release) {
      response.end(`Suite: ${release[1] === "bookworm" ? "stable" : "oldstable"}\nCodename: ${release[1]}\n`);
      return;
    }
    held += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/debian`,
    /** Requests held open so far (debootstrap waiting on the mirror). */
    held: () => held,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
