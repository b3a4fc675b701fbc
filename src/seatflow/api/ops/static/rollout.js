// Draws each <figure data-chart='{"x": [...], "series": [{"label", "values"}]}'> with uPlot.
// The server shapes the data (api/ops/rollout_view.py); this only hands it to the library.
(function () {
  "use strict";
  var palette = ["#2f6fdf", "#d9822b", "#2a9d5c", "#c23b3b", "#7b5cc4", "#8c6d31", "#1f9bb3", "#d45fa0",
                 "#6b7a8f", "#b5a642"];

  function draw(figure) {
    var data = JSON.parse(figure.dataset.chart);
    if (!data.x.length) { return; }
    var rate = data.unit === "rate";
    var series = [{}].concat(data.series.map(function (s, i) {
      return {
        label: s.label, stroke: palette[i % palette.length], width: 2, spanGaps: false,
        points: { show: true, size: 5 },
        value: function (u, v) { return v == null ? "—" : rate ? (v * 100).toFixed(1) + "%" : v; },
      };
    }));
    var options = {
      width: Math.max(320, figure.clientWidth - 8), height: 220, series: series,
      scales: { x: { time: true, range: data.span }, y: rate ? { range: [0, 1] } : { auto: true } },
      axes: [{}, { label: data.unit, values: rate ? function (u, ticks) {
        return ticks.map(function (t) { return Math.round(t * 100) + "%"; });
      } : undefined }],
    };
    new uPlot(options, [data.x].concat(data.series.map(function (s) { return s.values; })), figure);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure.chart[data-chart]").forEach(draw);
  });
})();
