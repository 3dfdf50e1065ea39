"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

/** The container the page is about: the layout's header and every tab read the one cached query. */
export function useContainer(name: string) {
  const trpc = useTRPC();
  return useQuery(trpc.containers.get.queryOptions({ name }));
}
