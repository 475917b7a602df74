/* The report page's script (inlined by scripts/report after Chart.js).
 *
 * Every number comes from the JSON in <script id="rsb-data"> (written by
 * scripts/rsb_results/report.py, whose statistics() is the only source of
 * medians, intervals and verdicts); this script filters, draws and
 * tabulates, and computes nothing statistical. Any state change re-renders
 * the whole view (charts are drawn without animation).
 *
 * For tests: window.rsbReport.charts() describes what is drawn, and
 * document.body.dataset.rsbReady is "yes" once the first view is drawn.
 */
(function () {
  "use strict";

  // ---- small helpers -------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "class") node.className = v;
        else if (k === "on") Object.keys(v).forEach(function (ev) { node.addEventListener(ev, v[ev]); });
        else if (k === "data") Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
        else node.setAttribute(k, v === true ? "" : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) node.appendChild(x); });
      else node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function uniq(xs) { var seen = new Set(); return xs.filter(function (x) { if (seen.has(x)) return false; seen.add(x); return true; }); }
  function showError(text) { window.rsbShowError(text); }

  function fmtNumber(v) {
    if (v === null || v === undefined || !isFinite(v)) return "-";
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
    return Number(v.toPrecision(4)).toLocaleString("en-US");
  }
  function fmtValue(v, metric) {
    if (v === null || v === undefined || !isFinite(v)) return "-";
    if (/_per_second$/.test(metric)) {
      var steps = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
      for (var i = 0; i < steps.length; i++) {
        if (Math.abs(v) >= steps[i][0]) return Number((v / steps[i][0]).toPrecision(3)) + " " + steps[i][1] + "/s";
      }
      return Number(v.toPrecision(3)) + " /s";
    }
    var unit = /_(ns|us|ms)$/.exec(metric);
    if (unit) return Number(v.toPrecision(4)).toLocaleString("en-US") + " " + unit[1];
    if (/bytes/.test(metric)) {
      var units = [[1 << 30, "GiB"], [1 << 20, "MiB"], [1 << 10, "KiB"]];
      for (var j = 0; j < units.length; j++) {
        if (Math.abs(v) >= units[j][0]) return Number((v / units[j][0]).toPrecision(3)) + " " + units[j][1];
      }
      return fmtNumber(v) + " B";
    }
    return fmtNumber(v);
  }
  function fmtRatio(r) { return r === null || r === undefined || !isFinite(r) ? "-" : r.toFixed(2) + "×"; }
  function fmtDate(d) { return d ? String(d).slice(0, 16).replace("T", " ") : "unknown date"; }

  var METRIC_LABELS = {
    items_per_second: "throughput (items/s)",
    reads_per_second: "readers' throughput (reads/s)",
    ns_per_round_trip: "round trip (ns)",
    lost_updates: "lost updates per run",
    cpu_ns_per_item: "CPU time per item (ns)",
    peak_bytes: "peak bytes allocated in flight",
    bytes_at_rest: "bytes held at rest",
  };
  function metricLabel(m) { return METRIC_LABELS[m] ? METRIC_LABELS[m] + " — " + m : m; }
  function higherIsBetter(m) { return /_per_second$/.test(m); }

  // ---- the data ------------------------------------------------------------
  var DATA;
  try {
    DATA = JSON.parse(document.getElementById("rsb-data").textContent);
    if (!DATA || !Array.isArray(DATA.files) || !Array.isArray(DATA.errors)) throw new Error("no files or errors list");
  } catch (e) {
    showError("The report's embedded data could not be read (" + e.message + "). Generate the page again with scripts/report.");
    return;
  }
  if (typeof Chart === "undefined") {
    showError("The charting library is missing from this page. Generate it again with scripts/report.");
    return;
  }

  var FAMILY_ORDER = DATA.families;
  var FILES = DATA.files;
  var SHAPE_RANK = {};
  DATA.shapes.forEach(function (s, i) { SHAPE_RANK[s] = i; });
  function shapeRank(s) { return s === "" ? -1 : (s in SHAPE_RANK ? SHAPE_RANK[s] : 1e9); }
  function familyRank(f) { var i = FAMILY_ORDER.indexOf(f); return i < 0 ? FAMILY_ORDER.length : i; }
  var PERCENTILES = DATA.percentiles;  // [[pct, counter], ...] sorted by pct
  var PCT_COUNTERS = new Set(PERCENTILES.map(function (p) { return p[1]; }));
  var COSTS = DATA.cost_counters;

  function groupKey(scenario, variant, payload) { return scenario + "\u0001" + variant + "\u0001" + payload; }
  FILES.forEach(function (f, i) {
    f.index = i;
    f.groups = new Map();
    f.benchmarks.forEach(function (b) {
      var k = groupKey(b.scenario, b.variant, b.payload);
      if (!f.groups.has(k)) f.groups.set(k, []);
      f.groups.get(k).push(b);
    });
    f.configByKey = new Map();
    f.configs.forEach(function (c) { f.configByKey.set(groupKey(c.scenario, c.variant, c.payload) + "\u0001" + c.shape, c); });
  });
  var PAIRS = new Map();
  DATA.pairs.forEach(function (p) { PAIRS.set(p.a + ":" + p.b, p.rows); });

  // Colours: one hue per family, shades within it; stable over the whole page.
  var FAMILY_STYLE = {
    mutex: { h: 0, s: 0 }, "lock-free": { h: 212, s: 75 }, sharded: { h: 135, s: 55 }, peer: { h: 28, s: 85 },
    user: { h: 285, s: 55 }, ceiling: { h: 0, s: 0, ceiling: true },
  };
  var POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded", "cross"];
  var IMPL_STYLE = {};
  (function () {
    var family = {};
    FILES.forEach(function (f) { Object.keys(f.families).forEach(function (i) { family[i] = family[i] || f.families[i]; }); });
    var byFamily = {};
    Object.keys(family).sort().forEach(function (i) { (byFamily[family[i]] = byFamily[family[i]] || []).push(i); });
    Object.keys(byFamily).forEach(function (fam) {
      var members = byFamily[fam], st = FAMILY_STYLE[fam] || { h: 340, s: 45 };
      members.forEach(function (impl, k) {
        var light = st.ceiling ? 12 + 10 * k : (members.length === 1 ? 45 : 28 + 36 * k / (members.length - 1));
        IMPL_STYLE[impl] = { color: "hsl(" + st.h + "," + st.s + "%," + light.toFixed(0) + "%)",
                             point: POINTS[k % POINTS.length], dash: st.ceiling ? [6, 4] : (k % 3 === 2 ? [4, 2] : []) };
      });
    });
  })();
  function styleOf(impl) { return IMPL_STYLE[impl] || { color: "hsl(340,45%,45%)", point: "circle", dash: [] }; }

  // ---- state ---------------------------------------------------------------
  function defaultFile() {
    if (DATA.explicit_files) return 0;
    var best = 0;
    FILES.forEach(function (f, i) {
      var b = FILES[best];
      if (f.benchmarks.length > b.benchmarks.length ||
          (f.benchmarks.length === b.benchmarks.length && f.date > b.date)) best = i;
    });
    return best;
  }
  var state = {
    panes: [], scenario: null, variant: null, payload: null, shape: null, metric: DATA.throughput,
    // The first view: ours against the best peer, a handful of lines a reader can follow.
    scale: "auto", mode: "ours-best", excluded: new Set(),
  };
  if (FILES.length) {
    var a = defaultFile();
    state.panes = [{ machine: FILES[a].machine, file: a }];
    if (DATA.explicit_files && FILES.length > 1) state.panes.push({ machine: FILES[1].machine, file: 1 });
  }
  var liveCharts = [];

  function paneFiles() { return state.panes.filter(function (p) { return p.file !== null; }).map(function (p) { return FILES[p.file]; }); }
  function scenariosOf(files) {
    return uniq([].concat.apply([], files.map(function (f) { return f.benchmarks.map(function (b) { return b.scenario; }); })));
  }
  function benchesOf(files, pred) {
    return [].concat.apply([], files.map(function (f) { return f.benchmarks.filter(pred); }));
  }
  function currentGroup(f) { return f.groups.get(groupKey(state.scenario, state.variant, state.payload)) || []; }

  /** Keeps every choice valid for the files shown: an earlier choice that no
   *  longer exists falls back to the first (or the tutorial's) option. */
  function normalise() {
    var files = paneFiles();
    var scenarios = scenariosOf(files);
    if (scenarios.indexOf(state.scenario) < 0) state.scenario = scenarios[0] || null;
    var inScenario = benchesOf(files, function (b) { return b.scenario === state.scenario; });
    var variants = uniq(inScenario.map(function (b) { return b.variant; }));
    if (variants.indexOf(state.variant) < 0) state.variant = variants[0] !== undefined ? variants[0] : null;
    var payloads = uniq(inScenario.filter(function (b) { return b.variant === state.variant; }).map(function (b) { return b.payload; }));
    if (payloads.indexOf(state.payload) < 0) {
      state.payload = payloads.indexOf(DATA.default_payload) >= 0 ? DATA.default_payload : (payloads[0] || null);
    }
    var group = [].concat.apply([], files.map(currentGroup));
    var shapes = uniq(group.map(function (b) { return b.shape; })).sort(function (x, y) { return shapeRank(x) - shapeRank(y); });
    if (shapes.indexOf(state.shape) < 0) {
      state.shape = shapes.filter(function (s) { return DATA.tutorial_shapes.indexOf(s) >= 0; })[0];
      if (state.shape === undefined) state.shape = shapes.length ? shapes[0] : null;
    }
    var metrics = metricsOf(group);
    if (metrics.indexOf(state.metric) < 0) state.metric = metrics.indexOf(DATA.throughput) >= 0 ? DATA.throughput : (metrics[0] || DATA.throughput);
    return { files: files, scenarios: scenarios, variants: variants, payloads: payloads, shapes: shapes, metrics: metrics, group: group };
  }
  function metricsOf(benches) {
    var names = new Set();
    benches.forEach(function (b) { Object.keys(b.metrics).forEach(function (m) { names.add(m); }); });
    return Array.from(names).sort(function (x, y) {
      return (x === DATA.throughput ? -1 : 0) - (y === DATA.throughput ? -1 : 0) || x.localeCompare(y);
    });
  }
  function implsOf(benches) {
    var fam = {};
    benches.forEach(function (b) { fam[b.impl] = b.family; });
    return Object.keys(fam).sort(function (x, y) { return familyRank(fam[x]) - familyRank(fam[y]) || x.localeCompare(y); })
      .map(function (i) { return { impl: i, family: fam[i] }; });
  }
  /** Ours (every family in DATA.ours) and, from each shown file, the peer
   *  fastest at each configuration of the group. */
  function oursAndBestPeers(view) {
    var chosen = new Set();
    view.group.forEach(function (b) { if (DATA.ours.indexOf(b.family) >= 0) chosen.add(b.impl); });
    view.files.forEach(function (f) {
      f.configs.forEach(function (c) {
        if (c.scenario === state.scenario && c.variant === state.variant && c.payload === state.payload && c.best_peer) chosen.add(c.best_peer);
      });
    });
    return chosen;
  }
  function selectedSet(view) {
    if (state.mode === "ours-best") return oursAndBestPeers(view);
    var s = new Set();
    implsOf(view.group).forEach(function (x) { if (!state.excluded.has(x.impl)) s.add(x.impl); });
    return s;
  }
  /** Leaves a preset: the current selection becomes an explicit one. */
  function toCustom(view) {
    if (state.mode === "custom") return;
    var sel = selectedSet(view);
    state.excluded = new Set(implsOf(view.group).map(function (x) { return x.impl; }).filter(function (i) { return !sel.has(i); }));
    state.mode = "custom";
  }

  // ---- charts --------------------------------------------------------------
  /** Interval whiskers: dataset.rsbIntervals[k] = [lo, hi] around point k. */
  var intervalPlugin = {
    id: "rsbIntervals",
    afterDatasetsDraw: function (chart) {
      var horizontal = chart.options.indexAxis === "y";
      var scale = horizontal ? chart.scales.x : chart.scales.y;
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.rsbIntervals || !chart.isDatasetVisible(i)) return;
        var meta = chart.getDatasetMeta(i);
        ctx.save();
        ctx.strokeStyle = ds.rsbWhisker || ds.borderColor;
        ctx.lineWidth = 1.3;
        meta.data.forEach(function (elem, k) {
          var iv = ds.rsbIntervals[k];
          if (!iv || iv[0] === null || iv[1] === null) return;
          if (scale.type === "logarithmic" && (iv[0] <= 0 || iv[1] <= 0)) return;
          var p0 = scale.getPixelForValue(iv[0]), p1 = scale.getPixelForValue(iv[1]);
          var pos = elem.getProps(["x", "y"], true), cap = 4;
          ctx.beginPath();
          if (horizontal) {
            ctx.moveTo(p0, pos.y); ctx.lineTo(p1, pos.y);
            ctx.moveTo(p0, pos.y - cap); ctx.lineTo(p0, pos.y + cap);
            ctx.moveTo(p1, pos.y - cap); ctx.lineTo(p1, pos.y + cap);
          } else {
            ctx.moveTo(pos.x, p0); ctx.lineTo(pos.x, p1);
            ctx.moveTo(pos.x - cap, p0); ctx.lineTo(pos.x + cap, p0);
            ctx.moveTo(pos.x - cap, p1); ctx.lineTo(pos.x + cap, p1);
          }
          ctx.stroke();
        });
        ctx.restore();
      });
    },
  };

  function useLog(values) {
    if (state.scale !== "auto") return state.scale === "log";
    var pos = values.filter(function (v) { return v > 0; });
    return pos.length >= 2 && Math.max.apply(null, pos) / Math.min.apply(null, pos) > 30;
  }
  function tooltipLabel(metric) {
    return function (item) {
      var info = item.dataset.rsbInfo && item.dataset.rsbInfo[item.dataIndex];
      var v = item.parsed[item.chart.options.indexAxis === "y" ? "x" : "y"];
      var text = item.dataset.label + ": " + fmtValue(v, metric);
      if (info) text += "  [" + fmtValue(info[1], metric) + " – " + fmtValue(info[2], metric) + "], n = " + info[3];
      return text;
    };
  }
  /** A value axis; on a log scale only 1, 2 and 5 (horizontal: 1 and 3)
   *  times a power of ten are labelled, so labels never overlap. */
  function valueAxis(metric, values, title, horizontal, forceLog) {
    var log = forceLog || useLog(values);
    var keep = horizontal ? [1, 3] : [1, 2, 5];
    // The axis spans the intervals too, not only the medians Chart.js sees.
    var finite = values.filter(function (v) { return isFinite(v) && (!log || v > 0); });
    return { type: log ? "logarithmic" : "linear", beginAtZero: !log, title: { display: true, text: title || metricLabel(metric) },
             suggestedMin: finite.length ? Math.min.apply(null, finite) : undefined,
             suggestedMax: finite.length ? Math.max.apply(null, finite) : undefined,
             ticks: { maxTicksLimit: 8, autoSkip: !log, callback: function (v) {
               v = Number(v);
               if (log) {
                 var mant = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
                 if (!keep.some(function (k) { return Math.abs(mant - k) < 1e-6; })) return "";
               }
               return fmtValue(v, metric);
             } } };
  }
  function figure(kind, caption, note, tall) {
    var canvas = el("canvas", { role: "img", "aria-label": caption });
    var fig = el("figure", { class: "chart", data: { kind: kind } }, el("figcaption", { text: caption }),
                 el("div", { class: "canvas-box" + (tall ? " tall" : "") }, canvas), note ? el("p", { class: "note", text: note }) : null);
    return { fig: fig, canvas: canvas };
  }
  function makeChart(paneIndex, kind, canvas, config) {
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options);
    config.plugins = [intervalPlugin];
    var chart = new Chart(canvas, config);
    liveCharts.push({ pane: paneIndex, kind: kind, chart: chart, canvas: canvas });
    return chart;
  }

  function byConfigurationChart(paneIndex, f, benches, selected, container) {
    var metric = state.metric;
    var shapes = uniq(benches.map(function (b) { return b.shape; })).filter(function (s) { return s !== ""; })
      .sort(function (x, y) { return shapeRank(x) - shapeRank(y); });
    if (shapes.length < 2) return;
    var values = [], datasets = [];
    implsOf(benches).forEach(function (x) {
      if (!selected.has(x.impl)) return;
      var data = [], iv = [], info = [], any = false;
      shapes.forEach(function (s) {
        var b = benches.filter(function (b) { return b.impl === x.impl && b.shape === s && !b.error; })[0];
        var m = b && b.metrics[metric];
        data.push(m ? m[0] : null); iv.push(m ? [m[1], m[2]] : null); info.push(m || null);
        if (m) { any = true; values.push(m[0], m[1], m[2]); }
      });
      if (!any) return;
      var st = styleOf(x.impl);
      datasets.push({ label: x.impl + " (" + x.family + ")", rsbImpl: x.impl, data: data, rsbIntervals: iv, rsbInfo: info,
                      borderColor: st.color, backgroundColor: st.color, pointStyle: st.point, pointRadius: 4,
                      borderDash: st.dash, borderWidth: 2, spanGaps: false });
    });
    var fg = figure("by-configuration", metricLabel(metric) + " by configuration", datasets.length ? null :
                    "Nothing to draw: no selected implementation has " + metric + " here.", true);
    container.appendChild(fg.fig);
    makeChart(paneIndex, "by-configuration", fg.canvas, {
      type: "line", data: { labels: shapes, datasets: datasets },
      options: { scales: { x: { title: { display: true, text: "configuration (threads per role)" } }, y: valueAxis(metric, values) },
                 plugins: { legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8 } },
                            tooltip: { callbacks: { label: tooltipLabel(metric) } } } },
    });
  }

  function barsAtShape(paneIndex, kind, f, benches, selected, metric, container, caption) {
    var rows = benches.filter(function (b) { return selected.has(b.impl) && b.shape === state.shape && !b.error && b.metrics[metric]; });
    if (!rows.length) return false;
    var sign = higherIsBetter(metric) ? -1 : 1;
    rows.sort(function (x, y) { return sign * (x.metrics[metric][0] - y.metrics[metric][0]) || x.impl.localeCompare(y.impl); });
    var values = [];
    rows.forEach(function (b) { var m = b.metrics[metric]; values.push(m[0], m[1], m[2]); });
    var colours = rows.map(function (b) { return styleOf(b.impl).color; });
    var fg = figure(kind, caption, null, rows.length > 9);
    container.appendChild(fg.fig);
    makeChart(paneIndex, kind, fg.canvas, {
      type: "bar",
      data: { labels: rows.map(function (b) { return b.impl + " (" + b.family + ")"; }),
              datasets: [{ label: metric, data: rows.map(function (b) { return b.metrics[metric][0]; }),
                           rsbImpls: rows.map(function (b) { return b.impl; }),
                           rsbIntervals: rows.map(function (b) { return [b.metrics[metric][1], b.metrics[metric][2]]; }),
                           rsbInfo: rows.map(function (b) { return b.metrics[metric]; }),
                           backgroundColor: colours, borderColor: colours, rsbWhisker: "#111", borderWidth: 1 }] },
      options: { indexAxis: "y", scales: { x: valueAxis(metric, values, null, true) },
                 plugins: { legend: { display: false }, tooltip: { callbacks: { label: tooltipLabel(metric) } } } },
    });
    return true;
  }

  function latencyChart(paneIndex, f, benches, selected, container) {
    var rows = benches.filter(function (b) {
      return selected.has(b.impl) && b.shape === state.shape && !b.error &&
        PERCENTILES.some(function (p) { return b.metrics[p[1]]; });
    });
    if (!rows.length) return;
    var first = PERCENTILES.filter(function (p) { return rows.some(function (b) { return b.metrics[p[1]]; }); });
    rows.sort(function (x, y) {
      var a = x.metrics[first[0][1]], b = y.metrics[first[0][1]];
      return (a ? a[0] : Infinity) - (b ? b[0] : Infinity);
    });
    var values = [];
    var datasets = first.map(function (p, k) {
      var light = 25 + 45 * k / Math.max(1, first.length - 1);
      return { label: "p" + p[0], rsbCounter: p[1],
               data: rows.map(function (b) { var m = b.metrics[p[1]]; if (m) values.push(m[0], m[1], m[2]); return m ? m[0] : null; }),
               rsbIntervals: rows.map(function (b) { var m = b.metrics[p[1]]; return m ? [m[1], m[2]] : null; }),
               rsbInfo: rows.map(function (b) { return b.metrics[p[1]] || null; }),
               backgroundColor: "hsl(265,45%," + light.toFixed(0) + "%)", borderColor: "hsl(265,45%," + light.toFixed(0) + "%)", rsbWhisker: "#111" };
    });
    var unitMetric = first[0][1];
    var fg = figure("latency", "latency percentiles at " + (state.shape || "its only configuration"),
                    "Enqueue-to-dequeue time with producers running flat out (it includes any backlog).");
    container.appendChild(fg.fig);
    makeChart(paneIndex, "latency", fg.canvas, {
      type: "bar", data: { labels: rows.map(function (b) { return b.impl; }), datasets: datasets },
      options: { scales: { y: valueAxis(unitMetric, values, "latency (" + (/_(ns|us|ms)$/.exec(unitMetric) || ["", "counter units"])[1] + ", log scale)", false, true) },
                 plugins: { tooltip: { callbacks: { label: tooltipLabel(unitMetric) } } } },
    });
  }

  // ---- tables --------------------------------------------------------------
  function verdictBadge(v, sideLabel) {
    if (!v) return el("span", { class: "muted", text: "-" });
    var cls = v.verdict === "too few repetitions" ? "few" : v.verdict;
    var text = (sideLabel ? sideLabel + " " : "") + v.verdict;
    var extra = [];
    if (v.basis) extra.push(v.basis);
    if (v.disturbed) extra.push(v.disturbed + " disturbed");
    if (v.excluded) extra.push(v.excluded + " excluded");
    return el("span", null, el("span", { class: "verdict " + cls, text: text }), extra.length ? " " + extra.join(", ") : null);
  }
  function ratioText(v) {
    if (!v) return "-";
    var t = fmtRatio(v.ratio);
    if (v.ratio_lo !== null && v.ratio_lo !== undefined && v.ratio_hi !== null && v.ratio_hi !== undefined) {
      t += " [" + fmtRatio(v.ratio_lo) + " – " + fmtRatio(v.ratio_hi) + "]";
    }
    return t;
  }
  function table(cls, headers, rows) {
    return el("div", { class: "table-wrap" }, el("table", { class: cls },
      el("thead", null, el("tr", null, headers.map(function (h) { return el("th", { text: h }); }))),
      el("tbody", null, rows)));
  }
  function td(content, cls) {
    var cell = el("td", cls ? { class: cls } : null);
    if (content instanceof Node) cell.appendChild(content); else cell.textContent = content;
    return cell;
  }
  function medianWithInterval(m, metric) {
    return m ? fmtValue(m[0], metric) + "  [" + fmtValue(m[1], metric) + " – " + fmtValue(m[2], metric) + "]" : "-";
  }
  function findBench(f, impl, shape) {
    return currentGroup(f).filter(function (b) { return b.impl === impl && b.shape === shape; })[0];
  }

  function winnersTable(f, shapes) {
    var T = DATA.throughput;
    var rows = shapes.map(function (s) {
      var c = f.configByKey.get(groupKey(state.scenario, state.variant, state.payload) + "\u0001" + s);
      if (!c) return null;
      if (!c.ranking.length) return el("tr", null, td(s || "-"), td(el("span", { class: "failed", text: "every run FAILED" })), td(""), td(""), td(""), td(""));
      var w = findBench(f, c.ranking[0], s);
      var wb = c.baseline && c.baseline !== c.ranking[0] ? c.vs_baseline[c.ranking[0]] : null;
      return el("tr", null, td(s || "-"), td(c.ranking[0] + " (" + w.family + ")"), td(medianWithInterval(w.metrics[T], T), "num"),
                td(c.runner_up ? c.runner_up + "  " + ratioText(c.winner_vs_runner_up) : "-"),
                td(verdictBadge(c.winner_vs_runner_up)),
                td(c.baseline ? (c.baseline === c.ranking[0] ? "is the baseline" : el("span", null, c.baseline + " " + ratioText(wb) + " ", verdictBadge(wb))) : "no baseline"));
    }).filter(Boolean);
    return table("winners", ["configuration", "fastest", "median [interval]", "runner-up, fastest/runner-up", "fastest vs runner-up", "fastest vs baseline"], rows);
  }

  function verdictTable(f, benches, selected) {
    var T = DATA.throughput;
    var c = f.configByKey.get(groupKey(state.scenario, state.variant, state.payload) + "\u0001" + state.shape);
    var rows = benches.filter(function (b) { return selected.has(b.impl) && b.shape === state.shape; });
    rows.sort(function (x, y) {
      var a = x.metrics[T], b = y.metrics[T];
      return (b ? b[0] : -Infinity) - (a ? a[0] : -Infinity) || x.impl.localeCompare(y.impl);
    });
    var base = c && c.baseline, peer = c && c.best_peer;
    var body = rows.map(function (b) {
      if (b.error) return el("tr", { data: { impl: b.impl } }, td(b.impl), td(b.family), td(el("span", { class: "failed", text: "FAILED: " + b.error })), td(""), td(""), td(""), td(""), td(""));
      var m = b.metrics[T];
      var vb = c && c.vs_baseline[b.impl], vp = c && c.vs_best_peer[b.impl];
      return el("tr", { data: { impl: b.impl } }, td(b.impl), td(b.family), td(m ? fmtValue(m[0], T) : "-", "num"),
                td(m ? "[" + fmtValue(m[1], T) + " – " + fmtValue(m[2], T) + "]" : "-", "num"), td(m ? String(m[3]) : "0", "num"),
                td(b.impl === base ? "baseline" : ratioText(vb), "num"), td(b.impl === base ? "" : verdictBadge(vb)),
                td(b.impl === peer ? "best peer" : (peer ? el("span", null, ratioText(vp) + " ", verdictBadge(vp)) : "-")));
    });
    return table("verdicts", ["implementation", "family", "median", "interval", "n", "vs baseline " + (base ? "(" + base + ")" : "(none)"),
                              "verdict", "vs best peer " + (peer ? "(" + peer + ")" : "(none)")], body);
  }

  function guaranteesTable(f, impls) {
    if (!f.guarantees) {
      return el("div", null,
        f.guarantees_problem ? el("p", { class: "warning", text: "Guarantees unreadable in this file: " + f.guarantees_problem }) : null,
        table("guarantees", ["implementation", "family", "progress", "order", "bounded"], impls.map(function (x) {
          return el("tr", null, td(x.impl), td(x.family), td("not recorded", "muted"), td("not recorded", "muted"), td("not recorded", "muted"));
        })),
        el("p", { class: "note", text: "This file does not record the structures' guarantees (context key rsb_guarantees); runspace_bench --list prints them." }));
    }
    return table("guarantees", ["implementation", "family", "progress", "order", "bounded"], impls.map(function (x) {
      var g = f.guarantees[x.impl] || {};
      return el("tr", null, td(x.impl), td(x.family), td(g.progress || "not recorded"), td(g.order || "not recorded"), td(g.bounded || "not recorded"));
    }));
  }

  function everyConfigurationTable(f) {
    var T = DATA.throughput;
    var configs = f.configs.slice().sort(function (x, y) {
      return x.scenario.localeCompare(y.scenario) || x.variant.localeCompare(y.variant) || x.payload.localeCompare(y.payload) || shapeRank(x.shape) - shapeRank(y.shape);
    });
    return table("all-configurations", ["scenario", "variant", "payload", "configuration", "fastest", "median", "vs runner-up", "verdict"],
      configs.map(function (c) {
        var w = c.ranking.length ? f.benchmarks.filter(function (b) { return b.scenario === c.scenario && b.variant === c.variant && b.payload === c.payload && b.shape === c.shape && b.impl === c.ranking[0]; })[0] : null;
        return el("tr", null, td(c.scenario), td(c.variant || "-"), td(c.payload), td(c.shape || "-"),
                  td(w ? c.ranking[0] + " (" + w.family + ")" : el("span", { class: "failed", text: "every run FAILED" })),
                  td(w ? fmtValue(w.metrics[T][0], T) : "-", "num"),
                  td(c.runner_up ? c.runner_up + " " + ratioText(c.winner_vs_runner_up) : "-"), td(verdictBadge(c.winner_vs_runner_up)));
      }));
  }

  function pairRows(ia, ib) {
    var rows = PAIRS.get(ia + ":" + ib);
    if (rows) return { rows: rows, flip: false };
    rows = PAIRS.get(ib + ":" + ia);
    return rows ? { rows: rows, flip: true } : null;
  }
  function flipVerdict(v) {
    var w = Object.assign({}, v);
    w.ratio = v.ratio ? 1 / v.ratio : v.ratio;
    w.ratio_lo = v.ratio_hi ? 1 / v.ratio_hi : null;
    w.ratio_hi = v.ratio_lo ? 1 / v.ratio_lo : null;
    w.verdict = v.verdict === "faster" ? "slower" : v.verdict === "slower" ? "faster" : v.verdict;
    return w;
  }
  function abSection(view, selected) {
    var fa = FILES[state.panes[0].file], fb = FILES[state.panes[1].file];
    var T = DATA.throughput;
    var sec = el("section", { id: "rsb-ab" }, el("h2", { text: "B against A: the same benchmarks in both files" }));
    if (fa === fb) { sec.appendChild(el("p", { class: "note", text: "A and B show the same file." })); return sec; }
    var pr = pairRows(fa.index, fb.index);
    var benchesA = currentGroup(fa).filter(function (b) { return selected.has(b.impl); });
    var body = [];
    benchesA.sort(function (x, y) { return familyRank(x.family) - familyRank(y.family) || x.impl.localeCompare(y.impl) || shapeRank(x.shape) - shapeRank(y.shape); });
    benchesA.forEach(function (ba) {
      var bb = fb.benchmarks.filter(function (b) { return b.name === ba.name; })[0];
      if (!bb) return;
      var v = pr && pr.rows[ba.name];
      if (v && pr.flip) v = flipVerdict(v);
      var ma = ba.metrics[T], mb = bb.metrics[T];
      body.push(el("tr", null, td(ba.impl), td(ba.shape || "-"), td(ba.error ? "FAILED" : medianWithInterval(ma, T), "num"),
                   td(bb.error ? "FAILED" : medianWithInterval(mb, T), "num"), td(ratioText(v), "num"), td(verdictBadge(v, "B"))));
    });
    sec.appendChild(el("p", { class: "note", text: "A = " + fa.label + " (" + fa.machine + "), B = " + fb.label + " (" + fb.machine + "); " +
                                 "throughput medians, B/A ratio and whether B is faster, slower or indistinguishable." }));
    sec.appendChild(body.length ? table("ab", ["implementation", "configuration", "A median [interval]", "B median [interval]", "B/A", "verdict"], body)
                                : el("p", { class: "note", text: "No benchmark of this selection is in both files." }));
    return sec;
  }

  function provenanceSection() {
    var keys = ["machine", "date", "commit", "CPU", "logical CPUs", "compiler", "flags", "build", "repetitions", "benchmarks"];
    var shown = new Set(state.panes.map(function (p) { return p.file; }));
    var rows = FILES.map(function (f) {
      return el("tr", { class: shown.has(f.index) ? "shown" : null }, td(f.label + (shown.has(f.index) ? " (shown)" : "")),
                keys.map(function (k) { return td(k === "commit" ? f.provenance[k].slice(0, 12) + f.provenance[k].slice(40) : f.provenance[k]); }));
    });
    var details = FILES.map(function (f) {
      return el("details", null, el("summary", { text: "Everything recorded about " + f.label }),
                table("provenance-full", ["key", "value"], Object.keys(f.provenance).map(function (k) { return el("tr", null, td(k), td(f.provenance[k])); })));
    });
    return el("section", { id: "rsb-provenance" }, el("h2", { text: "Provenance of each results file" }),
              table("provenance", ["file"].concat(keys), rows), details);
  }

  // ---- the view ------------------------------------------------------------
  function select(label, id, options, value, onChange, disabled) {
    var s = el("select", { id: id, disabled: disabled || options.length < 2, on: { change: function () { onChange(s.value); render(); } } },
               options.map(function (o) { return el("option", { value: o[0], text: o[1] }); }));
    s.value = value;
    return el("label", null, label + " ", s);
  }

  function controls(view) {
    var selected = selectedSet(view);
    var impls = implsOf(view.group);
    var families = uniq(impls.map(function (x) { return x.family; }));
    var famBoxes = families.map(function (fam) {
      var members = impls.filter(function (x) { return x.family === fam; });
      return el("fieldset", { class: "family", data: { family: fam } },
        el("legend", null, fam,
           el("button", { type: "button", class: "family-only", title: "show only " + fam, text: "only",
                          on: { click: function () { state.mode = "custom"; state.excluded = new Set(impls.filter(function (x) { return x.family !== fam; }).map(function (x) { return x.impl; })); render(); } } }),
           el("button", { type: "button", class: "family-toggle", title: "add or remove every " + fam + " implementation", text: "±",
                          on: { click: function () {
                            toCustom(view);
                            var allOn = members.every(function (x) { return !state.excluded.has(x.impl); });
                            members.forEach(function (x) { if (allOn) state.excluded.add(x.impl); else state.excluded.delete(x.impl); });
                            render();
                          } } })),
        members.map(function (x) {
          var box = el("input", { type: "checkbox", value: x.impl, checked: selected.has(x.impl), "data-impl": x.impl,
                                  on: { change: function () {
                                    toCustom(view);
                                    if (box.checked) state.excluded.delete(x.impl); else state.excluded.add(x.impl);
                                    render();
                                  } } });
          return el("label", null, box, el("span", { class: "swatch", style: "background:" + styleOf(x.impl).color }), x.impl);
        }));
    });
    function preset(id, text, pressed, action) {
      return el("button", { type: "button", id: id, class: "preset", "aria-pressed": pressed ? "true" : "false", text: text,
                            on: { click: function () { action(); render(); } } });
    }
    return el("div", { class: "controls", id: "rsb-controls" },
      el("div", { class: "row" },
        select("Scenario", "rsb-scenario", view.scenarios.map(function (s) { return [s, s]; }), state.scenario, function (v) { state.scenario = v; }),
        select("Variant", "rsb-variant", view.variants.map(function (v) { return [v, v || "(none)"]; }), state.variant, function (v) { state.variant = v; }),
        select("Payload", "rsb-payload", view.payloads.map(function (p) { return [p, p + (view.payloads.length === 1 && p === DATA.default_payload ? " (the only one recorded)" : "")]; }),
               state.payload, function (v) { state.payload = v; }),
        select("Configuration", "rsb-shape", view.shapes.map(function (s) { return [s, s || "(its only one)"]; }), state.shape, function (v) { state.shape = v; }),
        select("Metric", "rsb-metric", view.metrics.map(function (m) { return [m, metricLabel(m)]; }), state.metric, function (v) { state.metric = v; }),
        select("Scale", "rsb-scale", [["auto", "auto"], ["linear", "linear"], ["log", "log"]], state.scale, function (v) { state.scale = v; }, false),
        select("Side by side", "rsb-two", [["one", "one file"], ["two", "two files (A | B)"]], state.panes.length > 1 ? "two" : "one", function (v) {
          if (v === "two" && state.panes.length < 2) {
            var other = FILES.filter(function (f) { return f.machine !== FILES[state.panes[0].file].machine; })[0] ||
                        FILES.filter(function (f) { return f.index !== state.panes[0].file; })[0] || FILES[state.panes[0].file];
            state.panes.push({ machine: other.machine, file: other.index });
          } else if (v === "one") state.panes = state.panes.slice(0, 1);
        }, FILES.length < 2)),
      el("div", { class: "row" }, el("span", { text: "Implementations:" }),
        preset("rsb-all", "all", state.mode === "custom" && state.excluded.size === 0, function () { state.mode = "custom"; state.excluded = new Set(); }),
        preset("rsb-ours-best", "ours vs best peer", state.mode === "ours-best", function () { state.mode = "ours-best"; }),
        preset("rsb-none", "none", state.mode === "custom" && impls.every(function (x) { return state.excluded.has(x.impl); }),
               function () { state.mode = "custom"; state.excluded = new Set(impls.map(function (x) { return x.impl; })); }),
        el("span", { class: "note", text: "ours = " + DATA.ours.join(", ") + "; best peer = the fastest peer at each configuration of each file shown" })),
      el("div", { class: "impls", id: "rsb-impls" }, famBoxes));
  }

  function pane(view, paneIndex, selected) {
    var p = state.panes[paneIndex];
    var f = FILES[p.file];
    var machines = uniq(FILES.map(function (x) { return x.machine; }));
    var filesOfMachine = FILES.filter(function (x) { return x.machine === p.machine; })
      .sort(function (x, y) { return y.date.localeCompare(x.date) || x.label.localeCompare(y.label); });
    var head = el("div", { class: "pane-head" }, el("span", { class: "tag", text: paneIndex === 0 ? "A" : "B" }),
      select("Machine", "rsb-machine-" + paneIndex, machines.map(function (m) { return [m, m]; }), p.machine, function (v) {
        p.machine = v;
        var first = FILES.filter(function (x) { return x.machine === v; }).sort(function (x, y) { return y.date.localeCompare(x.date); })[0];
        p.file = first.index;
      }),
      select("File", "rsb-file-" + paneIndex, filesOfMachine.map(function (x) { return [String(x.index), x.label + " (" + fmtDate(x.date) + ", " + x.benchmarks.length + " benchmarks)"]; }),
             String(p.file), function (v) { p.file = Number(v); }));
    var prov = f.provenance;
    var sec = el("section", { class: "pane", data: { pane: String(paneIndex), file: f.label } }, head,
      el("p", { class: "note", text: prov.CPU + ", " + prov["logical CPUs"] + " · " + fmtDate(prov.date) + " · commit " + prov.commit.slice(0, 12) +
                                      prov.commit.slice(40) + " · " + prov.compiler + " · " + f.repetitions + " repetition(s)" }));
    var benches = currentGroup(f);
    if (!benches.length) {
      sec.appendChild(el("p", { class: "warning", text: "This file has no " + [state.scenario, state.variant, state.payload].filter(Boolean).join(" / ") + " benchmarks." }));
      return sec;
    }
    var charts = el("div", { class: "charts" });
    sec.appendChild(charts);
    byConfigurationChart(paneIndex, f, benches, selected, charts);
    var where = state.shape || "its only configuration";
    if (!barsAtShape(paneIndex, "at-configuration", f, benches, selected, state.metric, charts, metricLabel(state.metric) + " at " + where)) {
      charts.appendChild(el("p", { class: "note", text: "No selected implementation has " + state.metric + " at " + where + "." }));
    }
    latencyChart(paneIndex, f, benches, selected, charts);
    COSTS.forEach(function (counter) {
      if (counter === state.metric) return;
      barsAtShape(paneIndex, "cost-" + counter, f, benches, selected, counter, charts, metricLabel(counter) + " at " + where);
    });
    var failed = benches.filter(function (b) { return b.error && selected.has(b.impl); });
    if (failed.length) {
      sec.appendChild(el("p", { class: "warning" }, el("span", { class: "failed", text: "FAILED (not drawn): " }),
                         failed.map(function (b) { return b.impl + " at " + (b.shape || "-") + ": " + b.error; }).join("; ")));
    }
    var shapes = uniq(benches.map(function (b) { return b.shape; })).sort(function (x, y) { return shapeRank(x) - shapeRank(y); });
    sec.appendChild(el("h3", { text: "Fastest implementation per configuration (all implementations of the file)" }));
    sec.appendChild(winnersTable(f, shapes));
    sec.appendChild(el("h3", { text: "Verdicts at " + where + " (throughput)" }));
    sec.appendChild(verdictTable(f, benches, selected));
    sec.appendChild(el("h3", { text: "Guarantees" }));
    sec.appendChild(guaranteesTable(f, implsOf(benches).filter(function (x) { return selected.has(x.impl); })));
    sec.appendChild(el("details", null, el("summary", { text: "Every configuration of this file: the fastest implementation" }), everyConfigurationTable(f)));
    return sec;
  }

  function render() {
    liveCharts.forEach(function (c) { c.chart.destroy(); });
    liveCharts = [];
    var app = document.getElementById("rsb-app");
    app.textContent = "";
    if (!FILES.length) {
      app.appendChild(el("p", { class: "warning", text: "No usable results file: nothing to chart. The errors above say what is wrong with each file given." }));
      return;
    }
    var view = normalise();
    var selected = selectedSet(view);
    app.appendChild(controls(view));
    var panes = el("div", { class: "panes" + (state.panes.length > 1 ? " two" : ""), id: "rsb-panes" });
    app.appendChild(panes);
    state.panes.forEach(function (p, i) { panes.appendChild(pane(view, i, selected)); });
    if (state.panes.length > 1) app.appendChild(abSection(view, selected));
    app.appendChild(el("p", { class: "note", id: "rsb-statistics", text: DATA.statistics_note }));
    app.appendChild(provenanceSection());
  }

  // ---- start ---------------------------------------------------------------
  document.getElementById("rsb-meta").textContent = "Generated " + DATA.generated + " by scripts/report from " + FILES.length +
    " results file(s)" + (DATA.errors.length ? " (" + DATA.errors.length + " unusable)" : "") + " · charts drawn with " + DATA.chart_library +
    ", inlined: the page loads nothing.";
  if (DATA.errors.length) {
    var box = document.getElementById("rsb-errors");
    box.appendChild(el("p", { class: "title", text: DATA.errors.length + " results file(s) could not be used and are not in the charts:" }));
    DATA.errors.forEach(function (e) { box.appendChild(el("p", { class: "file-error", text: e })); });
    box.hidden = false;
  }
  // Shown before the first render: a chart drawn while hidden has no size.
  document.getElementById("rsb-loading").remove();
  document.getElementById("rsb-app").hidden = false;
  render();

  window.rsbReport = {
    state: state,
    /** What is drawn: one entry per live chart. */
    charts: function () {
      return liveCharts.map(function (c) {
        return { pane: c.pane, kind: c.kind, type: c.chart.config.type,
                 labels: (c.chart.data.labels || []).slice(),
                 datasets: c.chart.data.datasets.map(function (d) { return { label: d.label, data: d.data.slice() }; }),
                 width: c.canvas.width, height: c.canvas.height };
      });
    },
  };
  document.body.dataset.rsbReady = "yes";
})();
