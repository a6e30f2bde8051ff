import { describe, expect, it } from "vitest";

import { heatLegend, heatLevel, heatMax } from "../src/reports/heatmap";

describe("the heat map's shading", () => {
  it("leaves empty cells unshaded and the busiest the darkest", () => {
    expect(heatLevel(0, 8)).toBe(0);
    expect(heatLevel(1, 8)).toBe(1);
    expect(heatLevel(2, 8)).toBe(1);
    expect(heatLevel(3, 8)).toBe(2);
    expect(heatLevel(6, 8)).toBe(3);
    expect(heatLevel(8, 8)).toBe(4);
    expect(heatLevel(1, 1)).toBe(4);
    expect(heatLevel(3, 0)).toBe(0);
  });

  it("finds the busiest hour of the week", () => {
    const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    expect(heatMax(grid)).toBe(0);
    grid[2][14] = 9;
    expect(heatMax(grid)).toBe(9);
  });

  it("gives each level its range of counts, agreeing with the cells", () => {
    expect(heatLegend(8)).toEqual([
      { level: 0, from: 0, to: 0 },
      { level: 1, from: 1, to: 2 },
      { level: 2, from: 3, to: 4 },
      { level: 3, from: 5, to: 6 },
      { level: 4, from: 7, to: 8 },
    ]);
    expect(heatLegend(1)).toEqual([
      { level: 0, from: 0, to: 0 },
      { level: 4, from: 1, to: 1 },
    ]);
    for (const max of [1, 2, 3, 5, 7, 13, 100]) {
      for (const step of heatLegend(max).slice(1)) {
        expect(heatLevel(step.from, max)).toBe(step.level);
        expect(heatLevel(step.to, max)).toBe(step.level);
      }
    }
  });
});
