import { describe, expect, it } from "vitest";
import type { TPrincipal } from "../auth/principal.types";
import { createTickets, TICKET_MS } from "./tickets";

const operator: TPrincipal = { userId: 2, username: "op", role: "operator", via: "session", sessionId: "s1" };

describe("console tickets", () => {
  it("are taken once, by the sign-in that asked, for its container, before they expire", () => {
    let now = 1000;
    const tickets = createTickets<string>(() => now);
    const ticket = tickets.issue(operator, "web", "purpose");
    expect(tickets.take(ticket, operator, "db")).toBeNull();
    // Used up by the wrong attempt too.
    expect(tickets.take(ticket, operator, "web")).toBeNull();

    const second = tickets.issue(operator, "web", "purpose");
    expect(tickets.take(second, { ...operator, sessionId: "s2" }, null)).toBeNull();
    const viaToken = tickets.issue(
      { ...operator, via: "token", tokenId: 7, sessionId: undefined },
      "web",
      "p",
    );
    expect(tickets.take(viaToken, operator, null)).toBeNull();

    const third = tickets.issue(operator, "web", "purpose");
    expect(tickets.take(third, operator, null)).toEqual({ name: "web", purpose: "purpose" });

    const late = tickets.issue(operator, "web", "purpose");
    now += TICKET_MS;
    expect(tickets.take(late, operator, "web")).toBeNull();
    expect(tickets.take("not a ticket", operator, null)).toBeNull();
  });
});
