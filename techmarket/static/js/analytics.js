// Charts of the statistics pages (analytics/dashboard.html): data comes from the json_script block
// "analytics-data", each chart's table is printed beside it, so nothing here is the only copy of a figure.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  function bar(el, chart, horizontal) {
    var inst = echarts.init(el);
    var category = { type: "category", data: chart.labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    inst.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 20, top: 20, bottom: 10, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: [{ type: "bar", data: chart.values, itemStyle: { color: "#0d6efd" } }],
    });
    return inst;
  }
  function line(el, chart) {
    var inst = echarts.init(el);
    inst.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 10, right: 20, top: 20, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: chart.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", data: chart.values, areaStyle: { opacity: 0.15 }, smooth: false }],
    });
    return inst;
  }
  function funnel(el, chart) {
    var inst = echarts.init(el);
    inst.setOption({
      tooltip: { trigger: "item" },
      series: [{
        // The last steps are narrow: their labels go to the right of the shape (with a guide line) instead of
        // inside it, where "已登记技术合同：1,027" overflowed the tip.
        type: "funnel", sort: "none", left: "4%", width: "56%", minSize: "12%",
        label: { show: true, position: "right", formatter: "{b}：{c}", overflow: "truncate", width: 220 },
        labelLine: { show: true, length: 12 },
        data: chart.labels.map(function (l, i) { return { name: l, value: chart.values[i] }; }),
      }],
    });
    return inst;
  }
  ready(function () {
    var source = document.getElementById("analytics-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    var f = document.getElementById("chart-funnel");
    if (f && data.funnel) charts.push(funnel(f, data.funnel));
    (data.charts || []).forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) return;
      if (c.kind === "series") charts.push(line(el, c));
      else charts.push(bar(el, c, c.labels.length > 8));
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
