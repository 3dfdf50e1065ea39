import { describe, expect, it } from "vitest";
import { escapeHelp, escapeLabelValue, formatExposition, formatValue } from "./exposition";

describe("the Prometheus text format", () => {
  it("escapes label values as the spec says: backslash, double quote and line feed", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    // Nothing else is touched: tabs, braces, commas, equals signs and non-ASCII stay as they are.
    expect(escapeLabelValue("x\t{y},z=é")).toBe("x\t{y},z=é");
  });

  it("escapes HELP text: backslash and line feed, not double quotes", () => {
    expect(escapeHelp('one\\two\n"three"')).toBe('one\\\\two\\n"three"');
  });

  it("writes NaN and infinities by name, and numbers as Go reads them", () => {
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(1.5)).toBe("1.5");
    expect(formatValue(1e21)).toBe("1e+21");
  });

  it("writes HELP and TYPE once per family, then its samples with their labels", () => {
    expect(
      formatExposition([
        {
          name: "atelier_container_cpu_seconds_total",
          help: "CPU time used",
          type: "counter",
          samples: [
            { labels: { container: "web" }, value: 12.5 },
            { labels: { container: 'we"ird' }, value: 0 },
          ],
        },
        { name: "atelier_live_streams", help: "Open streams", type: "gauge", samples: [{ value: 3 }] },
        { name: "atelier_jobs", help: "Jobs", type: "gauge", samples: [] },
      ]),
    ).toBe(
      [
        "# HELP atelier_container_cpu_seconds_total CPU time used",
        "# TYPE atelier_container_cpu_seconds_total counter",
        'atelier_container_cpu_seconds_total{container="web"} 12.5',
        'atelier_container_cpu_seconds_total{container="we\\"ird"} 0',
        "# HELP atelier_live_streams Open streams",
        "# TYPE atelier_live_streams gauge",
        "atelier_live_streams 3",
        "# HELP atelier_jobs Jobs",
        "# TYPE atelier_jobs gauge",
        "",
      ].join("\n"),
    );
  });

  it("refuses names that are not Prometheus names, and a family given twice", () => {
    const family = { help: "x", type: "gauge" as const, samples: [{ value: 1 }] };
    expect(() => formatExposition([{ ...family, name: "atelier-bad" }])).toThrow(/metric name/);
    expect(() =>
      formatExposition([{ ...family, name: "a", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }]),
    ).toThrow(/label name/);
    expect(() =>
      formatExposition([{ ...family, name: "a", samples: [{ labels: { __name__: "x" }, value: 1 }] }]),
    ).toThrow(/label name/);
    expect(() =>
      formatExposition([
        { ...family, name: "a" },
        { ...family, name: "a" },
      ]),
    ).toThrow(/twice/);
  });
});
