// The report's only stylesheet, inlined in <style>: system fonts (nothing to download), print-friendly,
// and the chart text classes (SVG marks carry their colours as attributes so a copied chart keeps them).

export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1d2329; --muted: #5f6b76; --line: #d5dbe1; --bg: #ffffff; --panel: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { border-bottom: 2px solid var(--fg); margin-bottom: 20px; padding-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0; }
.muted { color: var(--muted); font-size: 12px; }
.note { color: var(--muted); font-style: italic; margin: 6px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--panel); border-bottom: 2px solid var(--line); }
tbody th, table.summary th { font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12px; padding-top: 4px; }
.ratio { white-space: nowrap; font-variant-numeric: tabular-nums; }
.ratio.better { color: #0a6b3b; font-weight: 600; }
.ratio.worse { color: #b3261e; font-weight: 600; }
.ratio.incomparable { color: #8a5a00; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; font-size: 12px; font-weight: 700; letter-spacing: .05em; color: #fff; }
.badge.measured { background: #0a6b3b; }
.badge.estimated { background: #8a5a00; }
.badge.unknown { background: #5f6b76; }
h2 .badge { vertical-align: middle; margin-left: 8px; }
.model { page-break-inside: avoid; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 20px; }
svg { max-width: 100%; height: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; font-family: inherit; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
svg .tick, svg .legend, svg .bar-label, svg .bar-value { font-size: 11px; fill: var(--fg); }
svg .axis-title, svg .marker-label { font-size: 11px; fill: var(--muted); }
svg .grid { stroke: #eceff2; stroke-width: 1; }
svg .axis { stroke: #7d8790; stroke-width: 1; }
svg .marker { stroke: #1d2329; stroke-width: 1; stroke-dasharray: 4 3; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } .charts { display: block; } }
`;
