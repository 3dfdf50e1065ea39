import { execa } from "execa";

/**
 * Tar archives written member by member with Python's tarfile, which writes whatever it is told (members outside
 * the archive, hard links to host files, device nodes): the hostile archives the tarball checks must refuse. Shared
 * by the unit tests of the checks and the security tests of the provider.
 */
export type TTarSpec = {
  name: string;
  type?: "file" | "dir" | "symlink" | "hardlink" | "chr" | "blk" | "fifo";
  link?: string;
  mode?: number;
  dev?: [number, number];
};

const PY = `
import io, json, sys, tarfile
types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}
with tarfile.open(sys.argv[2], sys.argv[3], format=tarfile.GNU_FORMAT) as tar:
    for spec in json.loads(sys.argv[1]):
        info = tarfile.TarInfo(spec["name"])
        info.type = types[spec.get("type", "file")]
        info.mode = spec.get("mode", 0o755 if info.type == tarfile.DIRTYPE else 0o644)
        info.linkname = spec.get("link", "")
        if "dev" in spec: info.devmajor, info.devminor = spec["dev"]
        data = b"#!/bin/sh\\n" if info.type == tarfile.REGTYPE else b""
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
`;

export const writeTar = async (specs: TTarSpec[], file: string, { gzip = false } = {}) => {
  await execa("python3", ["-c", PY, JSON.stringify(specs), file, gzip ? "w:gz" : "w"]);
  return file;
};
