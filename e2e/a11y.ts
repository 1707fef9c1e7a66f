import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * axe-core on the page as it is now (a form with errors, a verdict shown, a dialog open): no
 * critical or serious violation. The message lists each one with the elements it found.
 */
export async function expectAccessible(page: Page, state: string) {
  // label-content-name-mismatch is experimental in axe, so off unless asked for: the issue named it.
  const { violations } = await new AxeBuilder({ page }).options({ rules: { "label-content-name-mismatch": { enabled: true } } }).analyze();
  const serious = violations.filter((v) => v.impact === "critical" || v.impact === "serious");
  const report = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("\n");
  expect(serious, `${state}:\n${report}`).toEqual([]);
}
