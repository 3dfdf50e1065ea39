"use client";

import Link from "next/link";
import { useSession } from "@/components/auth/use-session";
import { buttonClass } from "@/components/ui/button";

export function NewContainerLink() {
  const { can } = useSession();
  if (!can("operator")) return null;
  return (
    <Link href="/containers/new" className={buttonClass("primary")}>
      New container
    </Link>
  );
}
