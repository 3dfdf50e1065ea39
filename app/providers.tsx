"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, splitLink, TRPCClientError } from "@trpc/client";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { isSigningOut } from "@/components/auth/signing-out";
import { TRPCProvider } from "@/components/trpc";
import type { AppRouter } from "@/server/trpc/routers/_app";
import { POST_ONLY_QUERIES } from "@/server/trpc/routers/config/config.types";

const statusOf = (error: unknown) =>
  error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;

/** A session that ended (expired, revoked, signed out elsewhere) sends the browser to sign in again. */
const onError = (error: unknown) => {
  if (
    statusOf(error) === 401 &&
    !isSigningOut() &&
    !["/login", "/setup"].includes(window.location.pathname)
  ) {
    window.location.assign(
      `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`,
    );
  }
};

/** Client errors (4xx) are answers, not accidents: retrying them changes nothing. */
const shouldRetry = (failureCount: number, error: unknown) => {
  const status =
    error instanceof TRPCClientError
      ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
      : undefined;
  return failureCount < 2 && (status === undefined || status >= 500);
};

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError }),
        mutationCache: new MutationCache({ onError }),
        defaultOptions: {
          // "always": the panel's server is on the host or the LAN, so the browser's idea of internet access
          // (navigator.onLine turns false on a network without a default route, e.g. an air-gapped LAN) must not
          // pause requests. An unreachable server shows as an error instead.
          queries: { staleTime: 1000, retry: shouldRetry, networkMode: "always" },
          mutations: { retry: false, networkMode: "always" },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Sign-in and setup calls are never batched (the server refuses it); queries whose input may hold secrets
        // go as POST, out of the URL; the rest in batches of at most 10.
        splitLink({
          condition: (op) => op.path.startsWith("auth."),
          true: httpLink({ url: "/api/trpc", transformer: superjson }),
          false: splitLink({
            condition: (op) => POST_ONLY_QUERIES.includes(op.path),
            true: httpLink({ url: "/api/trpc", transformer: superjson, methodOverride: "POST" }),
            false: httpBatchLink({ url: "/api/trpc", transformer: superjson, maxItems: 10 }),
          }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
