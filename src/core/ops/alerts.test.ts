import { describe, expect, it } from "vitest";
import type { HealthChange } from "../health/transitions";
import { escapeSlack, planAlerts } from "./alerts";
import { probeIntervalMinutes, splitRunBudget } from "./budget";

const at = Date.UTC(2026, 10, 27, 6, 0);
const down = (n: number): HealthChange => ({ key: `web https://web-${n}.example.net`, up: false, atMs: at, reason: "status 503" });

describe("planAlerts", () => {
  it("makes one Slack-compatible message per change, with the facts as fields", () => {
    const messages = planAlerts([down(1), { key: "api https://api.example.net", up: true, atMs: at, reason: "2 good probes in a row" }], 5, "abc123");
    expect(messages).toEqual([
      {
        text: ':red_circle: edge-ingress: origin https://web-1.example.net of pool "web" is DOWN (status 503) at 2026-11-27T06:00:00.000Z',
        event: "origin.health_changed",
        configVersion: "abc123",
        pool: "web",
        origin: "https://web-1.example.net",
        from: "up",
        to: "down",
        reason: "status 503",
        at: "2026-11-27T06:00:00.000Z",
      },
      expect.objectContaining({ event: "origin.health_changed", pool: "api", from: "down", to: "up", text: expect.stringContaining("is UP again (2 good probes in a row)") }),
    ]);
  });

  it("sends every change exactly once within the budget, the overflow together in the last message", () => {
    const changes = [1, 2, 3, 4, 5, 6, 7].map(down);
    const messages = planAlerts(changes, 3, null);
    expect(messages).toHaveLength(3);
    expect(messages.slice(0, 2).map((m) => ("origin" in m ? m.origin : ""))).toEqual(["https://web-1.example.net", "https://web-2.example.net"]);
    const last = messages[2]!;
    expect(last.event).toBe("origins.health_changed");
    expect("changes" in last && last.changes.map((c) => c.origin)).toEqual([3, 4, 5, 6, 7].map((n) => `https://web-${n}.example.net`));
    expect(last.text.split("\n")).toHaveLength(6);
    expect(planAlerts([], 5, null)).toEqual([]);
  });

  it("escapes what Slack would read as markup", () => {
    expect(escapeSlack("a <b> & c")).toBe("a &lt;b&gt; &amp; c");
    const [message] = planAlerts([{ ...down(1), reason: 'body does not contain "<ok>"' }], 1, null);
    expect(message!.text).toContain("&lt;ok&gt;");
    expect("reason" in message! && message.reason).toBe('body does not contain "<ok>"');
  });
});

describe("the run's subrequest budget", () => {
  it("keeps a few subrequests for the webhook only when one is set", () => {
    expect(splitRunBudget(50, false)).toEqual({ probes: 50, alerts: 0 });
    expect(splitRunBudget(50, true)).toEqual({ probes: 45, alerts: 5 });
    expect(splitRunBudget(10_000, true)).toEqual({ probes: 9_995, alerts: 5 });
    expect(splitRunBudget(3, true)).toEqual({ probes: 2, alerts: 1 });
    expect(splitRunBudget(1, true)).toEqual({ probes: 1, alerts: 0 });
    expect(splitRunBudget(0, true)).toEqual({ probes: 0, alerts: 0 });
  });

  it("says how often each origin is probed", () => {
    expect(probeIntervalMinutes(10, 45)).toBe(1);
    expect(probeIntervalMinutes(100, 45)).toBe(3);
    expect(probeIntervalMinutes(0, 0)).toBe(1);
  });
});
