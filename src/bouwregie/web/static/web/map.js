// The map page (web/map_pages.py): municipalities coloured by a monitor figure in five classes of equal
// size (quantiles), projects of the chosen area as points or outlines. Tooltips and popups are built as DOM
// nodes (Leaflet parses a string as HTML), so names from the data are never parsed as HTML. The PDOK background is optional: without it (offline)
// the vector layers still work and a note says why the background is empty.
(function () {
  "use strict";
  var element = document.getElementById("kaart");
  if (!element || !window.L) return;
  var texts = JSON.parse(document.getElementById("kaart-teksten").textContent);
  var members = JSON.parse(document.getElementById("kaart-gebied").textContent);
  var language = document.documentElement.lang || "nl";
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var NO_DATA = "#d9d9d9";

  var map = L.map(element, { zoomSnap: 0.5 }).setView([52.15, 5.3], 7);
  var background = L.tileLayer(element.dataset.tiles, { attribution: texts.attribution, maxZoom: 19 });
  var warned = false;
  background.on("tileerror", function () {
    if (!warned) { warned = true; document.getElementById("kaart-offline").hidden = false; }
  });
  background.addTo(map);

  function format(value, kind) {
    if (value === null || value === undefined) return texts.noData;
    if (kind === "share") return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 }).format(value);
    return new Intl.NumberFormat(language).format(value);
  }

  // Class limits at the quintiles; repeated values (many municipalities at 0) give fewer, distinct classes.
  function breaks(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var result = [];
    for (var i = 1; i < COLOURS.length; i++) {
      var limit = sorted[Math.floor((i * sorted.length) / COLOURS.length)];
      if (limit > sorted[0] && result.indexOf(limit) < 0) result.push(limit);
    }
    return result;
  }

  function shade(i, limits) {
    return COLOURS[limits.length ? Math.round((i * (COLOURS.length - 1)) / limits.length) : COLOURS.length - 1];
  }

  function colour(value, limits) {
    if (value === null || value === undefined) return NO_DATA;
    var i = 0;
    while (i < limits.length && value >= limits[i]) i++;
    return shade(i, limits);
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function popup(title, lines, href) {
    var box = document.createElement("div");
    var heading = document.createElement("strong");
    heading.textContent = title;
    box.appendChild(heading);
    lines.forEach(function (text) { var p = document.createElement("div"); p.textContent = text; box.appendChild(p); });
    var link = document.createElement("a");
    link.href = href;
    link.textContent = texts.open;
    box.appendChild(link);
    return box;
  }

  function legend(limits, kind) {
    var box = document.getElementById("kaart-legenda");
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = texts.legend;
    box.appendChild(title);
    var list = document.createElement("ul");
    for (var i = 0; i <= limits.length; i++) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "br-swatch";
      swatch.style.background = shade(i, limits);
      item.appendChild(swatch);
      var from = i === 0 ? null : limits[i - 1];
      var to = i < limits.length ? limits[i] : null;
      var text = from === null && to === null ? "" : from === null ? "< " + format(to, kind)
        : to === null ? "≥ " + format(from, kind) : format(from, kind) + " – " + format(to, kind);
      item.appendChild(document.createTextNode(text));
      list.appendChild(item);
    }
    var none = document.createElement("li");
    var grey = document.createElement("span");
    grey.className = "br-swatch";
    grey.style.background = NO_DATA;
    none.appendChild(grey);
    none.appendChild(document.createTextNode(texts.noData));
    list.appendChild(none);
    box.appendChild(list);
  }

  function table(features, kind, label) {
    document.getElementById("kaart-maat").textContent = label;
    var body = document.querySelector("#kaart-tabel tbody");
    features.slice().sort(function (a, b) { return a.properties.name.localeCompare(b.properties.name, language); })
      .forEach(function (f) {
        var row = body.insertRow();
        var name = document.createElement("th");
        name.scope = "row";
        name.className = "utrecht-table__header-cell";
        var link = document.createElement("a");
        link.className = "utrecht-link";
        link.href = "/gebied/" + encodeURIComponent(f.properties.code);
        link.textContent = f.properties.name;
        name.appendChild(link);
        row.appendChild(name);
        var cell = row.insertCell();
        cell.className = "utrecht-table__cell br-number";
        cell.textContent = format(f.properties.value, kind);
      });
  }

  fetch(element.dataset.municipalities, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var kind = data.metric.kind;
      var values = data.features.map(function (f) { return f.properties.value; })
        .filter(function (v) { return v !== null && v !== undefined; });
      var limits = breaks(values);
      var inArea = {};
      members.forEach(function (code) { inArea[code] = true; });
      var layer = L.geoJSON(data, {
        style: function (f) {
          var chosen = inArea[f.properties.code];
          return { fillColor: colour(f.properties.value, limits), fillOpacity: 0.7, color: chosen ? "#000" : "#666",
                   weight: chosen ? 2.5 : 0.6 };
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(text(f.properties.name));
          l.bindPopup(popup(f.properties.name, [data.metric.label + ": " + format(f.properties.value, kind)],
                            "/gebied/" + encodeURIComponent(f.properties.code)));
        },
      }).addTo(map);
      layer.bringToBack();
      legend(limits, kind);
      table(data.features, kind, data.metric.label);
      if (members.length) {
        var chosen = L.featureGroup(layer.getLayers().filter(function (l) { return inArea[l.feature.properties.code]; }));
        if (chosen.getLayers().length) map.fitBounds(chosen.getBounds(), { padding: [20, 20] });
      }
      element.dataset.ready = "gemeenten";
    });

  if (element.dataset.projects) {
    fetch(element.dataset.projects, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        L.geoJSON(data, {
          pointToLayer: function (f, latlng) {
            var radius = Math.max(4, Math.min(14, Math.sqrt(f.properties.homes || 1)));
            return L.circleMarker(latlng, { radius: radius, color: "#8b0000", weight: 1, fillColor: "#e17000", fillOpacity: 0.8 });
          },
          style: function () { return { color: "#8b0000", weight: 2, fillColor: "#e17000", fillOpacity: 0.4 }; },
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindPopup(popup(p.name + " (" + p.code + ")",
                              [format(p.homes, "count") + " " + texts.homes, texts.planStatus + ": " + p.plan_status],
                              "/projecten/" + encodeURIComponent(p.code)));
          },
        }).addTo(map);
        element.dataset.projectCount = String(data.features.length);
      });
  }
})();
