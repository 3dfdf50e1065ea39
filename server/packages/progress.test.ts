import { describe, expect, it } from "vitest";
import { createPackageProgress } from "./progress";

describe("a package job's progress", () => {
  it("counts the list refresh as the first fifth, then downloads and dpkg's work, never going back", () => {
    const progress = createPackageProgress("install");
    expect(progress.see("$ apt-get update -y")).toBeNull();
    expect(progress.see("[download 50%] Retrieving file 2 of 4")).toBe(10);
    expect(progress.see("$ apt-get install -y -- atelier-hello")).toBe(20);
    expect(progress.step()).toBe(1);
    expect(progress.see("[download 100%] Retrieving file 1 of 1")).toBe(60);
    expect(progress.see("[dpkg 0%] Running dpkg")).toBe(60);
    expect(progress.see("[dpkg 80%] Installed atelier-hello (amd64)")).toBe(92);
    expect(progress.see("Get:1 http://x ./ atelier-hello 1.0 [752 B]")).toBe(92);
    expect(progress.see("[download 10%] Retrieving file 1 of 9")).toBe(92);
  });

  it("has one command for a removal, and stays unknown without status lines (apk)", () => {
    const removal = createPackageProgress("remove");
    expect(removal.steps).toBe(1);
    expect(removal.see("$ apt-get remove -y -- x")).toBeNull();
    expect(removal.see("[dpkg 66%] Removing x (amd64)")).toBe(83);
    const apk = createPackageProgress("install");
    apk.see("$ apk --no-progress update");
    apk.see("fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/main/x86_64/APKINDEX.tar.gz");
    expect(apk.see("$ apk --no-progress add -- curl")).toBe(20);
    expect(apk.see("(1/3) Installing ca-certificates (20240226-r0)")).toBe(20);
  });
});
