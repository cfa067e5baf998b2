// The HTML benchmark report: renderReport and its meta type; the chart modules stay internal.

export { renderReport, type ReportMeta } from './render-report.js';
