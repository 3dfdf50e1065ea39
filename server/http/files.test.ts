import { describe, expect, it } from "vitest";
import { contentDisposition } from "./files";

describe("contentDisposition", () => {
  it("names a download safely for every browser, and exactly for those that read filename*", () => {
    expect(contentDisposition("fstab")).toBe(`attachment; filename="fstab"; filename*=UTF-8''fstab`);
    expect(contentDisposition('a"b\\c;d%e.txt')).toBe(
      `attachment; filename="a_b_c_d_e.txt"; filename*=UTF-8''a%22b%5Cc%3Bd%25e.txt`,
    );
    expect(contentDisposition("résumé (1).tar")).toBe(
      `attachment; filename="r_sum_ (1).tar"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.tar`,
    );
    // A header can never be split by a name: control characters are replaced and encoded.
    const hostile = contentDisposition("x\r\nSet-Cookie: a=b");
    expect(hostile).not.toMatch(/[\r\n]/);
    expect(hostile).toContain('filename="x__Set-Cookie: a=b"');
  });
});
