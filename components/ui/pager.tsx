"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "./button";

/**
 * Keyset paging, newest first: each page starts before the last id of the previous one. `before` is the current
 * page's start (undefined: the newest page).
 */
export function usePager() {
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  return {
    before: pages.at(-1),
    isFirst: pages.length <= 1,
    newer: () => setPages((list) => list.slice(0, -1)),
    older: (nextBefore: number) => setPages((list) => [...list, nextBefore]),
    reset: () => setPages([undefined]),
  };
}

export function Pager({
  pager,
  nextBefore,
}: {
  pager: ReturnType<typeof usePager>;
  nextBefore: number | null | undefined;
}) {
  const t = useTranslations("common");
  return (
    <div className="flex gap-2">
      <Button disabled={pager.isFirst} onClick={pager.newer}>
        {t("newer")}
      </Button>
      <Button disabled={!nextBefore} onClick={() => nextBefore && pager.older(nextBefore)}>
        {t("older")}
      </Button>
    </div>
  );
}
