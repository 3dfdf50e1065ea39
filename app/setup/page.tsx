import type { Metadata } from "next";
import { SetupForm } from "@/components/auth/setup-form";

export const metadata: Metadata = { title: "Set up" };

export default function SetupPage() {
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">Set up Atelier</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Create the first admin. Only the holder of the setup link can do this, once.
      </p>
      <SetupForm />
    </div>
  );
}
