/* The report's behaviour: read the embedded data, draw the timeline, build the findings panel, filter the table.
   Every text from the chronologies is set with textContent, never parsed as HTML; hover texts are escaped. */
(function () {
  "use strict";
  var T = window.__timings = { script: performance.now() };
  window.__plotReady = null;  /* set to the time the plot is drawn: tests and benchmarks wait for it */
  var plot = document.getElementById("timeline");
  var status = document.getElementById("status");
  var READING = "Reading the chronology\u2026";
  var PAGE = 500;

  /* ---- the embedded data: JSON, gzipped, in base64; unpacked with the browser's DecompressionStream ---- */
  function readData() {
    var binary = atob(document.getElementById("report-data").textContent);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function fail(message) {
    status.textContent = message;
    status.className = "hint failed";
  }
  if (typeof DecompressionStream !== "function" || typeof Response !== "function" ||
      typeof Blob !== "function" || !Blob.prototype.stream) {
    fail("This browser is too old to show the report (it was made before 2023). Open the file in a current " +
      "Edge, Chrome, Firefox (113 or later) or Safari (16.4 or later). The file itself is fine.");
    return;
  }
  status.textContent = READING;
  readData().then(function (text) {
    var data = JSON.parse(text);
    T.parsed = performance.now();
    start(data);
  }).catch(function (err) {
    fail("The report's data could not be read (" + err + "). The file may be damaged or cut short: ask for it again.");
    if (window.console) { console.error(err); }
  });

  /* ---- hover texts, escaped for plotly's pseudo-HTML ---- */
  var MARKUP = /[&<>]/g;
  var ENTITY = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
  function esc(text) {
    text = String(text);
    return text.search(MARKUP) < 0 ? text : text.replace(MARKUP, function (c) { return ENTITY[c]; });
  }
  /* At most `lines` lines of about `width` characters (records.py's _excerpt). */
  function excerpt(text, width, lines) {
    text = String(text).replace(/\s+/g, " ").trim();
    if (text.length > width * lines) {
      text = text.slice(0, width * lines);
      text = text.slice(0, Math.max(text.lastIndexOf(" "), 1)) + " \u2026";
    }
    var out = [];
    while (text.length > width && out.length < lines - 1) {
      var cut = text.lastIndexOf(" ", width);
      if (cut <= 0) { cut = width; }
      out.push(esc(text.slice(0, cut)));
      text = text.slice(cut).replace(/^ +/, "");
    }
    out.push(esc(text));
    return out.join("<br>");
  }

  /* ---- the child's age on a date ---- */
  var DAY = 86400000;
  function parseDate(text) { return new Date(String(text).replace(" ", "T")); }
  function iso(d) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }
  function monthBirthday(born, months) {
    var d = new Date(born.getFullYear(), born.getMonth() + months, 1);
    var last = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
    return new Date(d.getFullYear(), d.getMonth(), Math.min(born.getDate(), last));
  }
  function ageParts(born, d) {
    if (d < born) { return null; }
    var months = (d.getFullYear() - born.getFullYear()) * 12 + d.getMonth() - born.getMonth();
    if (monthBirthday(born, months) > d) { months -= 1; }
    var days = Math.round((d - monthBirthday(born, months)) / DAY);
    return [Math.floor(months / 12), months % 12, days];
  }

  function start(DATA) {
    var rows = DATA.rows;

    /* ---- hover text of every marker, from the table's rows ---- */
    function recordHover(i) {
      var r = rows[i];
      var when = r[0] + (r[1] ? " " + r[1] : "");
      return "<b>" + esc(when) + "</b> [" + esc(DATA.precision[i]) + "]" + (r[2] ? " \u00b7 age " + esc(r[2]) : "") +
        "<br>" + esc(r[3]) + " \u00b7 " + esc(r[4]) + "<br>" + excerpt(r[5], 70, 3) +
        (r[6] ? "<br><b>Outcome:</b> " + excerpt(r[6], 70, 2) : "") + "<br><i>" + esc(r[8]) + "</i>" +
        (DATA.lag && DATA.lag[i] ? "<br><i>" + esc(DATA.lag[i]) + "</i>" : "");
    }
    /* "+3 d" after a member's citation: how long after the event's first record it was made. */
    function lagNote(m) {
      var text = DATA.lag && DATA.lag[m];
      var days = text ? /(\d+) day/.exec(text) : null;
      return days ? " (+" + days[1] + " d)" : "";
    }
    /* One real event: its first record's date, who recorded it, its description and (up to 4) citations. */
    function eventHover(i, members, desc) {
      var agencies = [];
      members.forEach(function (m) { if (agencies.indexOf(rows[m][3]) < 0) { agencies.push(rows[m][3]); } });
      var n = members.length;
      var cites = members.slice(0, 4).map(function (m) { return esc(rows[m][8]) + lagNote(m); }).join("<br>") +
        (n > 4 ? "<br>\u2026" : "");
      return "<b>" + esc(rows[i][0]) + "</b> [" + esc(DATA.precision[i]) + "]<br>Recorded by " +
        esc(agencies.join(", ")) + " (" + n + " record" + (n !== 1 ? "s" : "") + ")<br>" +
        excerpt(typeof desc === "number" ? rows[desc][5] : desc, 70, 3) + "<br><i>" + cites + "</i>";
    }
    DATA.figure.data.forEach(function (t) {
      var m = t.meta;
      if (!m || !m.rows) { return; }
      t.text = m.members
        ? m.rows.map(function (i, k) { return eventHover(i, m.members[k], m.desc[k]); })
        : m.rows.map(recordHover);
      /* Done with: plotly would otherwise copy them with the trace at every redraw. */
      delete m.rows;
      delete m.members;
      delete m.desc;
    });

    /* ---- findings panel: one button per finding, put in the page once the plot is drawn ---- */
    var list = document.getElementById("finding-list");
    var buttons = [];
    var panel = document.createDocumentFragment();
    function textSpan(cls, text) {
      var s = document.createElement("span");
      s.className = cls;
      s.textContent = text;
      return s;
    }
    /* Most severe first; within a severity, in date order (as the page holds them). */
    var SEV_RANK = { high: 0, medium: 1, low: 2 };
    var panelRows = DATA.panel.map(function (f, i) { return [f, i]; });
    panelRows.sort(function (a, b) {
      var ra = a[0][1] in SEV_RANK ? SEV_RANK[a[0][1]] : 3, rb = b[0][1] in SEV_RANK ? SEV_RANK[b[0][1]] : 3;
      return ra - rb || a[1] - b[1];
    });
    var panelItems = [];
    if (list) {
      panelRows.map(function (r) { return r[0]; }).forEach(function (f) {
        /* [id, severity, kind, title, period, statement] */
        var b = document.createElement("button");
        b.type = "button";
        b.className = "finding sev-" + (["high", "medium", "low"].indexOf(f[1]) >= 0 ? f[1] : "low");
        b.setAttribute("data-finding", f[0]);
        b.setAttribute("aria-pressed", "false");
        b.appendChild(textSpan("fid", f[0]));
        b.appendChild(document.createTextNode(" "));
        b.appendChild(textSpan("sev", f[1]));
        b.appendChild(document.createTextNode(" \u00b7 " + f[2]));
        b.appendChild(textSpan("ftitle", f[3]));
        b.appendChild(textSpan("fperiod", f[4]));
        b.appendChild(textSpan("fstatement", f[5]));
        var li = document.createElement("li");
        li.appendChild(b);
        buttons.push(b);
        panelItems.push([li, f]);
      });
    }

    /* ---- the panel's lines: findings of one concern or handoff (one per agency) under one line ---- */
    var groupOf = {}, groupItems = [];
    (DATA.groups || []).forEach(function (g, n) { g[0].forEach(function (id) { groupOf[id] = n; }); });
    var placed = {};
    panelItems.forEach(function (item) {
      var n = groupOf[item[1][0]];
      if (n === undefined) { panel.appendChild(item[0]); return; }
      if (!placed[n]) {
        /* [finding ids, severity, kind, title, period] */
        var g = DATA.groups[n];
        var head = document.createElement("button");
        head.type = "button";
        head.className = "finding-group sev-" + (["high", "medium", "low"].indexOf(g[1]) >= 0 ? g[1] : "low");
        head.setAttribute("aria-expanded", "false");
        head.setAttribute("aria-controls", "group-" + n);
        head.appendChild(textSpan("sev", g[1]));
        head.appendChild(document.createTextNode(" \u00b7 " + g[2] + " \u00b7 "));
        head.appendChild(textSpan("fcount", g[0].length + " findings"));
        head.appendChild(textSpan("ftitle", g[3]));
        head.appendChild(textSpan("fperiod", g[4]));
        var members = document.createElement("ol");
        members.id = "group-" + n;
        members.className = "members";
        members.hidden = true;
        var gli = document.createElement("li");
        gli.className = "group";
        gli.appendChild(head);
        gli.appendChild(members);
        panel.appendChild(gli);
        placed[n] = [gli, head, members, []];
        groupItems.push(placed[n]);
      }
      placed[n][2].appendChild(item[0]);
      placed[n][3].push(item);
    });

    /* ---- findings filters: kind, severity, status ---- */
    var ffKind = document.getElementById("ff-kind");
    var ffSeverity = document.getElementById("ff-severity");
    var ffStatus = document.getElementById("ff-status");
    var ffCount = document.getElementById("ff-count");
    function distinct(k) {
      var seen = [];
      panelRows.forEach(function (r) { if (r[0][k] && seen.indexOf(r[0][k]) < 0) { seen.push(r[0][k]); } });
      return seen;
    }
    function filterFindings() {
      var kind = ffKind.value, severity = ffSeverity.value, st = ffStatus.value, n = 0;
      panelItems.forEach(function (item) {
        var f = item[1];
        var show = (!kind || f[2] === kind) && (!severity || f[1] === severity) && (!st || f[6] === st);
        item[0].hidden = !show;
        if (show) { n += 1; }
      });
      groupItems.forEach(function (g) {
        var shown = g[3].filter(function (item) { return !item[0].hidden; }).length;
        g[0].hidden = shown === 0;
        g[1].querySelector(".fcount").textContent = shown === g[3].length ? shown + " findings" :
          shown + " of " + g[3].length + " findings";  /* a line holds two or more */
      });
      ffCount.textContent = n === panelItems.length ? panelItems.length + " findings" :
        "Showing " + n + " of " + panelItems.length + " findings";
    }
    if (ffKind) {
      [[ffKind, 2], [ffSeverity, 1], [ffStatus, 6]].forEach(function (pair) {
        distinct(pair[1]).forEach(function (v) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = v;
          pair[0].appendChild(o);
        });
        pair[0].addEventListener("change", filterFindings);
      });
      filterFindings();
    }

    /* ---- timeline ---- */
    /* The panel goes in once the plot is drawn: a long panel in the page while plotly measures the
       plot is laid out again at every measure (a 10k-record case with 4,000 findings: 10 s to 5.5 s). */
    Plotly.newPlot(plot, DATA.figure.data, DATA.figure.layout, DATA.config).then(function () {
      if (list) { list.appendChild(panel); }
      if (status.textContent === READING) { status.textContent = ""; }
      setUpDensity();
      window.__plotReady = T.ready = performance.now();
      if (DATA.dob) {
        plot.on("plotly_relayout", function (ev) {
          var keys = Object.keys(ev || {});
          if (keys.some(function (k) { return k.indexOf("xaxis.") === 0; })) { updateAgeAxis(); }
        });
      }
    }, function (err) {
      if (list) { list.appendChild(panel); }
      fail("The timeline could not be drawn (" + err + "); the findings and the table below are complete.");
      if (window.console) { console.error(err); }
    });

    /* ---- many records: the weekly density strip until a zoom holds few enough to draw one by one ---- */
    function setUpDensity() {
      var data = plot.data, density = -1, xs = [];
      var HIDE = { records: 1, events: 1, connectors: 1, ranges: 1 };
      data.forEach(function (t, i) {
        var role = t.meta && t.meta.role;
        if (role === "density") { density = i; }
        if (role === "records") { xs = xs.concat(t.x); }
      });
      if (density < 0) { return; }
      xs.sort();
      var limit = data[density].meta.threshold;
      var menu = DATA.figure.layout.updatemenus[0];
      var dense = true;
      function lowerBound(v) {
        var lo = 0, hi = xs.length;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (xs[mid] < v) { lo = mid + 1; } else { hi = mid; } }
        return lo;
      }
      function apply() {
        var range = plot._fullLayout.xaxis.range.map(String);
        var inView = lowerBound(range[1]) - lowerBound(range[0]);
        var now = inView > limit;
        if (now === dense) { return; }
        dense = now;
        var active = plot._fullLayout.updatemenus[0].active || 0;
        var visible = menu.buttons[active].args[0].visible.map(function (v, i) {
          var role = data[i].meta && data[i].meta.role;
          if (i === density) { return dense; }
          return dense && HIDE[role] ? false : v;
        });
        Plotly.restyle(plot, { visible: visible });
        status.textContent = dense ? "Too many records in view to draw one by one (" + inView +
          "): records per week shown; zoom in for each record." : "";
      }
      plot.on("plotly_relayout", apply);
      /* A view button shows its markers: once it has, put the density back if the view still holds too many. */
      plot.on("plotly_buttonclicked", function () { setTimeout(function () { dense = false; apply(); }, 0); });
      status.textContent = "Records per week shown (" + xs.length + " records); zoom in for each record.";
    }

    /* ---- the child's age on the top axis, re-ticked for the visible period ---- */
    function updateAgeAxis() {
      var range = plot._fullLayout.xaxis.range;
      var r0 = parseDate(range[0]), r1 = parseDate(range[1]);
      var born = parseDate(DATA.dob);
      var span = (r1 - r0) / DAY;
      var vals = [], texts = [];
      if (span > 70) {
        var step = [1, 2, 3, 6, 12, 24, 60].find(function (s) { return span / 30.44 / s <= 8; }) || 120;
        var k = Math.max(0, Math.floor(((r0 - born) / DAY / 30.44) / step) * step);
        for (var d = monthBirthday(born, k); d <= r1; k += step, d = monthBirthday(born, k)) {
          if (d >= r0) { vals.push(iso(d)); texts.push(k === 0 ? "birth" : "age " + Math.floor(k / 12) + "y " + (k % 12) + "m"); }
        }
      } else {
        var dstep = [1, 2, 7, 14].find(function (s) { return span / s <= 8; }) || 28;
        for (var t = new Date(r0.getFullYear(), r0.getMonth(), r0.getDate() + 1); t <= r1; t = new Date(t.getFullYear(), t.getMonth(), t.getDate() + dstep)) {
          var a = ageParts(born, t);
          vals.push(iso(t));
          texts.push(a ? "age " + a[0] + "y " + a[1] + "m " + a[2] + "d" : "before birth");
        }
      }
      Plotly.relayout(plot, { "xaxis2.tickvals": vals, "xaxis2.ticktext": texts });
    }

    /* ---- selecting a finding ---- */
    function select(button) {
      var f = DATA.findings[button.getAttribute("data-finding")];
      if (!f) { return; }
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
      Plotly.restyle(plot, { x: [f.px], y: [f.py] }, [DATA.highlight]);
      Plotly.relayout(plot, { "xaxis.range": [f.x0, f.x1], "xaxis.autorange": false });
      var title = button.querySelector(".ftitle").textContent;
      status.textContent = "Showing " + button.getAttribute("data-finding") + ": " + title +
        " (" + f.px.length + " record" + (f.px.length === 1 ? "" : "s") + " ringed).";
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () { select(b); });
    });
    /* A line of several findings: open it, and show all their records at once. */
    function selectGroup(g) {
      var open = g[1].getAttribute("aria-expanded") !== "true";
      g[1].setAttribute("aria-expanded", open ? "true" : "false");
      g[2].hidden = !open;
      if (!open) { return; }  /* closing a line leaves the plot and the selection as they are */
      var px = [], py = [], x0 = null, x1 = null, ringed = {};
      g[3].forEach(function (item) {
        var f = DATA.findings[item[1][0]];
        if (!f || item[0].hidden) { return; }  /* the findings the filters show */
        f.px.forEach(function (x, k) {
          var key = x + "\u0000" + f.py[k];
          if (!ringed[key]) { ringed[key] = true; px.push(x); py.push(f.py[k]); }
        });
        if (x0 === null || f.x0 < x0) { x0 = f.x0; }
        if (x1 === null || f.x1 > x1) { x1 = f.x1; }
      });
      if (x0 === null) { return; }
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      Plotly.restyle(plot, { x: [px], y: [py] }, [DATA.highlight]);
      Plotly.relayout(plot, { "xaxis.range": [x0, x1], "xaxis.autorange": false });
      var shown = g[3].filter(function (item) { return !item[0].hidden; }).length;
      status.textContent = "Showing " + shown + (shown === 1 ? " finding: " : " findings: ") +
        g[1].querySelector(".ftitle").textContent +
        " (" + px.length + " record" + (px.length === 1 ? "" : "s") + " ringed).";
    }
    groupItems.forEach(function (g) {
      g[1].addEventListener("click", function () { selectGroup(g); });
    });
    document.getElementById("show-all").addEventListener("click", function () {
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      Plotly.restyle(plot, { x: [[]], y: [[]] }, [DATA.highlight]);
      Plotly.relayout(plot, { "xaxis.autorange": true });
      status.textContent = "Showing the whole chronology.";
    });

    /* ---- integrated chronology table ---- */
    var COL = { date: 0, time: 1, age: 2, agency: 3, type: 4, description: 5, outcome: 6, practitioner: 7, citation: 8 };
    var CLASSES = ["date", "time", "age", "agency", "type", "desc", "outcome", "prac", "cite"];
    var haystack = rows.map(function (r) {
      return (r[COL.description] + "\n" + r[COL.outcome] + "\n" + r[COL.practitioner] + "\n" + r[COL.citation]).toLowerCase();
    });
    var colours = {};
    DATA.agencies.forEach(function (a) { colours[a[0]] = a[1]; });
    var fAgency = document.getElementById("f-agency");
    var fType = document.getElementById("f-type");
    var fText = document.getElementById("f-text");
    var count = document.getElementById("f-count");
    var more = document.getElementById("more");
    var tbody = document.querySelector("#chronology tbody");
    function addOptions(select, values) {
      values.forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      });
    }
    addOptions(fAgency, DATA.agencies.map(function (a) { return a[0]; }));
    addOptions(fType, DATA.types);

    var matches = [];
    var shown = 0;
    function renderMore() {
      var frag = document.createDocumentFragment();
      var stop = Math.min(matches.length, shown + PAGE);
      for (var i = shown; i < stop; i++) {
        var r = rows[matches[i]];
        var tr = document.createElement("tr");
        for (var c = 0; c < r.length; c++) {
          var td = document.createElement("td");
          td.className = CLASSES[c];
          td.textContent = r[c];
          if (c === COL.agency && colours[r[c]]) { td.style.borderLeftColor = colours[r[c]]; }
          tr.appendChild(td);
        }
        frag.appendChild(tr);
      }
      tbody.appendChild(frag);
      shown = stop;
      more.hidden = shown >= matches.length;
      count.textContent = "Showing " + shown + " of " + matches.length + " records" +
        (matches.length < rows.length ? " (filtered from " + rows.length + ")" : "");
    }
    function applyFilters() {
      var agency = fAgency.value;
      var type = fType.value;
      var text = fText.value.trim().toLowerCase();
      var scoped = fScope && fScope.checked && DATA.inScope;
      matches = [];
      for (var i = 0; i < rows.length; i++) {
        if (scoped && !DATA.inScope[i]) { continue; }
        if (agency && rows[i][COL.agency] !== agency) { continue; }
        if (type && rows[i][COL.type] !== type) { continue; }
        if (text && haystack[i].indexOf(text) < 0) { continue; }
        matches.push(i);
      }
      tbody.textContent = "";
      shown = 0;
      renderMore();
    }
    var timer = null;
    var fScope = document.getElementById("f-scope");
    if (fScope && DATA.inScope) {
      document.getElementById("f-scope-label").hidden = false;
      fScope.addEventListener("change", applyFilters);
    }
    fAgency.addEventListener("change", applyFilters);
    fType.addEventListener("change", applyFilters);
    fText.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(applyFilters, 150);
    });
    more.addEventListener("click", renderMore);
    applyFilters();
    T.table = performance.now();

    /* ---- paper: every row of the table, and the timeline drawn at the width of an A4 landscape page ---- */
    var PRINT_WIDTH = 1040, PRINT_HEIGHT = 680;
    var screenSize = null;
    Array.prototype.forEach.call(document.querySelectorAll("button.pack-records"), function (b) {
      b.addEventListener("click", function () {
        fAgency.value = b.getAttribute("data-agency");
        applyFilters();
        document.getElementById("table-h").scrollIntoView();
      });
    });

    function beforePrint() {
      Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
      if (ffKind) { ffKind.value = ffSeverity.value = ffStatus.value = ""; filterFindings(); }  /* every finding on paper */
      groupItems.forEach(function (g) { g[2].hidden = false; g[1].setAttribute("aria-expanded", "true"); });
      while (shown < matches.length) { renderMore(); }
      if (screenSize || !plot._fullLayout) { return; }
      var layout = DATA.figure.layout, legend = layout.legend || {};
      screenSize = { width: layout.width || null, height: layout.height || null };
      ["orientation", "x", "y", "xanchor", "yanchor"].forEach(function (k) {
        screenSize["legend." + k] = legend[k] === undefined ? null : legend[k];
      });
      /* The legend goes under the plot, in rows across the page: a side legend is cut off on paper. */
      Plotly.relayout(plot, { width: PRINT_WIDTH, height: Math.min(plot._fullLayout.height, PRINT_HEIGHT),
        "legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left", "legend.y": -0.12, "legend.yanchor": "top" });
    }
    function afterPrint() {
      if (!screenSize) { return; }
      var size = screenSize;
      screenSize = null;
      size.autosize = true;
      Plotly.relayout(plot, size);
    }
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    if (window.matchMedia) {
      var paper = window.matchMedia("print");
      var onChange = function (e) { if (e.matches) { beforePrint(); } else { afterPrint(); } };
      if (paper.addEventListener) { paper.addEventListener("change", onChange); } else if (paper.addListener) { paper.addListener(onChange); }
    }
    window.__preparePrint = beforePrint;  /* for tests and for printing from a script */
  }
})();
