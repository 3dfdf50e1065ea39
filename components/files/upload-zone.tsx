"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, type DragEvent } from "react";
import { ProgressBar } from "@/components/jobs/job-progress";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { useDescribeError } from "@/components/ui/error-alert";
import { codeOf } from "./file-editor";
import { filesUrl, joinPath } from "./files-draft";

/** The PUT route's refusal: English, with the catalogue's sentence and values (server/http/files.ts). */
type TRefusal = {
  error?: string;
  messageId?: string;
  params?: Record<string, string | number>;
  hint?: string;
};

type TUpload = {
  id: number;
  file: File;
  target: string;
  state: "checking" | "exists" | "uploading" | "done" | "failed" | "cancelled";
  percent: number | null;
  reason: string | null;
};

/**
 * Upload into the directory shown: files dropped on the zone or chosen with the picker, several at once. Each one
 * streams as the body of `PUT /api/containers/NAME/files?path=…` (the server never holds it whole), with its own
 * progress and Cancel; a name already taken asks before it is replaced. Refusals are the catalogue's sentences.
 */
export function UploadZone({ name, directory }: { name: string; directory: string }) {
  const t = useTranslations("files.upload");
  const tAll = useTranslations();
  const describe = useDescribeError();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [uploads, setUploads] = useState<TUpload[]>([]);
  const [isOver, setIsOver] = useState(false);
  const requests = useRef(new Map<number, XMLHttpRequest>());
  const nextId = useRef(1);

  useEffect(() => {
    const open = requests.current;
    return () => {
      for (const request of open.values()) request.abort();
    };
  }, []);

  const update = (id: number, change: Partial<TUpload>) =>
    setUploads((list) => list.map((upload) => (upload.id === id ? { ...upload, ...change } : upload)));

  const reasonOf = (status: number, text: string) => {
    let body: TRefusal = {};
    try {
      body = JSON.parse(text || "{}") as TRefusal;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const key = `errors.${body.messageId}.message`;
    if (body.messageId && tAll.has(key as never)) return tAll(key as never, (body.params ?? {}) as never);
    return body.error ?? t("failedStatus", { status });
  };

  const send = (upload: TUpload) => {
    const request = new XMLHttpRequest();
    requests.current.set(upload.id, request);
    request.open("PUT", filesUrl(name, upload.target));
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) =>
      update(upload.id, {
        percent: event.lengthComputable ? Math.round((event.loaded / event.total) * 100) : null,
      });
    request.onload = () => {
      requests.current.delete(upload.id);
      if (request.status === 200) {
        update(upload.id, { state: "done", percent: 100 });
        void queryClient.invalidateQueries(trpc.files.list.pathFilter());
      } else update(upload.id, { state: "failed", reason: reasonOf(request.status, request.responseText) });
    };
    request.onerror = () => {
      requests.current.delete(upload.id);
      update(upload.id, { state: "failed", reason: t("unreachable") });
    };
    request.onabort = () => {
      requests.current.delete(upload.id);
      update(upload.id, { state: "cancelled" });
    };
    update(upload.id, { state: "uploading", percent: 0, reason: null });
    request.send(upload.file);
  };

  // A name already taken is replaced only when the user says so.
  const check = async (upload: TUpload) => {
    try {
      await queryClient.fetchQuery(
        trpc.files.stat.queryOptions({ name, path: upload.target }, { staleTime: 0, retry: false }),
      );
      update(upload.id, { state: "exists" });
    } catch (error) {
      if (codeOf(error) === "NOT_FOUND") send(upload);
      else update(upload.id, { state: "failed", reason: describe(error).message });
    }
  };

  const add = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const added = Array.from(files).map((file): TUpload => ({
      id: nextId.current++,
      file,
      target: joinPath(directory, file.name),
      state: "checking",
      percent: null,
      reason: null,
    }));
    setUploads((list) => [...list.filter((upload) => upload.state !== "done"), ...added]);
    for (const upload of added) void check(upload);
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setIsOver(false);
    add(event.dataTransfer.files);
  };

  return (
    <div className="space-y-2">
      <div
        data-testid="upload-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setIsOver(true);
        }}
        onDragLeave={() => setIsOver(false)}
        onDrop={onDrop}
        className={`flex flex-wrap items-center gap-3 rounded-md border-2 border-dashed px-4 py-3 text-sm ${isOver ? "border-sky-600 bg-sky-50 dark:bg-sky-950" : "border-slate-300 dark:border-slate-700"}`}
      >
        <span>{t("drop", { path: directory })}</span>
        <label className="inline-flex cursor-pointer items-center rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium hover:bg-slate-100 focus-within:outline focus-within:outline-2 focus-within:outline-sky-600 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700">
          {t("choose")}
          <input
            type="file"
            multiple
            className="sr-only"
            onChange={(event) => {
              add(event.target.files);
              event.target.value = "";
            }}
          />
        </label>
      </div>
      {uploads.length > 0 && (
        <ul aria-label={t("list")} className="space-y-2">
          {uploads.map((upload) => (
            <li key={upload.id} data-upload={upload.file.name} className="space-y-1 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <code className="font-mono text-xs" translate="no">
                  {upload.target}
                </code>
                <span role="status">{t(`state.${upload.state}`)}</span>
                {upload.state === "uploading" && (
                  <Button size="sm" variant="ghost" onClick={() => requests.current.get(upload.id)?.abort()}>
                    {t("cancel")}
                    <span className="sr-only" translate="no">
                      {` ${upload.file.name}`}
                    </span>
                  </Button>
                )}
                {upload.state === "exists" && (
                  <>
                    <Button size="sm" variant="danger" onClick={() => send(upload)}>
                      {t("overwrite")}
                      <span className="sr-only" translate="no">
                        {` ${upload.target}`}
                      </span>
                    </Button>
                    <Button size="sm" onClick={() => update(upload.id, { state: "cancelled" })}>
                      {t("skip")}
                      <span className="sr-only" translate="no">
                        {` ${upload.file.name}`}
                      </span>
                    </Button>
                  </>
                )}
              </div>
              {upload.state === "uploading" && (
                <ProgressBar value={upload.percent} label={t("progress", { file: upload.file.name })} />
              )}
              {upload.reason && (
                <p role="alert" className="text-red-700 dark:text-red-300">
                  {upload.reason}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
