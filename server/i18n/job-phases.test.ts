import { describe, expect, it } from "vitest";
import { phaseText } from "@/components/lib/phase-text";
import { MESSAGES } from "./messages";
import { phase, phaseWords, type TPhaseId } from "./job-phases";

const SAMPLE: Record<string, string> = { name: "db2", snapshot: "snap0" };
const ids = Object.keys(MESSAGES.en.jobs.phases) as TPhaseId[];

describe("a job's phase", () => {
  it.each(ids)("%s reads back from its English to its id and values", (id) => {
    const english = phase(id, SAMPLE);
    const words = phaseWords(english);
    expect(words?.id).toBe(id);
    expect(phase(id, words?.params ?? {})).toBe(english);
  });

  it("is worded in the reader's language, values kept", () => {
    expect(phase("restoringAsNew", { name: "db 2", snapshot: "snap0" })).toBe("making db 2 from snap0");
    expect(phaseText("making db 2 from snap0", "fr")).toBe("création de db 2 depuis snap0");
    expect(phaseText("downloading packages", "fr")).toBe("téléchargement des paquets");
    expect(phaseText("downloading packages", "en")).toBe("downloading packages");
  });

  it("one the catalogue does not make (an older job's) stays as it was", () => {
    expect(phaseWords("reticulating splines")).toBeNull();
    expect(phaseText("reticulating splines", "fr")).toBe("reticulating splines");
  });
});
