"use client";

import { useTranslations } from "next-intl";
import { useId, useState, type ReactNode } from "react";
import { ProgressBar } from "@/components/jobs/job-progress";
import { SelectField } from "@/components/ui/select-field";
import { TextField } from "@/components/ui/text-field";
import { DEBIAN_RELEASES } from "@/server/schemas/create-container";
import { errorUnder, type TDraft } from "./creation-sections-draft";

// Examples and names, the same in every language.
const PACKAGES_EXAMPLE = "openssh-server, vim";
const ARCHIVE_EXAMPLE = "/var/lib/atelier/imports/rootfs.tar.gz";
const BUSYBOX = "Busybox";
const DEBIAN = "Debian (debootstrap)";

/** The upload's answer: the path, or a refusal in English with the catalogue's sentence (server/http/upload.ts). */
type TUploadAnswer = {
  path?: string;
  error?: string;
  messageId?: string;
  params?: Record<string, string | number>;
};

/** Uploads an archive into the import directory (POST /api/uploads/rootfs), with progress. */
function UploadField({ onUploaded }: { onUploaded: (path: string) => void }) {
  const t = useTranslations("creation.upload");
  const tAll = useTranslations();
  // The web tier's refusal: its catalogue sentence in the page's language when it names one, else its English.
  const reasonOf = (body: TUploadAnswer) => {
    const key = `errors.${body.messageId}.message`;
    return body.messageId && tAll.has(key as never)
      ? tAll(key as never, (body.params ?? {}) as never)
      : body.error;
  };
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const upload = (file: File) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/uploads/rootfs?filename=${encodeURIComponent(file.name)}`);
    request.upload.onprogress = (event) =>
      setProgress(event.lengthComputable ? Math.round((event.loaded / event.total) * 100) : null);
    request.onload = () => {
      const body = JSON.parse(request.responseText || "{}") as TUploadAnswer;
      setProgress(null);
      if (request.status === 200 && body.path) {
        setMessage(t("uploaded", { path: body.path }));
        onUploaded(body.path);
      } else {
        const reason = reasonOf(body);
        setMessage(reason ? t("refused", { reason }) : t("failed", { status: request.status }));
      }
    };
    request.onerror = () => {
      setProgress(null);
      setMessage(t("unreachable"));
    };
    setMessage(null);
    setProgress(0);
    request.send(file);
  };
  return (
    <div className="space-y-1 text-sm">
      <label className="block">
        <span className="font-medium">{t("label")}</span>
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
      {progress !== null && <ProgressBar value={progress} label={t("progress")} />}
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
 * The creation wizard's sections after the name: root filesystem, isolation, network, limits, autostart, access. They show
 * and change a draft (creation-sections-draft.ts); the page owns it.
 */
export function CreationSections({
  draft,
  set,
  errors,
  bridges,
  containers,
  rootfsChoices,
  isAdmin,
  isPrivileged,
}: {
  draft: TDraft;
  set: (change: Partial<TDraft>) => void;
  /** Field path → message (from the schema on the page, or from the server). */
  errors: Record<string, string>;
  bridges: string[];
  containers: { name: string; state: string }[];
  /** The import option and its panel, given by the page. */
  rootfsChoices?: ReactNode;
  /** Whether the user may make a privileged container (the checkbox is an admin's). */
  isAdmin: boolean;
  /** Whether the container will be privileged: the draft's choice, else the host's default. */
  isPrivileged: boolean;
}) {
  const t = useTranslations("creation");
  const error = (field: string) => errors[field] ?? null;
  const sourceError = error("rootfs.source");
  const bridgeError = error("network.bridge");
  const snapshotError = error("rootfs.snapshot");
  const privilegedError = error("privileged");
  const overlayNoteId = useId();
  const privilegedHelpId = useId();
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
      <Section title={t("rootfs.title")}>
        {radio("busybox", BUSYBOX, t("rootfs.busyboxHelp"))}
        {rootfsChoices}
        {radio("debian", DEBIAN, t("rootfs.debianHelp"))}
        {radio("tarball", t("rootfs.tarball"), t("rootfs.tarballHelp"))}
        {radio("clone", t("rootfs.clone"), t("rootfs.cloneHelp"))}
        {draft.kind === "debian" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label={t("debian.release")}
              value={draft.release}
              options={DEBIAN_RELEASES}
              onChange={(event) => set({ release: event.target.value })}
            />
            <SelectField
              label={t("debian.architecture")}
              value={draft.arch}
              options={[
                { value: "amd64", label: t("debian.amd64") },
                { value: "i386", label: t("debian.i386") },
              ]}
              onChange={(event) => set({ arch: event.target.value })}
            />
            <TextField
              label={t("debian.mirror")}
              value={draft.mirror}
              error={error("rootfs.mirror")}
              onChange={(event) => set({ mirror: event.target.value })}
              spellCheck={false}
            />
            <TextField
              label={t("debian.packages")}
              value={draft.packages}
              error={errorUnder(errors, "rootfs.packages")}
              placeholder={PACKAGES_EXAMPLE}
              onChange={(event) => set({ packages: event.target.value })}
            />
          </div>
        )}
        {draft.kind === "tarball" && (
          <div className="space-y-2">
            <TextField
              label={t("tarball.path")}
              value={draft.path}
              error={error("rootfs.path")}
              placeholder={ARCHIVE_EXAMPLE}
              help={t("tarball.pathHelp")}
              onChange={(event) => set({ path: event.target.value })}
              spellCheck={false}
            />
            <UploadField onUploaded={(uploaded) => set({ path: uploaded })} />
          </div>
        )}
        {draft.kind === "clone" && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label={t("clone.source")}
              value={draft.source}
              options={[
                { value: "", label: t("clone.pick") },
                ...containers.map((row) => ({
                  value: row.name,
                  label:
                    row.state === "STOPPED"
                      ? row.name
                      : t("clone.notStopped", { name: row.name, state: row.state }),
                })),
              ]}
              onChange={(event) => set({ source: event.target.value })}
            />
            <label className="flex items-center gap-2 self-end text-sm">
              <input
                type="checkbox"
                checked={draft.overlay}
                aria-invalid={snapshotError !== null}
                aria-describedby={draft.overlay && !isPrivileged ? overlayNoteId : undefined}
                onChange={(event) => set({ overlay: event.target.checked })}
              />
              {t("clone.overlay")}
            </label>
            {/* The server refuses an unprivileged snapshot clone (LXC mounts only a directory idmapped). */}
            {snapshotError ? (
              <p
                id={overlayNoteId}
                role="alert"
                className="text-sm text-red-700 dark:text-red-300 sm:col-span-2"
              >
                {snapshotError}
              </p>
            ) : (
              draft.overlay &&
              !isPrivileged && (
                <p
                  id={overlayNoteId}
                  data-testid="overlay-unprivileged"
                  className="text-sm text-amber-800 dark:text-amber-200 sm:col-span-2"
                >
                  {isAdmin ? t("isolation.overlayUnprivilegedAdmin") : t("isolation.overlayUnprivileged")}
                </p>
              )
            )}
            {sourceError && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-300 sm:col-span-2">
                {sourceError}
              </p>
            )}
          </div>
        )}
      </Section>

      <Section title={t("isolation.title")}>
        {isAdmin && (
          <div className="space-y-1">
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="privileged"
                checked={isPrivileged}
                aria-describedby={privilegedHelpId}
                aria-invalid={privilegedError !== null}
                onChange={(event) => set({ privileged: event.target.checked })}
              />
              {t("isolation.privileged")}
            </label>
            <p id={privilegedHelpId} className="text-xs text-amber-800 dark:text-amber-200">
              {t("isolation.privilegedWarning")}
            </p>
          </div>
        )}
        {!isPrivileged && (
          <p data-testid="will-be-unprivileged" className="text-sm">
            {t("isolation.unprivileged")}
          </p>
        )}
        {privilegedError && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {privilegedError}
          </p>
        )}
      </Section>

      <Section title={t("network.title")}>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.hasNetwork}
            onChange={(event) => set({ hasNetwork: event.target.checked })}
          />
          {t("network.choose")}
        </label>
        {draft.hasNetwork && (
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField
              label={t("network.bridge")}
              value={draft.bridge}
              options={[{ value: "", label: t("network.pickBridge") }, ...bridges]}
              onChange={(event) => set({ bridge: event.target.value })}
            />
            <SelectField
              label={t("network.addressing")}
              value={draft.mode}
              options={[
                { value: "dhcp", label: t("network.dhcp") },
                { value: "static", label: t("network.static") },
              ]}
              onChange={(event) => set({ mode: event.target.value as TDraft["mode"] })}
            />
            {draft.mode === "static" && (
              <>
                <TextField
                  label={t("network.ipv4")}
                  value={draft.ipv4}
                  error={error("network.ipv4")}
                  placeholder="10.0.3.10/24"
                  onChange={(event) => set({ ipv4: event.target.value })}
                />
                <TextField
                  label={t("network.gateway")}
                  value={draft.gateway}
                  error={error("network.gateway")}
                  placeholder="10.0.3.1"
                  onChange={(event) => set({ gateway: event.target.value })}
                />
              </>
            )}
            {bridgeError && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-300 sm:col-span-2">
                {bridgeError}
              </p>
            )}
            <p className="text-xs text-slate-500 sm:col-span-2 dark:text-slate-400">{t("network.mac")}</p>
          </div>
        )}
      </Section>

      <Section title={t("limits.title")}>
        <div className="grid gap-3 sm:grid-cols-4">
          <TextField
            label={t("limits.memory")}
            inputMode="numeric"
            value={draft.memoryMiB}
            error={error("limits.memoryMiB")}
            onChange={(event) => set({ memoryMiB: event.target.value })}
          />
          <TextField
            label={t("limits.cpuShares")}
            inputMode="numeric"
            value={draft.cpuShares}
            error={error("limits.cpuShares")}
            placeholder="1024"
            onChange={(event) => set({ cpuShares: event.target.value })}
          />
          <TextField
            label={t("limits.cpuset")}
            value={draft.cpuset}
            error={error("limits.cpuset")}
            placeholder="0-1"
            onChange={(event) => set({ cpuset: event.target.value })}
          />
          <TextField
            label={t("limits.pids")}
            inputMode="numeric"
            value={draft.pids}
            error={error("limits.pids")}
            onChange={(event) => set({ pids: event.target.value })}
          />
        </div>
      </Section>

      <Section title={t("autostart.title")}>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={draft.autostart}
            onChange={(event) => set({ autostart: event.target.checked })}
          />
          {t("autostart.enable")}
        </label>
        {draft.autostart && (
          <div className="grid gap-3 sm:grid-cols-3">
            <TextField
              label={t("autostart.order")}
              inputMode="numeric"
              value={draft.order}
              error={error("autostart.order")}
              onChange={(event) => set({ order: event.target.value })}
            />
            <TextField
              label={t("autostart.delay")}
              inputMode="numeric"
              value={draft.delay}
              error={error("autostart.delay")}
              onChange={(event) => set({ delay: event.target.value })}
            />
            <TextField
              label={t("autostart.groups")}
              value={draft.groups}
              error={errorUnder(errors, "autostart.groups")}
              onChange={(event) => set({ groups: event.target.value })}
            />
          </div>
        )}
      </Section>

      <Section title={t("access.title")}>
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label={t("access.rootPassword")}
            type="password"
            autoComplete="new-password"
            value={draft.rootPassword}
            error={error("access.rootPassword")}
            onChange={(event) => set({ rootPassword: event.target.value })}
          />
          <TextField
            label={t("access.sshKey")}
            value={draft.sshKey}
            error={error("access.sshKey")}
            placeholder={t("access.sshKeyPlaceholder")}
            onChange={(event) => set({ sshKey: event.target.value })}
            spellCheck={false}
          />
        </div>
      </Section>
    </>
  );
}
