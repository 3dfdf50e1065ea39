import type { Metadata } from "next";
import { NewContainerForm } from "@/components/containers/new-container-form";

export const metadata: Metadata = { title: "New container" };

export default function NewContainerPage() {
  return (
    <div className="max-w-xl space-y-4">
      <h1 className="text-2xl font-semibold">New container</h1>
      <NewContainerForm />
    </div>
  );
}
