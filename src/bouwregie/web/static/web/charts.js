// Draws every <canvas data-chart="id"> from the JSON the page rendered with json_script. The same
// numbers are in the table under each chart, so nothing depends on this script running.
// Every label is shown (issue #19): no skipped ticks, long labels wrapped over lines; horizontal bars for
// charts with many long labels (the pipeline by phase has 13). The box around the canvas sets its height.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#154273", "#e17000", "#39870c", "#a90061", "#8fcae7", "#ffb612"];
  var english = document.documentElement.lang === "en";
  var numbers = new Intl.NumberFormat(english ? "en-GB" : "nl-NL");

  // "Principebesluit / intentieovereenkomst" -> ["Principebesluit /", "intentieovereenkomst"]
  function wrap(label, width) {
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : String(label);
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var horizontal = Boolean(canvas.dataset.horizontal);
    var datasets = data.series.map(function (s, i) {
      var line = s.type === "line";
      return { label: s.label, data: s.values, type: s.type || "bar", backgroundColor: palette[i % palette.length],
               borderColor: palette[i % palette.length], order: line ? 0 : 1, borderWidth: line ? 3 : 0,
               pointRadius: line ? 3 : 0, spanGaps: false };
    });
    var highest = 0;
    data.series.forEach(function (s) {
      s.values.forEach(function (v) { if (v !== null && v > highest) { highest = v; } });
    });
    var valueAxis = { beginAtZero: true, suggestedMax: highest * 1.08,
                      ticks: { callback: function (v) { return numbers.format(v); } } };
    var labelAxis = { ticks: { autoSkip: false, maxRotation: horizontal ? 0 : 50 } };
    var scales = horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels.map(function (l) { return wrap(l, horizontal ? 22 : 16); }), datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
                 scales: scales,
                 plugins: { legend: { display: datasets.length > 1 } },
                 locale: english ? "en-GB" : "nl-NL" }
    });
    canvas.dataset.ready = String(datasets.length);
  });
})();
