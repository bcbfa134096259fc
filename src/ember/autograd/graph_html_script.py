"""The stylesheet and script inlined into the page ``graph_html.to_html`` writes.

Kept as plain strings so the page has no files to find and works offline. The script lays the
visible graph out in layers (longest path from the output, each layer ordered by its users'
positions), draws it as one SVG string, and handles clicks, search and collapsing.
"""

CSS = r"""
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#222;
display:flex;flex-direction:column;height:100vh}
header{display:flex;gap:8px;align-items:center;padding:6px 10px;border-bottom:1px solid #ccc;
background:#fafafa}header input{width:260px;padding:3px 6px}#stats,#found{color:#666}
main{flex:1;display:flex;min-height:0}#pane{flex:1;overflow:auto;background:#fff}
aside{width:360px;overflow:auto;border-left:1px solid #ccc;padding:8px 12px;background:#fcfcfc}
.n rect{fill:#f2f2f2;stroke:#888;rx:6}.n{cursor:pointer}.n text{font-size:12px;fill:#222}
.n .sub{font-size:10.5px;fill:#555}.leaf rect{fill:#d6eaff;stroke:#5b8fc7}
.root rect{fill:#cdeccd;stroke:#4c9a4c}.custom rect{fill:#fff1c9;stroke:#c79b1c}
.group rect{fill:#ece4ff;stroke:#7d62c4;stroke-dasharray:4 2}
.sel rect{stroke:#d22;stroke-width:3}.match rect{fill:#ffe08a}
.e{fill:none;stroke:#999;stroke-width:1.2}
table{border-collapse:collapse;width:100%;margin:4px 0}td,th{border-bottom:1px solid #e3e3e3;
padding:2px 4px;text-align:left;font-size:12px}h3{margin:4px 0 6px}.k{color:#666}
a.go{color:#1a5fb4;cursor:pointer;text-decoration:underline}.hint{color:#777}
"""

SCRIPT = r"""
(function () {
'use strict';
var D = JSON.parse(document.getElementById('data').textContent);
var N = D.nodes, E = D.edges, kids = {}, users = {}, groups = {}, closed = {};
E.forEach(function (e) {
  (kids[e[0]] = kids[e[0]] || []).push(e);
  (users[e[1]] = users[e[1]] || []).push(e);
});
N.forEach(function (n) {
  if (n.group) (groups[n.group] = groups[n.group] || []).push(n.id);
});
if (D.collapse) Object.keys(groups).forEach(function (g) { closed[g] = true; });
var selected = null, matches = [], matchAt = -1, pos = {};
var svg = document.getElementById('graph'), info = document.getElementById('info');
var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'};

function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return ESC[c]; }); }
function fmtB(b) {
  if (b < 1024) return b + ' B';
  if (b < 1048576) return (b / 1024).toFixed(1) + ' KiB';
  if (b < 1073741824) return (b / 1048576).toFixed(1) + ' MiB';
  return (b / 1073741824).toFixed(2) + ' GiB';
}
function fmtT(us) { return us >= 1000 ? (us / 1000).toFixed(3) + ' ms' : us.toFixed(1) + ' us'; }
// the box a node is drawn in: its own, or its block's while the block is collapsed
function rep(id) {
  var n = N[id];
  return (n.group && closed[n.group]) ? 'g:' + n.group : String(id);
}
function savedBytes(n) {
  var s = 0;
  (n.saved || []).forEach(function (x) { s += x.bytes; });
  return s;
}
function sub(n) {
  if (n.kind === 'leaf') return n.label ? n.label + '  ' + n.tensor : n.tensor;
  if (n.saved_state === 'freed') return 'saved: freed';
  var k = (n.saved || []).length;
  return k ? 'saved ' + k + ' \u00b7 ' + fmtB(savedBytes(n)) : (n.module || '');
}
function isGroup(k) { return k.charAt(0) === 'g'; }
function label(v) { return isGroup(v.key) ? v.key.slice(2) + '  \u25b8' : N[+v.key].name; }
function subOf(v) {
  return isGroup(v.key) ? v.ids.length + ' nodes (click to open)' : sub(N[+v.key]);
}

// the graph as drawn now: boxes (nodes, or collapsed blocks) and the edges between them
function build() {
  var V = {}, order = [], seen = {}, edges = [];
  N.forEach(function (n) {
    var k = rep(n.id);
    if (!V[k]) { V[k] = {key: k, ids: []}; order.push(k); }
    V[k].ids.push(n.id);
  });
  E.forEach(function (e) {
    var a = rep(e[0]), b = rep(e[1]), h = a + '>' + b;
    if (a !== b && !seen[h]) { seen[h] = 1; edges.push([a, b]); }
  });
  return {V: V, order: order, edges: edges};
}

// layers by longest path from the outputs (so every edge points down), then each layer
// ordered by the mean x of its users and centred under them: one pass, fast for 10k boxes
function layout(G) {
  var indeg = {}, ch = {}, par = {}, layer = {}, P = {}, rows = [], W = 0;
  G.order.forEach(function (k) { indeg[k] = 0; ch[k] = []; par[k] = []; layer[k] = 0; });
  G.edges.forEach(function (e) { indeg[e[1]]++; ch[e[0]].push(e[1]); par[e[1]].push(e[0]); });
  var queue = G.order.filter(function (k) { return indeg[k] === 0; });
  for (var qi = 0; qi < queue.length; qi++) {  // Kahn: a box's layer is final when dequeued
    var k = queue[qi];
    (rows[layer[k]] = rows[layer[k]] || []).push(k);
    ch[k].forEach(function (c) {
      if (layer[c] < layer[k] + 1) layer[c] = layer[k] + 1;
      if (--indeg[c] === 0) queue.push(c);
    });
  }
  rows.forEach(function (row, li) {
    var total = 0, mid = 0, counted = 0;
    row.forEach(function (k) {
      var s = 0, c = 0, v = G.V[k];
      par[k].forEach(function (p) { if (P[p]) { s += P[p].x; c++; } });
      var chars = Math.max(label(v).length, subOf(v).length * 0.9);
      P[k] = {want: c ? s / c : 0, w: Math.max(110, 7 * chars + 24)};
    });
    row.sort(function (a, b) { return P[a].want - P[b].want; });
    row.forEach(function (k) { total += P[k].w + 16; mid += P[k].want; counted++; });
    var x = Math.max(0, (counted ? mid / counted : 0) - total / 2);
    row.forEach(function (k) { P[k].x = x + P[k].w / 2; P[k].y = 20 + li * 74; x += P[k].w + 16; });
    if (x > W) W = x;
  });
  return {P: P, W: W + 40, H: rows.length * 74 + 40};
}

function render() {
  var t0 = performance.now(), G = build(), L = layout(G), P = L.P, out = [];
  out.push('<defs><marker id="ar" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" ' +
           'markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8z" fill="#999"/></marker></defs>');
  G.edges.forEach(function (e) {
    var a = P[e[0]], b = P[e[1]], y1 = a.y + 40, y2 = b.y;
    var x1 = a.x.toFixed(1), x2 = b.x.toFixed(1);
    out.push('<path class="e" marker-end="url(#ar)" d="M' + x1 + ' ' + y1 + 'C' + x1 + ' ' +
             (y1 + 24) + ' ' + x2 + ' ' + (y2 - 24) + ' ' + x2 + ' ' + y2 + '"/>');
  });
  pos = {};
  G.order.forEach(function (k) {
    var v = G.V[k], p = P[k], cls = 'n';
    if (isGroup(k)) cls += ' group';
    else cls += ' ' + N[+k].kind + (N[+k].custom ? ' custom' : '');
    if (k === selected) cls += ' sel';
    pos[k] = p;
    out.push('<g class="' + cls + '" data-k="' + esc(k) + '" transform="translate(' +
             (p.x - p.w / 2).toFixed(1) + ',' + p.y + ')"><rect width="' + p.w.toFixed(1) +
             '" height="40"/><text x="8" y="16">' + esc(label(v)) + '</text>' +
             '<text class="sub" x="8" y="32">' + esc(subOf(v)) + '</text></g>');
  });
  svg.setAttribute('width', L.W);
  svg.setAttribute('height', L.H);
  svg.innerHTML = out.join('');  // one string: far faster than 10k createElement calls
  markMatches();
  document.getElementById('stats').textContent = N.length + ' nodes, ' + E.length +
    ' edges, ' + G.order.length + ' shown, saved ' + fmtB(D.total_saved) + ' \u00b7 drawn in ' +
    Math.round(performance.now() - t0) + ' ms';
}

function row(k, v) { return '<tr><td class="k">' + esc(k) + '</td><td>' + v + '</td></tr>'; }
function gd(d) {
  if (!d) return 'None';
  var norm = d.norm === null ? 'nan' : d.norm.toPrecision(4);
  return esc(d.dtype + '[' + d.shape.join(', ') + ']') + ' |' + norm + '|';
}
function link(id) {
  var n = N[id];
  return '<a class="go" data-go="' + id + '">' + esc(n.name + (n.label ? ' ' + n.label : '')) +
         ' #' + id + '</a>';
}
function savedTable(n, h) {
  h.push('<h3>Saved for backward</h3>');
  if (n.saved_state === 'freed') {
    h.push('<p>freed by backward (run it with retain_graph=True to keep them)</p>');
  }
  if (n.saved && n.saved.length) {
    h.push('<table class="saved"><tr><th>#</th><th>tensor</th><th>bytes</th><th>what</th></tr>');
    n.saved.forEach(function (s) {
      h.push('<tr><td>' + s.i + '</td><td>' + esc(s.desc) + '</td><td>' + fmtB(s.bytes) +
             '</td><td>' + esc(s.role) + '</td></tr>');
    });
    h.push('</table>');
  } else if (n.saved_read) {  // freed now, but the trace saw what backward read
    h.push('<p>read by backward:</p><table class="saved">');
    n.saved_read.forEach(function (s) {
      h.push('<tr><td>' + s.i + '</td><td>' + esc(s.desc) + '</td></tr>');
    });
    h.push('</table>');
  } else if (n.saved_state !== 'freed') {
    h.push('<p>nothing</p>');
  }
}
function showNode(n) {
  var h = ['<h3>' + esc(n.name) + ' <span class="k">#' + n.id + '</span></h3><table>'];
  h.push(row('kind', n.kind + (n.custom ? ' (custom Function)' : '')));
  if (n.label) h.push(row('parameter', esc(n.label)));
  if (n.tensor) h.push(row('tensor', esc(n.tensor) + ' (' + fmtB(n.bytes) + ')'));
  if (n.module) h.push(row('module', esc(n.module)));
  if (n.site) h.push(row('forward at', esc(n.site)));
  if (n.grad_norm !== undefined) h.push(row('.grad norm', n.grad_norm.toPrecision(5)));
  if (n.time_us !== undefined) h.push(row('backward time', fmtT(n.time_us)));
  h.push('</table>');
  if (n.kind !== 'leaf') savedTable(n, h);
  if (n.grad_outputs) {
    h.push('<h3>Gradients</h3><table>');
    n.grad_outputs.forEach(function (d, i) { h.push(row('received [' + i + ']', gd(d))); });
    (n.grad_inputs || []).forEach(function (d) {
      h.push(row('returned [' + d.input + ']', d.shape ? gd(d) : 'None'));
    });
    h.push('</table>');
  }
  var ks = (kids[n.id] || []).map(function (e) { return '[' + e[2] + '] ' + link(e[1]); });
  var us = (users[n.id] || []).map(function (e) { return link(e[0]); });
  if (ks.length) h.push('<h3>Inputs (gradient flows to)</h3><p>' + ks.join('<br>') + '</p>');
  if (us.length) h.push('<h3>Used by</h3><p>' + us.join('<br>') + '</p>');
  if (n.group) h.push('<p><button id="close-group">collapse ' + esc(n.group) + '</button></p>');
  info.innerHTML = h.join('');
  var b = document.getElementById('close-group');
  if (b) b.onclick = function () { closed[n.group] = true; select('g:' + n.group); };
}
function select(k) {
  selected = k;
  if (isGroup(k)) {  // opening a block selects its top node
    var g = k.slice(2);
    closed[g] = false;
    selected = String(groups[g][0]);
  }
  render();
  showNode(N[+selected]);
  var p = pos[selected], pane = document.getElementById('pane');
  if (p) {
    pane.scrollTo({left: Math.max(0, p.x - pane.clientWidth / 2),
                   top: Math.max(0, p.y - pane.clientHeight / 3)});
  }
}
function markMatches() {
  var seen = {};
  matches.forEach(function (id) { seen[rep(id)] = 1; });
  var gs = svg.querySelectorAll('g.n');
  for (var i = 0; i < gs.length; i++) {
    gs[i].classList.toggle('match', !!seen[gs[i].getAttribute('data-k')]);
  }
}

svg.addEventListener('click', function (ev) {
  var g = ev.target.closest('g.n');
  if (g) select(g.getAttribute('data-k'));
});
info.addEventListener('click', function (ev) {
  var a = ev.target.closest('a.go');
  if (!a) return;
  var id = +a.getAttribute('data-go');
  if (N[id].group) closed[N[id].group] = false;
  select(String(id));
});
var box = document.getElementById('search'), found = document.getElementById('found');
box.addEventListener('input', function () {
  var q = box.value.trim().toLowerCase();
  matchAt = -1;
  matches = !q ? [] : N.filter(function (n) {
    return (n.name + ' ' + (n.label || '') + ' ' + (n.module || '')).toLowerCase().indexOf(q) >= 0;
  }).map(function (n) { return n.id; });
  found.textContent = q ? matches.length + ' found' : '';
  markMatches();
});
box.addEventListener('keydown', function (ev) {
  if (ev.key !== 'Enter' || !matches.length) return;
  matchAt = (matchAt + 1) % matches.length;
  var n = N[matches[matchAt]];
  if (n.group) closed[n.group] = false;
  select(String(n.id));
  found.textContent = (matchAt + 1) + ' of ' + matches.length;
});
document.getElementById('expand').onclick = function () { closed = {}; render(); };
document.getElementById('collapse').onclick = function () {
  Object.keys(groups).forEach(function (g) { closed[g] = true; });
  if (selected && N[+selected] && N[+selected].group) selected = null;
  render();
};
render();
// for tests and the console: how many nodes, how many boxes drawn, select by key
window.emberGraph = {nodes: N.length, select: select,
                     shown: function () { return svg.querySelectorAll('g.n').length; }};
})();
"""
