/** The heat map's shading: a cell's level (0 for none, then 1 to LEVELS by its share of the
 * busiest cell) and the legend's ranges. */

export const LEVELS = 4;

export function heatMax(grid: number[][]): number {
  return Math.max(0, ...grid.flat());
}

export function heatLevel(count: number, max: number, levels = LEVELS): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(levels, Math.max(1, Math.ceil((count / max) * levels)));
}

export interface LegendStep {
  level: number;
  /** The counts that shade a cell this level, both included. */
  from: number;
  to: number;
}

/** Each level with the counts that give it, for `max` (levels no whole count reaches left out). */
export function heatLegend(max: number, levels = LEVELS): LegendStep[] {
  const steps: LegendStep[] = [{ level: 0, from: 0, to: 0 }];
  for (let level = 1; level <= levels; level += 1) {
    const from = Math.max(1, Math.floor(((level - 1) * max) / levels) + 1);
    const to = Math.floor((level * max) / levels);
    if (to >= from) steps.push({ level, from, to });
  }
  return steps;
}
