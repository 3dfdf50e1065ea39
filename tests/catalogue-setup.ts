import { onCatalogueProblem } from "@/server/i18n/icu";

// A sentence worded with a value missing, or from a key the catalogue lacks, fails the test that made it (in
// production it is logged, and the template is shown rather than nothing).
onCatalogueProblem((problem) => {
  throw new Error(`Atelier's catalogue: ${problem}`);
});
