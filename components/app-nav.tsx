"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { startSigningOut } from "@/components/auth/signing-out";
import { useSession } from "@/components/auth/use-session";
import { ConnectionIndicator } from "@/components/live/live-events";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

const linkClass = (isActive: boolean) =>
  `text-sm ${isActive ? "font-semibold text-slate-900 dark:text-white" : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"}`;

export function AppNav() {
  const { user, can } = useSession();
  const trpc = useTRPC();
  const pathname = usePathname();
  const t = useTranslations("nav");
  const roles = useTranslations("common.roles");
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onMutate: startSigningOut,
      onSettled: () => window.location.assign("/login"),
    }),
  );
  const links = [
    { href: "/containers", label: t("containers"), isShown: true },
    { href: "/host", label: t("host"), isShown: true },
    { href: "/autostart", label: t("autostart"), isShown: true },
    { href: "/network", label: t("network"), isShown: true },
    { href: "/jobs", label: t("jobs"), isShown: true },
    { href: "/events", label: t("events"), isShown: true },
    { href: "/audit", label: t("audit"), isShown: can("operator") },
    { href: "/users", label: t("users"), isShown: can("admin") },
  ];
  return (
    <nav aria-label={t("label")} className="mx-auto flex max-w-6xl flex-wrap items-center gap-6 px-4 py-3">
      <Link href="/containers" className="text-lg font-semibold tracking-tight">
        Atelier
      </Link>
      {user &&
        links
          .filter((link) => link.isShown)
          .map((link) => (
            <Link
              key={link.href}
              href={link.href}
              aria-current={pathname.startsWith(link.href) ? "page" : undefined}
              className={linkClass(pathname.startsWith(link.href))}
            >
              {link.label}
            </Link>
          ))}
      {user && (
        <div className="ml-auto flex items-center gap-3 text-sm">
          <ConnectionIndicator />
          <Link href="/account" className={linkClass(pathname.startsWith("/account"))}>
            {t.rich("userAndRole", {
              username: user.username,
              role: roles(user.role),
              muted: (chunks) => <span className="text-slate-500 dark:text-slate-400">{chunks}</span>,
            })}
          </Link>
          <Button size="sm" variant="ghost" isPending={signOut.isPending} onClick={() => signOut.mutate()}>
            {t("signOut")}
          </Button>
        </div>
      )}
    </nav>
  );
}
