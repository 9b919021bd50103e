// Charts of the console pages.  Every chart reads its data from a JSON block in the page;
// the tables beside them carry the same numbers without JavaScript.
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id + "-data");
    return node ? JSON.parse(node.textContent) : null;
  }
  function chart(id) {
    var node = document.getElementById(id);
    return node && window.echarts ? window.echarts.init(node, null, {renderer: "canvas"}) : null;
  }
  function perDay() {
    var d = data("per-day"), c = chart("per-day");
    if (!d || !c) { return; }
    c.setOption({
      animation: false, tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 4},
      grid: {left: 40, right: 20, top: 40, bottom: 30},
      xAxis: {type: "category", data: d.days}, yAxis: {type: "value", minInterval: 1},
      series: d.series.map(function (s) { return {name: s.name, type: "bar", stack: "all", data: s.data}; })
    });
  }
  function warningsOverTime() {
    var d = data("per-day"), c = chart("warnings-time");
    if (!d || !c || !d.warnings) { return; }
    c.setOption({
      animation: false, tooltip: {trigger: "axis"},
      grid: {left: 40, right: 20, top: 20, bottom: 30},
      xAxis: {type: "time"}, yAxis: {type: "value", minInterval: 1},
      series: [{name: "warnings", type: "bar", barMaxWidth: 14, data: d.warnings, color: "#8a5300"}]
    });
  }
  function durations() {
    var d = data("durations"), c = chart("durations");
    if (!d || !c) { return; }
    c.setOption({
      animation: false, tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 4},
      grid: {left: 40, right: 20, top: 40, bottom: 30},
      xAxis: {type: "category", data: d.buckets}, yAxis: {type: "value", minInterval: 1},
      series: d.series.map(function (s) { return {name: s.name, type: "bar", data: s.data}; })
    });
  }
  function calendar() {
    var d = data("calendar"), c = chart("calendar");
    if (!d || !c) { return; }
    var days = d.calendar, end = days.length ? days[days.length - 1][0] : new Date().toISOString().slice(0, 10);
    var start = new Date(new Date(end).getTime() - 364 * 86400000).toISOString().slice(0, 10);
    var top = days.reduce(function (m, x) { return Math.max(m, x[1]); }, 1);
    c.setOption({
      animation: false, tooltip: {formatter: function (p) { return p.value[0] + ": " + p.value[1]; }},
      visualMap: {min: 0, max: top, show: false, inRange: {color: ["#e0ecff", "#0b57d0", "#8a1c1c"]}},
      calendar: {range: [start, end], cellSize: ["auto", 14], left: 40, right: 20, top: 30,
                 yearLabel: {show: false}},
      series: [{type: "heatmap", coordinateSystem: "calendar", data: days}]
    });
  }
  document.addEventListener("DOMContentLoaded", function () { perDay(); warningsOverTime(); durations(); calendar(); });
  window.addEventListener("resize", function () {
    ["per-day", "warnings-time", "durations", "calendar"].forEach(function (id) {
      var node = document.getElementById(id);
      var c = node && window.echarts ? window.echarts.getInstanceByDom(node) : null;
      if (c) { c.resize(); }
    });
  });
}());
