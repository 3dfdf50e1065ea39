"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import type { TRole } from "@/server/trpc/routers/users/users.types";

const rank: Record<TRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** The signed-in user (or null), and whether their role reaches `minimum`. */
export function useSession() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.status.queryOptions(undefined, { staleTime: 30_000 }));
  const user = status.data?.user ?? null;
  return {
    status,
    user,
    can: (minimum: TRole) => user !== null && rank[user.role] >= rank[minimum],
  };
}
