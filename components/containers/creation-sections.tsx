"use client";

import { useState, type ReactNode } from "react";
import { ProgressBar } from "@/components/jobs/job-progress";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { DEBIAN_RELEASES } from "@/server/schemas/create-container";
import { errorUnder, type TDraft } from "./creation-sections-draft";

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

/**
 * The creation wizard's sections after the name: root filesystem, network, limits, autostart, access. They show
 * and change a draft (creation-sections-draft.ts); the page owns it.
 */
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
              error={errorUnder(errors, "rootfs.packages")}
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
              error={errorUnder(errors, "autostart.groups")}
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
