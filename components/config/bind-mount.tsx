"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { lineOf } from "./settings-form-draft";

/** Example paths (not words). */
const HOST_EXAMPLE = "/srv/data";
const TARGET_EXAMPLE = "srv/data";

/**
 * A bind mount in words: a host directory (typed or picked by browsing the host's directories), where it appears
 * inside the container, read-only or not. It becomes one lxc.mount.entry line, shown before it is added. No
 * `create=dir` (the admin's: liblxc would make the mount point through the guest's links): Atelier makes the mount
 * point inside the root filesystem before each start.
 */
export const bindMountLine = (host: string, target: string, readOnly: boolean) =>
  `${host} ${target.replace(/^\/+/, "")} none bind${readOnly ? ",ro" : ""} 0 0`;

function HostPicker({
  start,
  onPick,
  onClose,
}: {
  start: string;
  onPick: (path: string) => void;
  onClose: () => void;
}) {
  const t = useTranslations("config.bind");
  const trpc = useTRPC();
  const [path, setPath] = useState(start.startsWith("/") ? start : "/");
  const listing = useQuery(trpc.config.browseHost.queryOptions({ path }));
  return (
    <div
      className="space-y-2 rounded-md border border-slate-200 p-2 dark:border-slate-700"
      data-testid="host-picker"
    >
      <p className="text-sm">
        <code className="font-mono text-xs">{listing.data?.path ?? path}</code>
      </p>
      {listing.isError && <ErrorAlert error={listing.error} title={t("listError")} />}
      <ul aria-label={t("listLabel")} className="max-h-48 overflow-auto text-sm">
        {listing.data?.parent && (
          <li>
            <button
              type="button"
              className="text-sky-700 hover:underline dark:text-sky-400"
              onClick={() => setPath(listing.data.parent ?? "/")}
            >
              {t("up")}
            </button>
          </li>
        )}
        {listing.data?.directories.map((directory) => (
          <li key={directory}>
            <button
              type="button"
              className="text-sky-700 hover:underline dark:text-sky-400"
              onClick={() => setPath(`${listing.data.path === "/" ? "" : listing.data.path}/${directory}`)}
            >
              {directory}/
            </button>
          </li>
        ))}
      </ul>
      {listing.data?.isTruncated && <p className="text-xs">{t("truncated")}</p>}
      <div className="flex gap-2">
        <Button
          size="sm"
          variant="primary"
          disabled={!listing.data}
          onClick={() => onPick(listing.data?.path ?? path)}
        >
          {t("use")}
        </Button>
        <Button size="sm" onClick={onClose}>
          {t("cancel")}
        </Button>
      </div>
    </div>
  );
}

export function BindMountForm({
  onAdd,
  bindRoots = [],
}: {
  onAdd: (line: string) => void;
  bindRoots?: string[];
}) {
  const t = useTranslations("config.bind");
  const id = useId();
  const [host, setHost] = useState("");
  const [target, setTarget] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [isBrowsing, setIsBrowsing] = useState(false);
  const isReady = host.startsWith("/") && target.trim() !== "" && !/\s/.test(host + target);
  return (
    <div className="space-y-2 rounded-md bg-slate-50 p-3 dark:bg-slate-800/50">
      <p className="text-sm font-medium">{t("title")}</p>
      <div className="grid gap-2 md:grid-cols-2">
        <div>
          <label htmlFor={`${id}-host`} className="block text-xs">
            {t("host")}
          </label>
          <div className="flex gap-2">
            <input
              id={`${id}-host`}
              value={host}
              placeholder={HOST_EXAMPLE}
              onChange={(event) => setHost(event.target.value.trim())}
              className="w-full rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
            />
            <Button size="sm" onClick={() => setIsBrowsing(true)}>
              {t("browse")}
            </Button>
          </div>
        </div>
        <div>
          <label htmlFor={`${id}-target`} className="block text-xs">
            {t("target")}
          </label>
          <input
            id={`${id}-target`}
            value={target}
            placeholder={TARGET_EXAMPLE}
            onChange={(event) => setTarget(event.target.value.trim())}
            className="w-full rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
          />
        </div>
      </div>
      {isBrowsing && (
        <HostPicker
          start={host || bindRoots[0] || "/"}
          onClose={() => setIsBrowsing(false)}
          onPick={(picked) => {
            setHost(picked);
            setIsBrowsing(false);
          }}
        />
      )}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={readOnly} onChange={(event) => setReadOnly(event.target.checked)} />
        {t("readOnly")}
      </label>
      {isReady && (
        <p className="text-xs">
          <code className="font-mono">
            {lineOf("lxc.mount.entry", bindMountLine(host, target, readOnly))}
          </code>
        </p>
      )}
      <Button
        size="sm"
        disabled={!isReady}
        onClick={() => {
          onAdd(bindMountLine(host, target, readOnly));
          setHost("");
          setTarget("");
        }}
      >
        {t("add")}
      </Button>
    </div>
  );
}
