// The plant page: vis-timeline Gantt over grid-off bands, tank level (Graph2d) on the
// same time axis, drag-and-drop checked by the server. Times are plant-local wall-clock
// times given without an offset, so the browser draws the plant's clock whatever its zone.
(function () {
  "use strict";
  function start() {
    var t0 = performance.now();
    var data = JSON.parse(document.getElementById("plant-data").textContent);
    var opts = JSON.parse(document.getElementById("plant-opts").textContent);
    var items = new vis.DataSet(data.items);
    var groups = new vis.DataSet(data.groups);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var local = function (d) {
      d = new Date(d);
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
    };
    var timeline = null, tank = null;
    // vis-timeline keeps its root hidden (visibility) until a redraw *after* its initial
    // setWindow has settled (a "rangechanged" 200 ms later); nothing asked for that redraw
    // but its 1 s size watcher (only when the size changed), so the Gantt could stay blank
    // while the page said ready. A rollingMode that does not follow the clock skips that
    // initial setWindow (the window is already start..end) and shows the first draw at
    // once; the page is ready when vis-timeline says it is drawn and shown.
    function shown() {
      var drawn = performance.now();
      window.ingenioGantt = { timeline: timeline, tank: tank, items: items, drawn: drawn, build: drawn - t0 };
      document.body.setAttribute("data-gantt", "ready");
    }
    var options = {
      onInitialDrawComplete: shown,  // called from a timeout: timeline and tank are set
      rollingMode: { follow: false },
      stack: false, min: data.start, max: data.end, start: data.start,
      end: new Date(new Date(data.start).getTime() + 1.5 * 86400000),
      zoomMin: 3600000, orientation: "top", locale: opts.lang,
      editable: opts.can_move ? { updateTime: true, updateGroup: false, add: false, remove: false } : false,
      snap: function (date) { var m = 5 * 60000; return Math.round(date / m) * m; },
      onMove: function (item, callback) {
        callback(item);
        var panel = document.getElementById("move-panel");
        htmx.ajax("POST", "/plans/" + opts.plan_id + "/move", {
          target: panel, swap: "innerHTML",
          values: { order: item.order, step: item.step, line: item.group, start: local(item.start), plant: opts.plant }
        });
      }
    };
    timeline = new vis.Timeline(document.getElementById("gantt"), items, groups, options);
    if (data.tank.length) {
      tank = new vis.Graph2d(document.getElementById("tank"), new vis.DataSet(data.tank), {
        min: data.start, max: data.end, start: options.start, end: options.end, height: "160px",
        drawPoints: false, shaded: { orientation: "bottom" }, locale: opts.lang,
        dataAxis: { left: { range: { min: 0 } } }
      });
      // follow the user's pans and zooms only: a programmatic setWindow must not echo back
      timeline.on("rangechange", function (p) { if (p.byUser) { tank.setWindow(p.start, p.end, { animation: false }); } });
      tank.on("rangechange", function (p) { if (p.byUser) { timeline.setWindow(p.start, p.end, { animation: false }); } });
      timeline.on("rangechanged", function (p) { if (!p.byUser) { tank.setWindow(p.start, p.end, { animation: false }); } });
    }
    data.deliveries.forEach(function (d, i) { if (d.kind === "tanker") { timeline.addCustomTime(d.at, "fuel" + i); } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
