"use client";

import { createTRPCContext } from "@trpc/tanstack-react-query";
// The only thing client code takes from the server: the router's type.
import type { AppRouter } from "@/server/trpc/routers/_app";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
