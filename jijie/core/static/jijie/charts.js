// Charts drawn from data the page carries: an element with data-chart="ID" gets a line
// chart of the JSON in <script id="ID">: {"days": [...], "series": [[name, [values]], ...]};
// one with data-map="ID" a map of the outlines and figures in it (reports.selectors.Map):
// each community coloured by its figure, named on hover or tap, its report a click away.
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
  // Low to high; a map whose high end is the bad one reads the other way.
  var GOOD_TO_BAD = ["#1a9850", "#fee08b", "#d73027"];
  function drawMap(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var encode = window.echarts.format.encodeHTML;
    window.echarts.registerMap(el.dataset.map, data.geojson);
    var tallest = el.clientHeight; // the style sheet's height: the most the map takes
    var box = fit(el, data, tallest);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var few = data.data.length <= 12;
    chart.setOption({
      // Drawn at once where it stays: a tap lands on the community it sees.
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var value = p.data && p.data.value !== null ? p.data.value + data.unit : data.no_data;
          return encode(p.data ? p.data.label : p.name) + "<br>" + encode(data.indicator) + " " + encode(value);
        },
      },
      visualMap: {
        type: "continuous",
        min: 0,
        max: data.max,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        text: [data.max + data.unit, "0"],
        calculable: false,
        inRange: { color: data.high_is_bad ? GOOD_TO_BAD : GOOD_TO_BAD.slice().reverse() },
      },
      series: [Object.assign(box, {
        type: "map",
        map: el.dataset.map,
        aspectScale: data.aspect,
        selectedMode: false,
        label: { show: few, fontSize: 12, color: "#222222", formatter: function (p) { return p.data ? p.data.label : ""; } },
        itemStyle: { areaColor: "#d9d9d9", borderColor: "#ffffff", borderWidth: 1 },
        // The one under the finger keeps its colour (a yellow highlight would read as a
        // figure on the scale), outlined.
        emphasis: {
          label: { show: true },
          itemStyle: { areaColor: "inherit", borderColor: "#333333", borderWidth: 2 },
        },
        data: data.data,
      })],
    });
    // A touch has no hover: the first tap on a community shows its name and figure,
    // a second opens its report. A mouse's click opens it at once.
    var armed = null;
    chart.on("click", function (p) {
      if (!p.data || !p.data.href) return;
      var native = p.event && p.event.event;
      var touch = native && (native.pointerType === "touch" || /^touch/.test(native.type));
      if (touch && armed !== p.name) {
        armed = p.name;
        return;
      }
      window.location.href = p.data.href;
    });
    window.addEventListener("resize", function () {
      chart.setOption({ series: [fit(el, data, tallest)] });
      chart.resize();
    });
  }
  // The map as large as the element's width and `tallest` allow, as wide for its height
  // as the ground is (ECharts stretches a map given all four sides), centred above the
  // colour scale; the element then takes the map's height, so a wide district on a
  // phone leaves no blank under it.
  function fit(el, data, tallest) {
    var west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
    data.geojson.features.forEach(function (f) {
      var polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      polygons.forEach(function (rings) {
        rings[0].forEach(function (p) {
          west = Math.min(west, p[0]); east = Math.max(east, p[0]);
          south = Math.min(south, p[1]); north = Math.max(north, p[1]);
        });
      });
    });
    var ratio = ((east - west) * data.aspect) / Math.max(north - south, 1e-9);
    var room = { width: el.clientWidth - 16, height: tallest - 56 };
    var width = Math.min(room.width, room.height * ratio);
    var height = width / ratio;
    el.style.height = Math.ceil(height + 56) + "px";
    return { left: (el.clientWidth - width) / 2, top: 8, width: width, height: height };
  }
  function ready() {
    document.querySelectorAll("[data-chart]").forEach(draw);
    document.querySelectorAll("[data-map]").forEach(drawMap);
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
