import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { phrase } from "@/server/i18n/english";
import { MESSAGES } from "@/server/i18n/messages";
import { wordIn } from "./use-words";

/** A server sentence on the network pages: worded from its words in the page's language, else its English. */
const french = createTranslator({ locale: "fr", messages: MESSAGES.fr }) as unknown as Parameters<
  typeof wordIn
>[0];

describe("a server sentence on the network pages", () => {
  it("is worded in the page's language from its words", () => {
    const step = phrase("plan.createBridge", { name: "br0" });
    expect(wordIn(french, step.text, step)).toBe("Créer le pont br0");
    const outcome = phrase("change.rolledBack", { reason: "actor", actor: "alice", then: "none" });
    expect(wordIn(french, outcome.text, outcome)).toBe("Annulée par alice.");
  });

  it("words an error's sentence kept with a change (a step that failed)", () => {
    expect(
      wordIn(french, "Change 1 already ran", {
        id: "errors.networkChangeAlreadyRan.message",
        params: { id: "1" },
      }),
    ).not.toBe("Change 1 already ran");
  });

  it("keeps the English of a record made before words were kept, or of words it does not know", () => {
    expect(wordIn(french, "Rolled back by alice.", null)).toBe("Rolled back by alice.");
    expect(wordIn(french, "Rolled back by alice.", undefined)).toBe("Rolled back by alice.");
    expect(wordIn(french, "Some text", { id: "network.server.plan.nothing", params: {} })).toBe("Some text");
    // Only the server's sentences and errors' messages: not any key of the catalogues.
    expect(wordIn(french, "Some text", { id: "network.page.title", params: {} })).toBe("Some text");
    expect(wordIn(french, "Some text", { id: "network.server", params: {} })).toBe("Some text");
  });
});
