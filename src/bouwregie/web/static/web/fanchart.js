// Draws the forecast's fan chart (P10–P90 band, P50 line, the yearly agreement, and the scenario's band)
// from the JSON the page rendered with json_script. The table under it holds the same numbers.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-fanchart]").forEach(function (canvas) {
    var data = JSON.parse(document.getElementById(canvas.dataset.fanchart).textContent);
    var text = data.labels_text;
    function band(values, color, label) {
      return [
        { label: label, data: values[0], borderColor: color, backgroundColor: "transparent", borderWidth: 1,
          pointRadius: 0, fill: false },
        { label: label + " ", data: values[1], borderColor: color, backgroundColor: color + "33", borderWidth: 1,
          pointRadius: 0, fill: "-1" }
      ];
    }
    var datasets = band(data.band, "#154273", text.band).concat([
      { label: text.median, data: data.median, borderColor: "#154273", backgroundColor: "#154273", borderWidth: 3,
        fill: false }
    ]);
    if (data.scenario_band) {
      datasets = datasets.concat(band(data.scenario_band, "#e17000", text.scenario_band), [
        { label: text.scenario_median, data: data.scenario_median, borderColor: "#e17000", backgroundColor: "#e17000",
          borderWidth: 3, borderDash: [6, 4], fill: false }
      ]);
    }
    if (data.target) {
      datasets.push({ label: text.target, data: data.target, borderColor: "#39870c", backgroundColor: "#39870c",
                      borderWidth: 2, borderDash: [2, 3], pointRadius: 0, fill: false, spanGaps: false });
    }
    // The agreement line must sit inside the drawing, not on its top edge (issue #19): room above the highest
    // of the bands and the agreement.
    var highest = 0;
    datasets.forEach(function (d) {
      d.data.forEach(function (v) { if (v !== null && v > highest) { highest = v; } });
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, suggestedMax: Math.ceil(highest * 1.12) } },
        plugins: { legend: { labels: { filter: function (item) { return item.text.slice(-1) !== " "; } } } },
        locale: document.documentElement.lang === "en" ? "en-GB" : "nl-NL"
      }
    });
    canvas.dataset.ready = String(datasets.length);
  });
})();
