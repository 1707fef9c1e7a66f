import { describe, expect, it } from "vitest";
import { UNSTORABLE_TEXT, isStorableText, storableText } from "./text";

describe("storable text", () => {
  it("refuses NUL and unpaired surrogates anywhere, accepts paired ones and everything else", () => {
    for (const bad of ["x\ud800", "\udc00", "a\ud800b", "\ud83d\ude00\ud83d", "\u0000", "pass\u0000word"]) expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    for (const good of ["", "plain", "😀", "\ud83d\ude00", "tab\there", "\u0001", "日本語", "\uffff"]) expect(isStorableText(good), JSON.stringify(good)).toBe(true);
  });

  it("is the first check of the field: one message, before length and format checks", () => {
    const field = storableText().trim().min(1, "Enter it").max(3, "Too long").regex(/^[a-z]*$/, "Letters only");
    const result = field.safeParse("  x\ud800 and more ");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([UNSTORABLE_TEXT]);
    expect(field.parse(" ab ")).toBe("ab");
  });
});
