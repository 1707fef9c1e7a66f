import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "./html";

describe("html", () => {
  it("escapes every value for text and for quoted attributes", () => {
    const name = `<img src=x onerror="alert(1)">&'`;
    const out = html`<a title="${name}" href="/r/${name}">${name}</a>`.value;
    expect(out).toBe(
      `<a title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;" href="/r/&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</a>`,
    );
    // Single-quoted attributes are safe too.
    expect(html`<a title='${"' onclick='x"}'>`.value).toBe(`<a title='&#39; onclick=&#39;x'>`);
  });

  it("keeps markup made by html as it is, in lists too, and leaves nothing for false, null and undefined", () => {
    const rows = ["a<b", "c"].map((n) => html`<li>${n}</li>`);
    expect(html`<ul>${rows}</ul>`.value).toBe("<ul><li>a&lt;b</li><li>c</li></ul>");
    expect(html`<p>${false}${null}${undefined}${true}${0}${3.5}</p>`.value).toBe("<p>03.5</p>");
    expect(html`${false && html`<b>x</b>`}`.value).toBe("");
  });

  it("does not take a string that looks like markup as markup", () => {
    const pretending = { value: "<script>alert(1)</script>" };
    expect(html`${pretending as never}`.value).toBe("[object Object]");
    expect(html`${pretending.value}`.value).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escapeHtml("plain text")).toBe("plain text");
  });
});
