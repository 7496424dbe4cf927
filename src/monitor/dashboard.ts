/**
 * The monitor's live page: one self-contained HTML document (styles and script inline, nothing
 * fetched from elsewhere), filled from `/api/status` and kept current by the `/api/events` stream.
 * Colours use the contract's bands, the same the rendered alert rules and Grafana panels use.
 * All data is written with textContent: chain names never become markup.
 */
import { BANDS } from '../contract/metrics.ts';

export function dashboardHtml(title: string): string {
  const bands = JSON.stringify({
    irregular: BANDS.notarizationIrregularSeconds,
    inactive: BANDS.notarizationInactiveSeconds,
    utxoRed: BANDS.utxoRed,
    utxoYellow: BANDS.utxoYellow,
    behind: BANDS.behindBlocks,
    fundsWarning: BANDS.fundsWarningDays,
    fundsCritical: BANDS.fundsCriticalDays,
  });
  const safeTitle = title.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:">
<title>dokomodo · ${safeTitle}</title>
<style>
:root { --bg:#0f1419; --fg:#d8dee4; --dim:#7d8590; --green:#3fb950; --yellow:#d29922; --red:#f85149; --panel:#161b22; --line:#30363d; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; flex-wrap:wrap; gap:.5rem 1.5rem; align-items:baseline; padding:.75rem 1rem; border-bottom:1px solid var(--line); }
header h1 { font-size:1.1rem; margin:0; }
.live { color:var(--green); } .stale { color:var(--red); }
main { padding: .75rem 1rem; display:grid; gap:1rem; }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:.5rem .75rem; }
h2 { font-size:.95rem; margin:.25rem 0 .5rem; color:var(--dim); font-weight:600; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-variant-numeric: tabular-nums; }
th, td { text-align:left; padding:.3rem .5rem; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; font-size:.8rem; }
td.n { text-align:right; }
tr.down td { background:rgba(248,81,73,.15); }
.green { color:var(--green); } .yellow { color:var(--yellow); } .red { color:var(--red); } .dim { color:var(--dim); }
svg.spark { width:80px; height:20px; vertical-align:middle; }
svg.spark polyline { fill:none; stroke:currentColor; stroke-width:1.5; }
ul { margin:0; padding-left:1.1rem; } li { margin:.15rem 0; }
#iguana span { margin-right:1rem; }
pre { margin:0; max-height:18rem; overflow:auto; font:12px/1.35 ui-monospace, monospace; white-space:pre-wrap; word-break:break-all; }
select { background:var(--bg); color:var(--fg); border:1px solid var(--line); }
@media (max-width: 640px) { body { font-size:13px; } th, td { padding:.25rem .35rem; } .wide { display:none; } }
</style>
</head>
<body>
<header>
  <h1>dokomodo monitor</h1><span class="dim">${safeTitle}</span>
  <span id="summary" class="dim">waiting for the first poll…</span>
  <span id="conn" class="stale">connecting</span>
</header>
<main>
  <section><h2>Iguana</h2><div id="iguana" class="dim">—</div></section>
  <section><h2>Alerts</h2><ul id="alerts"><li class="dim">none</li></ul></section>
  <section><h2>Chains</h2><div class="scroll"><table>
    <thead><tr><th>chain</th><th class="wide">host</th><th>state</th><th>blocks</th><th>peers</th><th>notarized</th><th>age</th><th>UTXOs</th><th class="wide">balance (days left)</th><th class="wide">blocks</th><th class="wide">notarization age</th></tr></thead>
    <tbody id="chains"></tbody>
  </table></div></section>
  <section><h2>Log <select id="logsource" aria-label="chain"></select></h2><pre id="log" class="dim">no log is tailed here</pre></section>
</main>
<script>
"use strict";
const BANDS = ${bands};
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
function age(s) { if (s === null || s === undefined) return "—"; if (s < 90) return s + "s"; if (s < 5400) return Math.round(s / 60) + "m"; if (s < 172800) return (s / 3600).toFixed(1) + "h"; return Math.round(s / 86400) + "d"; }
function ageClass(s) { return s === null || s === undefined ? "dim" : s < BANDS.irregular ? "green" : s < BANDS.inactive ? "yellow" : "red"; }
function fundsText(c) { if (c.balance === null) return "—"; const d = c.fundsDaysLeft; return c.balance.toFixed(4) + (d === null ? "" : d < 0 ? " (∞)" : " (" + d.toFixed(1) + " d)"); }
function fundsClass(d) { return d === null || d < 0 ? "" : d < BANDS.fundsCritical ? "red" : d < BANDS.fundsWarning ? "yellow" : "green"; }
function utxoClass(u) { return u === null || u === undefined ? "dim" : u < BANDS.utxoRed ? "red" : u < BANDS.utxoYellow ? "yellow" : "green"; }
function spark(values, cls) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg"); svg.setAttribute("class", "spark " + (cls || "dim")); svg.setAttribute("viewBox", "0 0 80 20");
  const v = values.filter((x) => x !== null);
  if (v.length > 1) {
    const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
    const pts = values.map((x, i) => x === null ? null : (i * 80 / (values.length - 1)).toFixed(1) + "," + (19 - (x - lo) * 18 / span).toFixed(1)).filter(Boolean);
    const line = document.createElementNS(ns, "polyline"); line.setAttribute("points", pts.join(" ")); svg.appendChild(line);
  }
  return svg;
}
function render(m) {
  const up = m.chains.filter((c) => c.up).length;
  $("summary").textContent = up + "/" + m.chains.length + " chains up · polled " + new Date(m.at * 1000).toLocaleTimeString() + " in " + m.durationSeconds.toFixed(2) + " s";
  const ig = $("iguana"); ig.replaceChildren();
  if (m.iguana.length === 0) ig.appendChild(el("span", "no instance notarizes these chains", "dim"));
  for (const g of m.iguana) { const s = el("span", g.iguana + (g.host ? " on " + g.host : "") + ": " + (g.up ? "up" + (g.peers !== null ? ", " + g.peers + " peers" : "") : "DOWN"), g.up ? "green" : "red"); s.dataset.iguana = g.iguana; ig.appendChild(s); }
  const al = $("alerts"); al.replaceChildren();
  if (m.alerts.length === 0) al.appendChild(el("li", "none", "dim"));
  for (const a of m.alerts) al.appendChild(el("li", (a.state === "firing" ? a.severity.toUpperCase() : "pending") + " · " + a.summary, a.state === "firing" ? (a.severity === "critical" ? "red" : "yellow") : "dim"));
  const body = $("chains"); const rows = [];
  for (const c of m.chains) {
    const tr = el("tr"); tr.dataset.chain = c.chain; tr.className = c.up ? "up" : "down";
    const behind = c.up && c.longestChain !== null && c.blocks !== null && c.longestChain - c.blocks > BANDS.behind;
    const cells = [
      [c.chain], [c.host || "local", "dim wide"], [c.up ? "running" : "down", c.up ? "green" : "red"],
      [c.blocks === null ? "—" : c.blocks + (c.longestChain !== null && c.longestChain !== c.blocks ? " / " + c.longestChain : ""), "n " + (behind ? "yellow" : "")],
      [c.connections === null ? "—" : c.connections, "n " + (c.connections === 0 ? "yellow" : "")],
      [c.notarized === null ? "—" : c.notarized, "n"], [age(c.notarizedAge), "n " + ageClass(c.notarizedAge)],
      [c.utxos === null ? "—" : c.utxos, "n " + utxoClass(c.utxos)],
      [fundsText(c), "n wide " + fundsClass(c.fundsDaysLeft)],
    ];
    for (const [text, cls] of cells) tr.appendChild(el("td", text, cls));
    const b = el("td", undefined, "wide"); b.appendChild(spark(c.history.map((h) => h[1]), c.up ? "green" : "red")); tr.appendChild(b);
    const n = el("td", undefined, "wide"); n.appendChild(spark(c.history.map((h) => h[2]), ageClass(c.notarizedAge))); tr.appendChild(n);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}
fetch("api/status", { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null).then((m) => { if (m && m.chains) render(m); }).catch(() => {});
const logSource = $("logsource");
function loadLog() {
  const src = logSource.value; if (!src) return;
  fetch("api/logs/" + encodeURIComponent(src) + "?lines=100", { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null)
    .then((j) => { const pre = $("log"); pre.textContent = j && j.lines.length ? j.lines.join("\\n") : "(no lines yet)"; pre.className = ""; pre.scrollTop = pre.scrollHeight; }).catch(() => {});
}
fetch("api/logs", { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null).then((j) => {
  if (!j || !j.sources.length) return;
  for (const s of j.sources) logSource.appendChild(el("option", s));
  logSource.addEventListener("change", loadLog); loadLog();
}).catch(() => {});
function connect() {
  const es = new EventSource("api/events");
  es.addEventListener("status", (e) => { $("conn").textContent = "live"; $("conn").className = "live"; render(JSON.parse(e.data)); loadLog(); });
  es.onerror = () => { $("conn").textContent = "reconnecting"; $("conn").className = "stale"; };
}
connect();
</script>
</body>
</html>
`;
}
