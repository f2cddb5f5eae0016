/** The dashboard's stylesheet, served by the node itself (no CDN). */
export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #0f1419; --panel: #171d24; --line: #27313c; --text: #e6edf3; --dim: #8b98a5;
  --accent: #4cc2ff; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --lead: #bc8cff;
  font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 13px;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
header { display: flex; align-items: center; gap: 18px; padding: 10px 18px; background: #0a0e12;
  border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 16px; margin: 0; letter-spacing: .3px; }
header h1 span { color: var(--accent); }
.pill { padding: 2px 9px; border-radius: 10px; background: var(--line); color: var(--text); font-size: 12px; }
.pill.leader { background: #3b2a5c; color: #e3d1ff; } .pill.follower { background: #1d3a4d; color: #bfe6ff; }
.pill.candidate { background: #4d3b12; color: #ffe2a8; }
.stat { color: var(--dim); } .stat b { color: var(--text); font-variant-numeric: tabular-nums; }
.stat.warn { color: var(--bad); font-weight: 600; } [hidden] { display: none !important; }
.grow { flex: 1; }
.conn { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--bad); margin-right: 6px; }
.conn.live { background: var(--ok); box-shadow: 0 0 6px var(--ok); }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(440px, 36%); gap: 14px; padding: 14px 18px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
section h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .8px; color: var(--dim); margin: 0;
  padding: 9px 12px; border-bottom: 1px solid var(--line); display: flex; align-items: center; gap: 10px; }
section h2 .grow { flex: 1; }
.col { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--dim); font-weight: 500; font-size: 12px; }
tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.name { color: var(--accent); font-weight: 600; }
.token { color: #ffd27a; }
.dim { color: var(--dim); }
.waiters { white-space: normal; }
.chip { display: inline-block; margin: 1px 4px 1px 0; padding: 1px 6px; border-radius: 4px; background: #22303c;
  font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; }
.chip i { color: var(--dim); font-style: normal; margin-right: 3px; }
.ttl-low { color: var(--warn); }
input[type=search] { background: var(--bg); border: 1px solid var(--line); color: var(--text); border-radius: 5px;
  padding: 4px 8px; width: 200px; text-transform: none; letter-spacing: 0; }
button { background: var(--line); border: 1px solid #35414d; color: var(--text); border-radius: 5px; padding: 3px 10px;
  cursor: pointer; } button:disabled { opacity: .4; cursor: default; }
.pager { font-size: 12px; color: var(--dim); text-transform: none; letter-spacing: 0; display: flex; gap: 6px; align-items: center; }
.feed { list-style: none; margin: 0; padding: 0; max-height: 360px; overflow-y: auto; }
.feed li { padding: 5px 12px; border-bottom: 1px solid var(--line); display: grid;
  grid-template-columns: 64px 66px minmax(0, 1fr) auto; gap: 8px; align-items: baseline; }
.feed .t { color: var(--dim); font-size: 11px; }
.ev { font-size: 11px; font-weight: 600; text-transform: uppercase; }
.ev.granted { color: var(--ok); } .ev.released { color: var(--accent); } .ev.expired { color: var(--warn); }
.feed .n { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.empty { padding: 18px 12px; color: var(--dim); text-align: center; }
.unreachable td { color: var(--dim); }
#busiest { table-layout: fixed; }
#busiest th, #busiest td { padding: 6px 8px; }
#busiest th:not(:first-child) { width: 68px; }
#busiest th:nth-child(2) { width: 56px; }
#busiest td.name { overflow: hidden; text-overflow: ellipsis; }
a { color: var(--accent); text-decoration: none; }
`;
