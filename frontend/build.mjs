// Builds the widget, the console and the reports dashboard into ../static (committed: the run command needs Python
// alone). Deterministic: the same sources and lock file give the same bytes, which CI checks.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const common = {
  bundle: true,
  minify: true,
  legalComments: "none",
  target: ["es2020"],
  logLevel: "info",
  charset: "utf8",
};

const entries = [
  // The tag a site embeds: tiny, loads the widget itself on first open or when idle.
  { entryPoints: ["src/widget/loader.ts"], outfile: "../static/widget/v1/loader.js", format: "iife" },
  { entryPoints: ["src/widget/widget.ts"], outfile: "../static/widget/v1/widget.js", format: "iife" },
  {
    entryPoints: ["src/console/main.tsx"],
    outfile: "../static/console/console.js",
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
  },
  { entryPoints: ["src/console/console.css"], outfile: "../static/console/console.css" },
  // The supervisors' dashboard: uPlot lives in this bundle only.
  {
    entryPoints: ["src/reports/main.tsx"],
    outfile: "../static/reports/reports.js",
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
  },
  { entryPoints: ["src/reports/reports.css"], outfile: "../static/reports/reports.css" },
];

mkdirSync("../static/widget/v1", { recursive: true });
mkdirSync("../static/console", { recursive: true });
mkdirSync("../static/reports", { recursive: true });
const only = process.argv[2];
for (const entry of entries) {
  if (only && !entry.outfile.includes(only)) continue;
  await build({ ...common, ...entry });
}
