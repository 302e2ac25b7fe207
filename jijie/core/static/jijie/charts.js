// Charts drawn from data the page carries: an element with data-chart="ID" gets a line
// chart of the JSON in <script id="ID">: {"days": [...], "series": [[name, [values]], ...]}.
// A "copy" button (data-copy="ID") copies that element's text.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value" },
      series: data.series.map(function (s) {
        return { name: s[0], type: "line", data: s[1], smooth: true, showSymbol: false };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function ready() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = document.getElementById(button.dataset.copy).textContent.trim();
    if (navigator.clipboard) navigator.clipboard.writeText(text);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
