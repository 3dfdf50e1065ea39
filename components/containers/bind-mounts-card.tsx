"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { useSession } from "@/components/auth/use-session";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

// Marks beside words that say the same (never the only sign), the same in every language.
const DANGER = "⚠";
const MAPS_TO = "→";
/** The kernel's overflow id: what an unmapped host owner shows as inside. */
const NOBODY = 65534;

type TMount = {
  line: number;
  source: string;
  target: string;
  readOnly: boolean;
  kind: "missing" | "link" | "directory" | "file" | "other";
  throughLink: boolean;
  uid: number | null;
  gid: number | null;
  mode: number | null;
  insideUid: number | null;
  insideGid: number | null;
  inBindRoots: boolean;
  systemPath: boolean;
};
type TAsk =
  { kind: "chown"; mount: TMount; uid: number; gid: number } | { kind: "pass"; mount: TMount; id: number };

const code = (chunks: ReactNode) => <code className="font-mono text-xs break-all">{chunks}</code>;
const octal = (mode: number) => mode.toString(8).padStart(4, "0");
const isId = (value: string) => /^\d{1,5}$/.test(value) && Number(value) <= 65535;

/**
 * A container's bind mounts on its Overview (unprivileged containers): each source's owner on the host and who that
 * is inside (nobody when its map has not that id, with a warning), and the two fixes, each confirmed with what
 * changes: give the source to one of the container's ids (chown -R to host N+ID; an operator inside the bind roots,
 * an admin elsewhere, never a host system directory), or, an admin, map the owner's host id through the container
 * unchanged (the container stopped).
 */
export function BindMountsCard({ name, isStopped }: { name: string; isStopped: boolean }) {
  const t = useTranslations("containers.bindMounts");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const binds = useQuery(trpc.containers.binds.queryOptions({ name }));
  const [ask, setAsk] = useState<TAsk | null>(null);
  // The inside ids typed for each source's chown (1000, the first user of most distributions, until changed).
  const [typed, setTyped] = useState<Record<string, { uid: string; gid: string }>>({});
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.containers.binds.queryFilter({ name }));
    void queryClient.invalidateQueries(trpc.containers.isolation.queryFilter({ name }));
  };
  const chown = useMutation(trpc.containers.chownBindSource.mutationOptions({ onSettled: refresh }));
  const pass = useMutation(trpc.containers.passThroughId.mutationOptions({ onSettled: refresh }));

  if (binds.isPending) return null;
  if (binds.isError) return <ErrorAlert error={binds.error} title={t("loadError")} />;
  const picture = binds.data;
  const root = picture.root;
  // A privileged container's ids are the host's: nothing to show or fix.
  if (root === null || picture.mounts.length === 0) return null;
  /** The host id of an inside id: itself when passed through, else N+ID. */
  const hostOf = (inside: number, kind: "u" | "g") =>
    (kind === "u" ? picture.passThrough.uids : picture.passThrough.gids).includes(inside)
      ? inside
      : (kind === "u" ? root.uid : root.gid) + inside;
  const ids = (uid: number | null, gid: number | null) => ({
    uid: String(uid ?? "?"),
    gid: String(gid ?? "?"),
  });

  return (
    <section
      aria-labelledby="bind-mounts-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 id="bind-mounts-heading" className="text-base font-semibold">
        {t("heading")}
      </h3>
      <p className="text-sm text-slate-600 dark:text-slate-300">{t("intro")}</p>
      <ul className="space-y-3">
        {picture.mounts.map((mount) => {
          const isNobody = mount.insideUid === NOBODY || mount.insideGid === NOBODY;
          const isPlain = (mount.kind === "directory" || mount.kind === "file") && !mount.throughLink;
          const canChown =
            isPlain &&
            !mount.systemPath &&
            (mount.inBindRoots ? session.can("operator") : session.can("admin"));
          const canPass =
            isPlain &&
            session.can("admin") &&
            mount.uid !== null &&
            // Host users' ids only (Debian's UID_MIN to below nobody), as the helper takes them.
            mount.uid >= 1000 &&
            mount.uid <= 65533 &&
            mount.insideUid !== mount.uid;
          const entry = typed[mount.source] ?? { uid: "1000", gid: "1000" };
          const valid = isId(entry.uid) && isId(entry.gid);
          return (
            <li
              key={mount.line}
              data-testid="bind-mount"
              data-source={mount.source}
              data-nobody={isNobody}
              className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-800"
            >
              <p className="text-sm">
                {t.rich("mount", { source: mount.source, target: `/${mount.target}`, code })}
                {mount.readOnly && ` ${t("readOnly")}`}
              </p>
              {mount.uid === null ? (
                <p className="text-sm text-slate-600 dark:text-slate-300">
                  {t("state", { state: mount.kind === "missing" ? "missing" : "other" })}
                </p>
              ) : (
                <p className="text-sm tabular-nums" data-testid="bind-owner">
                  {t("hostOwner", { ...ids(mount.uid, mount.gid), mode: octal(mount.mode ?? 0) })}{" "}
                  <span aria-hidden="true">{MAPS_TO} </span>
                  {t("insideOwner", {
                    ...ids(mount.insideUid, mount.insideGid),
                    nobody: isNobody ? "yes" : "no",
                  })}
                </p>
              )}
              {(mount.kind === "link" || mount.throughLink) && (
                <p className="text-sm text-slate-600 dark:text-slate-300">{t("throughLink")}</p>
              )}
              {/* A read-only or host system bind (busybox's /lib) is meant to be read as nobody: no warning. */}
              {isNobody && mount.uid !== null && !mount.readOnly && !mount.systemPath && (
                <p
                  role="note"
                  className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
                >
                  <span aria-hidden="true">{DANGER} </span>
                  {t("nobodyWarning")}
                </p>
              )}
              {mount.systemPath && (
                <p className="text-sm text-slate-600 dark:text-slate-300">{t("systemPath")}</p>
              )}
              {isPlain && !mount.systemPath && !mount.inBindRoots && !session.can("admin") && (
                <p className="text-sm text-slate-600 dark:text-slate-300">{t("outsideRoots")}</p>
              )}
              {canChown && (
                <div className="flex flex-wrap items-end gap-2">
                  <TextField
                    label={t("chown.uid")}
                    inputMode="numeric"
                    className="w-28"
                    value={entry.uid}
                    onChange={(event) =>
                      setTyped({ ...typed, [mount.source]: { ...entry, uid: event.target.value.trim() } })
                    }
                  />
                  <TextField
                    label={t("chown.gid")}
                    inputMode="numeric"
                    className="w-28"
                    value={entry.gid}
                    onChange={(event) =>
                      setTyped({ ...typed, [mount.source]: { ...entry, gid: event.target.value.trim() } })
                    }
                  />
                  <Button
                    disabled={!valid || chown.isPending}
                    isPending={chown.isPending && chown.variables.source === mount.source}
                    onClick={() =>
                      setAsk({ kind: "chown", mount, uid: Number(entry.uid), gid: Number(entry.gid) })
                    }
                  >
                    {t("chown.button")}
                  </Button>
                </div>
              )}
              {canPass && mount.uid !== null && (
                <div className="flex flex-wrap items-center gap-2">
                  <Button
                    variant="danger"
                    disabled={!isStopped || pass.isPending}
                    title={isStopped ? undefined : t("pass.onlyStopped")}
                    isPending={pass.isPending}
                    onClick={() => setAsk({ kind: "pass", mount, id: mount.uid ?? 0 })}
                  >
                    {t("pass.button", { id: String(mount.uid) })}
                  </Button>
                  {!isStopped && (
                    <p className="text-sm text-slate-600 dark:text-slate-300">{t("pass.onlyStopped")}</p>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {chown.isError && (
        <ErrorAlert error={chown.error} title={t("chown.error", { source: chown.variables.source })} />
      )}
      {chown.isSuccess && (
        <p role="status" className="text-sm">
          {t("chown.done", {
            changed: chown.data.changed,
            skipped: chown.data.skipped,
            uid: String(chown.data.uid),
            gid: String(chown.data.gid),
          })}
        </p>
      )}
      {pass.isError && <ErrorAlert error={pass.error} title={t("pass.error", { name })} />}
      {pass.isSuccess && (
        <p role="status" className="text-sm">
          {t("pass.done", { name })}
        </p>
      )}
      <ConfirmDialog
        open={ask?.kind === "chown"}
        title={t("chown.title", { source: ask?.mount.source ?? "" })}
        confirmLabel={t("chown.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask?.kind !== "chown") return;
          setAsk(null);
          chown.mutate({
            name,
            source: ask.mount.source,
            insideUid: ask.uid,
            insideGid: ask.gid,
            recursive: true,
          });
        }}
      >
        {ask?.kind === "chown" && (
          <>
            <p>
              {t.rich("chown.body", {
                source: ask.mount.source,
                name,
                hostUid: String(hostOf(ask.uid, "u")),
                hostGid: String(hostOf(ask.gid, "g")),
                uid: String(ask.uid),
                gid: String(ask.gid),
                code,
              })}
            </p>
            <p>{t("chown.skips")}</p>
            <p role="note" className="font-medium text-amber-900 dark:text-amber-100">
              {t("chown.warning", { name })}
            </p>
          </>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={ask?.kind === "pass"}
        title={t("pass.title", { id: String(ask?.kind === "pass" ? ask.id : ""), name })}
        confirmLabel={t("pass.confirm")}
        onCancel={() => setAsk(null)}
        onConfirm={() => {
          if (ask?.kind !== "pass") return;
          setAsk(null);
          pass.mutate({ name, hostId: ask.id });
        }}
      >
        {ask?.kind === "pass" && (
          <>
            <p role="note" className="font-medium text-amber-900 dark:text-amber-100">
              {t("pass.warning", { id: String(ask.id), name })}
            </p>
            <p>
              {t.rich("pass.body", {
                id: String(ask.id),
                name,
                root: String(root.uid),
                before: String(ask.id),
                next: String(ask.id + 1),
                nextHost: String(root.uid + ask.id + 1),
                rest: String(65535 - ask.id),
                code,
              })}
            </p>
            <p>{t.rich("pass.subids", { id: String(ask.id), code })}</p>
          </>
        )}
      </ConfirmDialog>
    </section>
  );
}
