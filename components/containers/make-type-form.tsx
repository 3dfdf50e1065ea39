"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { TextField } from "@/components/ui/text-field";

/** Make this container a type: new containers of the type are clones of it. */
export function MakeTypeForm({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const t = useTranslations("containers.makeType");
  const [typeName, setTypeName] = useState("");
  const saveType = useMutation(
    trpc.types.save.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.types.pathFilter()),
    }),
  );
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      aria-label={t("formLabel")}
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
        label={t("label")}
        value={typeName}
        help={t("help")}
        onChange={(event) => setTypeName(event.target.value)}
        className="w-72"
      />
      <Button type="submit" isPending={saveType.isPending} disabled={!typeName.trim()}>
        {t("save")}
      </Button>
      {saveType.isSuccess && (
        <p role="status" className="text-sm">
          {t("saved")}
        </p>
      )}
      {saveType.isError && <ErrorAlert error={saveType.error} title={t("error")} />}
    </form>
  );
}
