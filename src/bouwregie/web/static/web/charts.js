// Draws every <canvas data-chart="id"> from the JSON the page rendered with json_script. The same
// numbers are in the table under each chart, so nothing depends on this script running.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#154273", "#e17000", "#39870c", "#a90061", "#8fcae7", "#ffb612"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var datasets = data.series.map(function (s, i) {
      return { label: s.label, data: s.values, type: s.type || "bar", backgroundColor: palette[i % palette.length],
               borderColor: palette[i % palette.length], order: s.type === "line" ? 0 : 1 };
    });
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: { responsive: true, animation: false, indexAxis: canvas.dataset.horizontal ? "y" : "x",
                 plugins: { legend: { display: datasets.length > 1 } },
                 locale: document.documentElement.lang === "en" ? "en-GB" : "nl-NL" }
    });
  });
})();
