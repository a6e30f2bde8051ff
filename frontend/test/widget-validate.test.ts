import { describe, expect, it } from "vitest";
import { bodyProblem, contactProblems, initials, isPhone, onColor, safeColor, shade } from "../src/widget/validate";

describe("bodyProblem", () => {
  it("takes 1 to 10,000 code points that are not only whitespace", () => {
    expect(bodyProblem("hi")).toBeNull();
    expect(bodyProblem(" \n\t")).toBe("required");
    expect(bodyProblem("x".repeat(10_000))).toBeNull();
    expect(bodyProblem("x".repeat(10_001))).toBe("tooLong");
    expect(bodyProblem("😀".repeat(10_000))).toBeNull(); // 20,000 UTF-16 units, 10,000 code points
    expect(bodyProblem("", true)).toBeNull(); // files alone
    expect(bodyProblem(" ", true)).toBeNull();
    expect(bodyProblem("x".repeat(10_001), true)).toBe("tooLong");
  });
});

describe("contactProblems", () => {
  it("asks for the required fields and checks the formats", () => {
    expect(contactProblems({}, ["name", "email"])).toEqual({ name: "required", email: "required" });
    expect(contactProblems({ name: "Ann", email: "ann@example" }, ["email"])).toEqual({ email: "badEmail" });
    expect(contactProblems({ phone: "call me" }, [])).toEqual({ phone: "badPhone" });
    expect(contactProblems({ name: "Ann", email: "ann@example.com", phone: "+7 (900) 123-45-67" }, ["name"])).toEqual({});
    expect(contactProblems({ email: "  " }, [])).toEqual({});
  });

  it("knows a phone number", () => {
    expect(isPhone("+44 20 7946 0958")).toBe(true);
    expect(isPhone("12-34")).toBe(false);
    expect(isPhone("12345")).toBe(true);
  });
});

describe("colours", () => {
  it("accepts #rrggbb only", () => {
    expect(safeColor("#0F766E")).toBe("#0f766e");
    expect(safeColor("red")).toBeNull();
    expect(safeColor("#fff")).toBeNull();
    expect(safeColor("#0f766e; background:url(x)")).toBeNull();
    expect(safeColor(null)).toBeNull();
  });

  it("picks white text on dark accents and dark text on light ones (WCAG contrast)", () => {
    expect(onColor("#2563eb")).toBe("#ffffff");
    expect(onColor("#0f766e")).toBe("#ffffff");
    expect(onColor("#fde047")).toBe("#111827");
    expect(onColor("#ffffff")).toBe("#111827");
  });

  it("darkens for the gradient", () => {
    expect(shade("#ffffff", 0.5)).toBe("#808080");
    expect(shade("#2563eb", 0)).toBe("#2563eb");
  });
});

describe("initials", () => {
  it("takes up to two", () => {
    expect(initials("Olga Smirnova")).toBe("OS");
    expect(initials("ольга")).toBe("О");
    expect(initials("Acme Support Team")).toBe("AS");
    expect(initials("  ")).toBe("");
  });
});
