/**
 * The Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): one `# HELP` and one `# TYPE`
 * line per metric family, then its samples. Pure, so that the escaping is unit-tested against the spec.
 */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type TMetricType = "counter" | "gauge";
export type TSample = { labels?: Record<string, string>; value: number };
export type TMetricFamily = { name: string; help: string; type: TMetricType; samples: TSample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text: backslash and line feed are escaped (a double quote is not). */
export const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

/** A label value: backslash, double quote and line feed are escaped. */
export const escapeLabelValue = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** A sample value as Go's ParseFloat reads it: NaN, +Inf and -Inf by name. */
export const formatValue = (value: number) => {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
};

const formatLabels = (labels: Record<string, string> | undefined) => {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries
    .map(([name, value]) => {
      // Label names are ours, never a container's: a bad one is a bug here, not input to escape.
      if (!LABEL_NAME.test(name) || name.startsWith("__")) throw new Error(`invalid label name ${name}`);
      return `${name}="${escapeLabelValue(value)}"`;
    })
    .join(",")}}`;
};

/**
 * The whole exposition. A family without samples still gets its HELP and TYPE (a scraper then knows the metric
 * exists); families and samples come out in the order given, each family once.
 */
export const formatExposition = (families: TMetricFamily[]) => {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
    if (seen.has(family.name)) throw new Error(`metric ${family.name} given twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples)
      lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return `${lines.join("\n")}\n`;
};
