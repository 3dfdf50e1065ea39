"use client";

import { useState, type ReactNode } from "react";
import { ProgressBar } from "@/components/jobs/job-progress";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { type DEBIAN_ARCHES, DEBIAN_RELEASES } from "@/server/schemas/create-container";

/**
 * The creation wizard's sections after the name: root filesystem, network, limits, autostart, access. Plain
 * strings in a draft; `toRequest` turns the draft into the procedure's input, which the procedure's own schema
 * then checks (on the page and again on the server).
 */
export type TDraft = {
  kind: "busybox" | "import" | "debian" | "tarball" | "clone";
  release: string;
  arch: string;
  mirror: string;
  packages: string;
  path: string;
  source: string;
  overlay: boolean;
  hasNetwork: boolean;
  bridge: string;
  mode: "dhcp" | "static";
  ipv4: string;
  gateway: string;
  memoryMiB: string;
  cpuShares: string;
  cpuset: string;
  pids: string;
  autostart: boolean;
  order: string;
  delay: string;
  groups: string;
  rootPassword: string;
  sshKey: string;
};

export const emptyDraft: TDraft = {
  kind: "busybox",
  release: "bookworm",
  arch: "amd64",
  mirror: "http://deb.debian.org/debian",
  packages: "",
  path: "",
  source: "",
  overlay: false,
  hasNetwork: false,
  bridge: "",
  mode: "dhcp",
  ipv4: "",
  gateway: "",
  memoryMiB: "",
  cpuShares: "",
  cpuset: "",
  pids: "",
  autostart: false,
  order: "",
  delay: "",
  groups: "",
  rootPassword: "",
  sshKey: "",
};

const number = (value: string) => (value.trim() === "" ? undefined : Number(value));
const list = (value: string) =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);

/** The form (everything but the name) as the API takes it. */
export const toForm = (draft: TDraft) => {
  const rootfs =
    draft.kind === "debian"
      ? {
          kind: "debian" as const,
          release: draft.release as (typeof DEBIAN_RELEASES)[number],
          arch: draft.arch as (typeof DEBIAN_ARCHES)[number],
          mirror: draft.mirror.trim(),
          packages: list(draft.packages),
        }
      : draft.kind === "tarball"
        ? { kind: "tarball" as const, path: draft.path.trim() }
        : draft.kind === "clone"
          ? { kind: "clone" as const, source: draft.source, snapshot: draft.overlay }
          : { kind: "busybox" as const };
  const limits = {
    memoryMiB: number(draft.memoryMiB),
    cpuShares: number(draft.cpuShares),
    cpuset: draft.cpuset.trim() || undefined,
    pids: number(draft.pids),
  };
  const hasLimits = Object.values(limits).some((value) => value !== undefined);
  return {
    rootfs,
    ...(draft.hasNetwork
      ? {
          network: {
            bridge: draft.bridge,
            mode: draft.mode,
            ...(draft.mode === "static"
              ? {
                  ipv4: draft.ipv4.trim(),
                  ...(draft.gateway.trim() ? { gateway: draft.gateway.trim() } : {}),
                }
              : {}),
          },
        }
      : {}),
    ...(hasLimits ? { limits } : {}),
    ...(draft.autostart
      ? {
          autostart: {
            enabled: true,
            order: number(draft.order),
            delay: number(draft.delay),
            groups: list(draft.groups),
          },
        }
      : {}),
    ...(draft.rootPassword || draft.sshKey.trim()
      ? {
          access: {
            ...(draft.rootPassword ? { rootPassword: draft.rootPassword } : {}),
            ...(draft.sshKey.trim() ? { sshKey: draft.sshKey.trim() } : {}),
          },
        }
      : {}),
  };
};

/** A saved form back into a draft (a type chosen in the wizard). */
export const fromForm = (form: Record<string, unknown>): TDraft => {
  const rootfs = (form.rootfs ?? { kind: "busybox" }) as Record<string, unknown>;
  const network = form.network as Record<string, string> | undefined;
  const limits = (form.limits ?? {}) as Record<string, number | string | undefined>;
  const autostart = form.autostart as
    { enabled: boolean; order?: number; delay?: number; groups?: string[] } | undefined;
  const access = (form.access ?? {}) as Record<string, string | undefined>;
  const text = (value: unknown) =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
  return {
    ...emptyDraft,
    kind: rootfs.kind as TDraft["kind"],
    release: text(rootfs.release) || emptyDraft.release,
    arch: text(rootfs.arch) || emptyDraft.arch,
    mirror: text(rootfs.mirror) || emptyDraft.mirror,
    packages: Array.isArray(rootfs.packages) ? rootfs.packages.join(", ") : "",
    path: text(rootfs.path),
    source: text(rootfs.source),
    overlay: rootfs.snapshot === true,
    hasNetwork: network !== undefined,
    bridge: text(network?.bridge),
    mode: network?.mode === "static" ? "static" : "dhcp",
    ipv4: text(network?.ipv4),
    gateway: text(network?.gateway),
    memoryMiB: text(limits.memoryMiB),
    cpuShares: text(limits.cpuShares),
    cpuset: text(limits.cpuset),
    pids: text(limits.pids),
    autostart: autostart?.enabled ?? false,
    order: text(autostart?.order),
    delay: text(autostart?.delay),
    groups: (autostart?.groups ?? []).join(", "),
    sshKey: text(access.sshKey),
  };
};

/** Uploads an archive into the import directory (POST /api/uploads/rootfs), with progress. */
function UploadField({ onUploaded }: { onUploaded: (path: string) => void }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const upload = (file: File) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/uploads/rootfs?filename=${encodeURIComponent(file.name)}`);
    request.upload.onprogress = (event) =>
      setProgress(event.lengthComputable ? Math.round((event.loaded / event.total) * 100) : null);
    request.onload = () => {
      const body = JSON.parse(request.responseText || "{}") as { path?: string; error?: string };
      setProgress(null);
      if (request.status === 200 && body.path) {
        setMessage(`Uploaded as ${body.path}`);
        onUploaded(body.path);
      } else setMessage(body.error ?? `The upload failed (${request.status})`);
    };
    request.onerror = () => {
      setProgress(null);
      setMessage("The upload failed: Atelier could not be reached.");
    };
    setMessage(null);
    setProgress(0);
    request.send(file);
  };
  return (
    <div className="space-y-1 text-sm">
      <label className="block">
        <span className="font-medium">Upload an archive</span>
        <input
          type="file"
          accept=".tar,.tgz,.txz,.gz,.xz"
          className="mt-1 block text-sm"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) upload(file);
          }}
        />
      </label>
      {progress !== null && <ProgressBar value={progress} label="Upload progress" />}
      {message && <p role="status">{message}</p>}
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

export function CreationSections({
  draft,
  set,
  errors,
  bridges,
  containers,
  rootfsChoices,
}: {
  draft: TDraft;
  set: (change: Partial<TDraft>) => void;
  /** Field path → message (from the schema on the page, or from the server). */
  errors: Record<string, string>;
  bridges: string[];
  containers: { name: string; state: string }[];
  /** The import option and its panel, given by the page. */
  rootfsChoices?: ReactNode;
}) {
  const error = (field: string) => errors[field] ?? null;
  const radio = (kind: TDraft["kind"], label: string, help: string) => (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="radio"
        name="rootfs-kind"
        value={kind}
        checked={draft.kind === kind}
        onChange={() => set({ kind })}
        className="mt-1"
      />
      <span>
        {label}
        <span className="block text-xs text-slate-500 dark:text-slate-400">{help}</span>
      </span>
    </label>
  );
  return (
    <>
      <Section title="Root filesystem">
        {radio("busybox", "Busybox", "A minimal system, ready in about a second.")}
        {rootfsChoices}
        {radio(
          "debian",
          "Debian (debootstrap)",
          "A real Debian; minutes the first time, seconds once cached.",
        )}
        {radio(
          "tarball",
          "A tarball on the host",
          "A root filesystem archive in Atelier's import directory.",
        )}
        {radio(
          "clone",
          "A clone of a container",
          "A full copy, or an overlay snapshot clone, of a stopped container.",
        )}
        {draft.kind === "debian" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label="Release"
              value={draft.release}
              options={DEBIAN_RELEASES}
              onChange={(event) => set({ release: event.target.value })}
            />
            <SelectField
              label="Architecture"
              value={draft.arch}
              options={[
                { value: "amd64", label: "amd64 (64-bit)" },
                { value: "i386", label: "i386 (32-bit userland on a 64-bit host)" },
              ]}
              onChange={(event) => set({ arch: event.target.value })}
            />
            <TextField
              label="Mirror URL"
              value={draft.mirror}
              error={error("rootfs.mirror")}
              onChange={(event) => set({ mirror: event.target.value })}
              spellCheck={false}
            />
            <TextField
              label="Extra packages (comma-separated)"
              value={draft.packages}
              error={Object.entries(errors).find(([key]) => key.startsWith("rootfs.packages"))?.[1] ?? null}
              placeholder="openssh-server, vim"
              onChange={(event) => set({ packages: event.target.value })}
            />
          </div>
        )}
        {draft.kind === "tarball" && (
          <div className="space-y-2">
            <TextField
              label="Archive path on the host"
              value={draft.path}
              error={error("rootfs.path")}
              placeholder="/var/lib/atelier/imports/rootfs.tar.gz"
              help="In Atelier's import directory; or upload one from this computer."
              onChange={(event) => set({ path: event.target.value })}
              spellCheck={false}
            />
            <UploadField onUploaded={(uploaded) => set({ path: uploaded })} />
          </div>
        )}
        {draft.kind === "clone" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label="Container to clone"
              value={draft.source}
              options={[
                { value: "", label: "(pick a container)" },
                ...containers.map((row) => ({
                  value: row.name,
                  label:
                    row.state === "STOPPED"
                      ? row.name
                      : `${row.name} (${row.state.toLowerCase()}: stop it first)`,
                })),
              ]}
              onChange={(event) => set({ source: event.target.value })}
            />
            <label className="flex items-center gap-2 self-end text-sm">
              <input
                type="checkbox"
                checked={draft.overlay}
                onChange={(event) => set({ overlay: event.target.checked })}
              />
              Overlay snapshot clone (copy-on-write)
            </label>
            {error("rootfs.source") && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-300 sm:col-span-2">
                {error("rootfs.source")}
              </p>
            )}
          </div>
        )}
      </Section>

      <Section title="Network">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.hasNetwork}
            onChange={(event) => set({ hasNetwork: event.target.checked })}
          />
          Choose eth0&apos;s bridge and address (otherwise the default config&apos;s network)
        </label>
        {draft.hasNetwork && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label="Bridge"
              value={draft.bridge}
              options={[{ value: "", label: "(pick a bridge)" }, ...bridges]}
              onChange={(event) => set({ bridge: event.target.value })}
            />
            <SelectField
              label="Addressing"
              value={draft.mode}
              options={[
                { value: "dhcp", label: "DHCP" },
                { value: "static", label: "Static IPv4" },
              ]}
              onChange={(event) => set({ mode: event.target.value as TDraft["mode"] })}
            />
            {draft.mode === "static" && (
              <>
                <TextField
                  label="IPv4 address with prefix"
                  value={draft.ipv4}
                  error={error("network.ipv4")}
                  placeholder="10.0.3.10/24"
                  onChange={(event) => set({ ipv4: event.target.value })}
                />
                <TextField
                  label="Gateway"
                  value={draft.gateway}
                  error={error("network.gateway")}
                  placeholder="10.0.3.1"
                  onChange={(event) => set({ gateway: event.target.value })}
                />
              </>
            )}
            {error("network.bridge") && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-300 sm:col-span-2">
                {error("network.bridge")}
              </p>
            )}
            <p className="text-xs text-slate-500 sm:col-span-2 dark:text-slate-400">
              A MAC address is generated.
            </p>
          </div>
        )}
      </Section>

      <Section title="Limits">
        <div className="grid gap-3 sm:grid-cols-4">
          <TextField
            label="Memory (MiB)"
            inputMode="numeric"
            value={draft.memoryMiB}
            error={error("limits.memoryMiB")}
            onChange={(event) => set({ memoryMiB: event.target.value })}
          />
          <TextField
            label="CPU shares"
            inputMode="numeric"
            value={draft.cpuShares}
            error={error("limits.cpuShares")}
            placeholder="1024"
            onChange={(event) => set({ cpuShares: event.target.value })}
          />
          <TextField
            label="CPUs (cpuset)"
            value={draft.cpuset}
            error={error("limits.cpuset")}
            placeholder="0-1"
            onChange={(event) => set({ cpuset: event.target.value })}
          />
          <TextField
            label="Max processes"
            inputMode="numeric"
            value={draft.pids}
            error={error("limits.pids")}
            onChange={(event) => set({ pids: event.target.value })}
          />
        </div>
      </Section>

      <Section title="Autostart">
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.autostart}
            onChange={(event) => set({ autostart: event.target.checked })}
          />
          Start with the host (lxc-autostart)
        </label>
        {draft.autostart && (
          <div className="grid gap-3 sm:grid-cols-3">
            <TextField
              label="Order"
              inputMode="numeric"
              value={draft.order}
              error={error("autostart.order")}
              onChange={(event) => set({ order: event.target.value })}
            />
            <TextField
              label="Delay after it (seconds)"
              inputMode="numeric"
              value={draft.delay}
              error={error("autostart.delay")}
              onChange={(event) => set({ delay: event.target.value })}
            />
            <TextField
              label="Groups (comma-separated)"
              value={draft.groups}
              error={Object.entries(errors).find(([key]) => key.startsWith("autostart.groups"))?.[1] ?? null}
              onChange={(event) => set({ groups: event.target.value })}
            />
          </div>
        )}
      </Section>

      <Section title="Access">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Root password (optional)"
            type="password"
            autoComplete="new-password"
            value={draft.rootPassword}
            error={error("access.rootPassword")}
            onChange={(event) => set({ rootPassword: event.target.value })}
          />
          <TextField
            label="SSH public key for root (optional)"
            value={draft.sshKey}
            error={error("access.sshKey")}
            placeholder="ssh-ed25519 AAAA… you@laptop"
            onChange={(event) => set({ sshKey: event.target.value })}
            spellCheck={false}
          />
        </div>
      </Section>
    </>
  );
}
