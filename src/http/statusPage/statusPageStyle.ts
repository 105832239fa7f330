/** Inline, so the page needs nothing but alertscale itself (no fonts, no CDN). */
export const STATUS_PAGE_STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--held:#9a6700;--bad:#cf222e;--err:#8250df;--line:#d0d7de;--muted:#57606a}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:12px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:12px}h1{font-size:22px;margin:0}h2{font-size:17px;margin:20px 0 8px}
.muted{color:var(--muted)}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}th{font-size:13px;color:var(--muted)}
td.num{white-space:nowrap}.replicas{font-size:18px;font-weight:600}.reason{min-width:260px;word-break:break-word}
.bar{position:relative;height:8px;background:var(--line);border-radius:4px;margin-top:4px;min-width:90px}
.bar .fill{position:absolute;left:0;top:0;bottom:0;background:var(--ok);border-radius:4px}
.bar .min{position:absolute;top:-2px;bottom:-2px;width:2px;background:var(--muted)}
.outcome{font-weight:600;padding:1px 6px;border-radius:4px;color:#fff}
.outcome.scaled{background:var(--ok)}.outcome.held_back{background:var(--held)}.outcome.refused{background:var(--bad)}.outcome.error{background:var(--err)}
.policy-error{color:var(--bad);font-weight:600;margin-top:4px}
.badge{font-size:12px;padding:1px 6px;border-radius:10px;border:1px solid var(--held);color:var(--held);margin-left:4px}
.banner{padding:6px 10px;border:1px solid var(--held);color:var(--held);border-radius:6px;margin:0}.banner.error{border-color:var(--bad);color:var(--bad)}
.links{font-size:13px;margin-top:2px}.alerts{margin-top:4px;font-size:13px}
.alert{padding:0 6px;border-radius:4px;border:1px solid var(--bad)}.alert.silenced,.alert.inhibited{border-color:var(--muted);color:var(--muted)}
.filters{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:8px}
@media (max-width:640px){body{font-size:14px;padding:8px}
thead{display:none}table,tbody,tr,td{display:block;width:auto}tr{border:1px solid var(--line);border-radius:6px;margin-bottom:8px;padding:4px}
td{border:0;padding:3px 6px}.reason{min-width:0}}
`;
