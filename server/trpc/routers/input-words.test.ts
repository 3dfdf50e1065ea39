import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { wordIssue, type TTranslator } from "@/components/i18n/use-validation-words";
import { ZAttachNic } from "../../host-network/nics";
import { MESSAGES } from "../../i18n/messages";
import { englishOf } from "../../i18n/validation-words";
import { issueWords } from "../../schemas/issue-words";
import { validationIssues } from "../errors";
import { ZChangePasswordRequestSchema, ZRevokeSessionRequestSchema } from "./account/account.types";
import { ZSetupRequestSchema } from "./auth/auth.types";
import { ZBrowseHostRequestSchema } from "./config/browse-host";
import { ZSaveConfigRequestSchema } from "./config/config.types";
import { ZStopContainerRequestSchema } from "./containers/stop-container.types";
import { ZCurrentMetricsRequestSchema, ZMetricsHistoryRequestSchema } from "./metrics/metrics.types";
import { ZCreateTokenRequestSchema } from "./tokens/tokens.types";
import { ZUserIdSchema } from "./users/users.types";

const fr = createTranslator({ locale: "fr", messages: MESSAGES.fr }) as unknown as TTranslator;

const DAY = 86_400_000;

/** The procedures' own input messages, in English as the API has always answered them, and their sentences. */
const CASES: [string, z.ZodType, unknown, string, string][] = [
  ["a user", ZUserIdSchema, "x", "Choose a user", "users.user"],
  [
    "the same password again",
    ZChangePasswordRequestSchema,
    { currentPassword: "a-long-password", newPassword: "a-long-password" },
    "Choose a password different from the current one",
    "credentials.differentPassword",
  ],
  ["a session id", ZRevokeSessionRequestSchema, { id: "x" }, "Not a session id", "credentials.sessionId"],
  [
    "a setup link",
    ZSetupRequestSchema,
    { token: "", username: "admin", password: "a-long-password" },
    "The setup link has no token",
    "credentials.setupToken",
  ],
  [
    "a token's name",
    ZCreateTokenRequestSchema,
    { name: "", role: "viewer" },
    "Name the token",
    "tokens.name",
  ],
  [
    "a token's name type",
    ZCreateTokenRequestSchema,
    { name: 1, role: "viewer" },
    "Name the token",
    "tokens.name",
  ],
  [
    "a long token name",
    ZCreateTokenRequestSchema,
    { name: "a".repeat(65), role: "viewer" },
    "Use at most 64 characters",
    "text.atMost",
  ],
  [
    "a token name's characters",
    ZCreateTokenRequestSchema,
    { name: "a/b", role: "viewer" },
    "Use letters, digits, spaces, '.', '_' and '-'",
    "tokens.nameCharacters",
  ],
  [
    "a token's short life",
    ZCreateTokenRequestSchema,
    { name: "ci", role: "viewer", expiresDays: 0 },
    "At least 1 day",
    "tokens.atLeastDay",
  ],
  [
    "a token's long life",
    ZCreateTokenRequestSchema,
    { name: "ci", role: "viewer", expiresDays: 4000 },
    "At most 3650 days",
    "tokens.atMostDays",
  ],
  [
    "a stop's short wait",
    ZStopContainerRequestSchema,
    { name: "web", timeoutSeconds: 0 },
    "Wait at least 1 second",
    "containers.stopAtLeast",
  ],
  [
    "a stop's long wait",
    ZStopContainerRequestSchema,
    { name: "web", timeoutSeconds: 601 },
    "Wait at most 600 seconds",
    "containers.stopAtMost",
  ],
  [
    "a config's version",
    ZSaveConfigRequestSchema,
    { name: "web", raw: "", baseVersion: "x" },
    "must be the version id given by config.get",
    "configText.version",
  ],
  [
    "a live stream",
    ZCurrentMetricsRequestSchema,
    { streamId: "x" },
    "must be the streamId of this browser's /api/events connection (its hello event)",
    "metrics.streamId",
  ],
  [
    "too many containers' metrics",
    ZCurrentMetricsRequestSchema,
    { containers: Array.from({ length: 21 }, (_, index) => `c${index}`) },
    "at most 20 containers at a time",
    "metrics.tooManyContainers",
  ],
  [
    "a window backwards",
    ZMetricsHistoryRequestSchema,
    { name: "web", from: new Date(2 * DAY), to: new Date(DAY) },
    "must be after from",
    "metrics.afterFrom",
  ],
  [
    "a window of more than a year",
    ZMetricsHistoryRequestSchema,
    { name: "web", from: new Date(0), to: new Date(400 * DAY) },
    "the window may span at most a year",
    "metrics.windowTooLong",
  ],
  [
    "a relative host path",
    ZBrowseHostRequestSchema,
    { path: "srv" },
    "must be an absolute path",
    "text.absolutePath",
  ],
  [
    "a host path's control characters",
    ZBrowseHostRequestSchema,
    { path: "/srv\n" },
    "must not contain control characters",
    "text.noControl",
  ],
  [
    "a NIC's MAC address",
    ZAttachNic,
    { container: "web", type: "veth", link: "br0", hwaddr: "x" },
    "must be a MAC address such as 00:16:3e:12:34:56",
    "network.mac",
  ],
  [
    "a NIC's gateway without an address",
    ZAttachNic,
    { container: "web", type: "veth", link: "br0", gateway: "10.0.3.1" },
    "a gateway needs a static address",
    "network.gatewayNeedsStatic",
  ],
  [
    "a NIC's gateway outside its network",
    ZAttachNic,
    { container: "web", type: "veth", link: "br0", ipv4: "10.0.3.10/24", gateway: "10.0.4.1" },
    "must be inside 10.0.3.10/24's network",
    "network.insideAddressNetwork",
  ],
  [
    "a macvlan mode on a veth",
    ZAttachNic,
    { container: "web", type: "veth", link: "br0", macvlanMode: "bridge" },
    "only for a macvlan interface",
    "network.macvlanOnly",
  ],
];

describe("the procedures' input messages", () => {
  it.each(CASES)(
    "%s: the English as ever, worded from its sentence",
    (_label, schema, value, english, id) => {
      const result = schema.safeParse(value);
      const [issue] = result.error?.issues ?? [];
      expect(issue?.message).toBe(english);
      const words = issue && issueWords(issue);
      expect(words?.id).toBe(`validation.${id}`);
      expect(words && englishOf(words)).toBe(english);
      expect(issue && wordIssue(fr, issue)).not.toBe(english);
    },
  );

  it("reach the pages as field errors with their sentence's id and values", () => {
    const result = ZAttachNic.safeParse({
      container: "web",
      type: "veth",
      link: "br0",
      ipv4: "10.0.3.10/24",
      gateway: "10.0.4.1",
    });
    expect(validationIssues(result.error)).toEqual([
      {
        field: "gateway",
        message: "must be inside 10.0.3.10/24's network",
        id: "validation.network.insideAddressNetwork",
        params: { address: "10.0.3.10/24" },
      },
    ]);
    // zod's own messages go as they are.
    expect(
      validationIssues(ZAttachNic.safeParse({ container: "web", type: "x", link: "br0" }).error),
    ).toEqual([{ field: "type", message: expect.any(String) as unknown }]);
  });
});
