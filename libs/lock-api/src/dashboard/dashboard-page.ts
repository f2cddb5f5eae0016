/** The dashboard's page: a shell the script fills from the node's event stream. */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latchkey dashboard</title>
<link rel="stylesheet" href="/dashboard/dashboard.css">
</head>
<body>
<header>
  <h1>Latch<span>key</span></h1>
  <span id="node" class="pill">connecting…</span>
  <span class="stat">term <b id="term">–</b></span>
  <span class="stat">leader <b id="leader">–</b></span>
  <span class="stat">commit <b id="commit">–</b></span>
  <span class="stat">applied <b id="applied">–</b></span>
  <span id="peer-auth" class="stat warn" hidden>peer traffic unauthenticated (no cluster secret)</span>
  <span class="grow"></span>
  <span class="stat">held <b id="held">0</b></span>
  <span class="stat">waiting <b id="waiting">0</b></span>
  <span class="stat">sessions <b id="sessions">0</b></span>
  <span class="stat"><span id="conn" class="conn"></span><span id="conn-text">offline</span></span>
</header>
<main>
  <div class="col">
    <section>
      <h2>Members</h2>
      <table id="members">
        <thead><tr><th>Node</th><th>Role</th><th class="num">Term</th><th class="num">Commit</th>
          <th class="num">Applied</th><th class="num">Lag</th><th>HTTP</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section>
      <h2>Held locks <span class="grow"></span>
        <input id="filter" type="search" placeholder="filter by name" spellcheck="false" maxlength="128">
        <span class="pager"><button id="prev" disabled>‹</button><span id="range">0 of 0</span>
          <button id="next" disabled>›</button></span>
      </h2>
      <table id="locks">
        <thead><tr><th>Lock</th><th>Owner</th><th class="num">Token</th><th class="num">Held for</th>
          <th class="num">TTL left</th><th>Waiters, in order</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
  <div class="col">
    <section>
      <h2>Recent grants, releases, expiries</h2>
      <ul id="feed" class="feed"></ul>
    </section>
    <section>
      <h2>Busiest locks</h2>
      <table id="busiest">
        <thead><tr><th>Lock</th><th class="num">Grants</th><th class="num">Hold avg</th><th class="num">Hold max</th>
          <th class="num">Wait avg</th><th class="num">Wait max</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
</main>
<script src="/dashboard/dashboard.js"></script>
</body>
</html>
`;
