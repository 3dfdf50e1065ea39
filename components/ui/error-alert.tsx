import { TRPCClientError } from "@trpc/client";

type TErrorData = { hint?: string | null; httpStatus?: number; code?: string };

/** What went wrong, and what to do about it, in words. */
export const describeError = (error: unknown): { message: string; hint: string | null } => {
  if (error instanceof TRPCClientError) {
    const data = error.data as TErrorData | undefined;
    return { message: error.message, hint: data?.hint ?? null };
  }
  if (error instanceof Error) {
    return { message: error.message, hint: "Check that the Atelier server is running, then try again." };
  }
  return { message: "Something went wrong", hint: null };
};

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  const { message, hint } = describeError(error);
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      {title && <p className="font-semibold">{title}</p>}
      <p>{message}</p>
      {hint && <p className="mt-1 text-red-800 dark:text-red-200">{hint}</p>}
    </div>
  );
}
