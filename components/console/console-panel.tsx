"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useSession } from "@/components/auth/use-session";
import { useContainer } from "@/components/containers/use-container";
import { useTRPC } from "@/components/trpc";
import { Button, Spinner } from "@/components/ui/button";
import type { TTerminalKind } from "./console-frames";
import { SessionsList, ShellSettings } from "./shell-extras";
import type { TTerminalRequest } from "./terminal-session";

function LoadingTerminal() {
  const t = useTranslations("console");
  return (
    <p role="status" className="flex items-center gap-2">
      <Spinner /> {t("loading")}
    </p>
  );
}

// xterm.js needs `window`: the terminal is loaded in the browser only, never rendered on the server.
const TerminalSession = dynamic(() => import("./terminal-session").then((module) => module.TerminalSession), {
  ssr: false,
  loading: LoadingTerminal,
});

const noteClass = "rounded-md border px-3 py-2 text-sm";
const infoClass = `${noteClass} border-slate-300 bg-slate-100 dark:border-slate-700 dark:bg-slate-900`;
const warnClass = `${noteClass} border-amber-400 bg-amber-50 text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100`;

/**
 * The Shell and Console tabs: who may (operators; a privileged container's only for admins, said with its risk),
 * whether it can (a running container), then the terminal; the Shell tab adds New shell, the container's open
 * sessions and its shell settings.
 */
export function ConsolePanel({ name, kind }: { name: string; kind: TTerminalKind }) {
  const t = useTranslations("console");
  const trpc = useTRPC();
  const detail = useContainer(name);
  const session = useSession();
  const isOperator = session.can("operator");
  const isAdmin = session.can("admin");
  const isolation = useQuery({ ...trpc.containers.isolation.queryOptions({ name }), enabled: isOperator });
  const [request, setRequest] = useState<{ value: TTerminalRequest; nonce: number }>({
    value: { mode: "resume" },
    nonce: 0,
  });
  const [shownId, setShownId] = useState<string | null>(null);
  const isRunning = detail.data?.state === "RUNNING";
  // Once open, the terminal stays when the container stops, to say that it ended and why.
  const [wasOpen, setWasOpen] = useState(false);

  const heading = kind === "shell" ? t("shellHeading") : t("consoleHeading");
  const ask = (value: TTerminalRequest) => setRequest((last) => ({ value, nonce: last.nonce + 1 }));

  const body = () => {
    if (session.status.isPending || !detail.data) return null;
    if (!isOperator)
      return (
        <p role="note" className={infoClass} data-testid="console-access">
          {t("access.viewer")}
        </p>
      );
    if (isolation.isPending) return <LoadingTerminal />;
    // The container's config says so; the server asks the running init's map again when the terminal opens.
    const isPrivileged = isolation.data?.unprivileged === false;
    const privileged = isPrivileged && (
      <div role="note" className={warnClass} data-testid="console-privileged">
        <p className="font-semibold">{t("access.privilegedTitle")}</p>
        <p>{t("access.privileged", { name })}</p>
        {!isAdmin && <p>{t("access.adminsOnly")}</p>}
      </div>
    );
    if (isPrivileged && !isAdmin) return privileged;
    if (isRunning && !wasOpen) setWasOpen(true);
    const notRunning = !isRunning && (
      <p role="note" className={infoClass} data-testid="console-access">
        {t("access.notRunning", { name })}
      </p>
    );
    if (!isRunning && !wasOpen)
      return (
        <>
          {privileged}
          {notRunning}
        </>
      );
    return (
      <>
        {privileged}
        {notRunning}
        {kind === "shell" && isRunning && (
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => ask({ mode: "new" })}>{t("terminal.newShell")}</Button>
          </div>
        )}
        <TerminalSession
          key={request.nonce}
          name={name}
          kind={kind}
          request={request.value}
          onSession={setShownId}
          onRestart={(fresh) =>
            ask(fresh ? (kind === "shell" ? { mode: "new" } : { mode: "resume" }) : request.value)
          }
        />
        {kind === "shell" && (
          <SessionsList
            name={name}
            shownId={shownId}
            canJoin={isRunning}
            onJoin={(id) => ask({ mode: "join", id })}
          />
        )}
        {kind === "shell" && <ShellSettings name={name} />}
      </>
    );
  };

  return (
    <section aria-labelledby={`${kind}-heading`} className="space-y-4">
      <div className="space-y-1">
        <h2 id={`${kind}-heading`} className="text-lg font-semibold">
          {heading}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {kind === "shell" ? t("shellIntro", { name }) : t("consoleIntro")}
        </p>
      </div>
      {body()}
    </section>
  );
}
