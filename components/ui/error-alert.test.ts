import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import type { TTranslator } from "@/components/i18n/use-validation-words";
import { MESSAGES } from "@/server/i18n/messages";
import { privilegedChanges } from "@/server/schemas/lxc-config/privileges";
import { validateConfig } from "@/server/schemas/lxc-config/validate";
import { wordedParams } from "./error-alert";

const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr }) as unknown as TTranslator;

describe("a refused config's error in the page's language", () => {
  it("words the first problem it names from that problem's sentence", () => {
    const problems = validateConfig("lxc.tty.max = four\n");
    // configHasErrors's values, as the server says them.
    const params = { count: 1, line: 1, problem: problems[0]?.message ?? "" };
    expect(wordedParams(fr, params, problems)).toEqual({
      count: 1,
      line: 1,
      problem: "lxc.tty.max doit être un nombre entier (0 ou plus) (reçu «\u00a0four\u00a0»)",
    });
  });

  it("words an admin-only line's reason from the reason inside the line's problem", () => {
    const [change] = privilegedChanges("", "lxc.hook.mount = /x\n", {
      lxcPath: "/var/lib/lxc",
      name: "web",
      bindRoots: [],
    });
    const problem = {
      line: 1,
      severity: "error" as const,
      message: `Needs the admin role: ${change?.reason ?? ""}`,
      id: "validation.lint.needsAdmin",
      params: { reason: change?.reasonWords },
    };
    const params = { line: 1, key: "lxc.hook.mount", value: "/x", reason: change?.reason ?? "", more: 0 };
    expect(wordedParams(fr, params, [problem])).toEqual({
      ...params,
      reason: "un hook s’exécute en root sur l’hôte",
    });
  });

  it("leaves values that are no problem's as they are", () => {
    expect(wordedParams(fr, { name: "web", count: 2 }, validateConfig("lxc.tty.max = four\n"))).toEqual({
      name: "web",
      count: 2,
    });
  });
});
