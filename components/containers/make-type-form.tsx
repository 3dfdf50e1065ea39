"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

/** Make this container a type: new containers of the type are clones of it. */
export function MakeTypeForm({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typeName, setTypeName] = useState("");
  const saveType = useMutation(
    trpc.types.save.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.types.pathFilter()),
    }),
  );
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      aria-label="Make this container a type"
      onSubmit={(event) => {
        event.preventDefault();
        if (typeName.trim())
          saveType.mutate({
            name: typeName.trim(),
            form: { rootfs: { kind: "clone", source: name, snapshot: false } },
          });
      }}
    >
      <TextField
        label="Make it a type called"
        value={typeName}
        help="New containers of this type are clones of this one (it must be stopped when they are made)."
        onChange={(event) => setTypeName(event.target.value)}
        className="w-72"
      />
      <Button type="submit" isPending={saveType.isPending} disabled={!typeName.trim()}>
        Save the type
      </Button>
      {saveType.isSuccess && (
        <p role="status" className="text-sm">
          Saved: pick it under New container.
        </p>
      )}
      {saveType.isError && <ErrorAlert error={saveType.error} title="The type was not saved" />}
    </form>
  );
}
