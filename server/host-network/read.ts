import { execa } from "execa";
import { AppError } from "../errors";
import { parseNetwork } from "./parse";

/**
 * Reads the host's network with iproute2 (argument arrays, JSON output, a timeout): four processes per read, on
 * request (the Network page), never per container.
 */
const ip = async (args: string[]) => {
  const result = await execa("ip", ["-j", ...args], { reject: false, timeout: 10_000, stdin: "ignore" });
  if (result.exitCode !== 0) {
    throw new AppError(result.failed && result.exitCode === undefined ? "LXC_UNAVAILABLE" : "INTERNAL", {
      message: `ip ${args.join(" ")} failed: ${result.stderr.trim() || (result.shortMessage ?? "no output")}`,
      hint: "Atelier needs iproute2 (the ip command) on the host.",
    });
  }
  return JSON.parse(result.stdout || "[]") as unknown;
};

export const readNetwork = async () => {
  const [links, addrs, routes4, routes6] = await Promise.all([
    ip(["-d", "-s", "link", "show"]),
    ip(["addr", "show"]),
    ip(["route", "show", "table", "main"]),
    ip(["-6", "route", "show", "table", "main"]),
  ]);
  return parseNetwork(
    links as Parameters<typeof parseNetwork>[0],
    addrs as Parameters<typeof parseNetwork>[1],
    routes4 as Parameters<typeof parseNetwork>[2],
    routes6 as Parameters<typeof parseNetwork>[3],
  );
};
