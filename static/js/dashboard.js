/*
 * Supervisor dashboards: draw every <canvas data-chart="ID"> with Chart.js from the JSON
 * in <script type="application/json" id="ID"> (Django's json_script; no inline JS: CSP),
 * or from its data-chart-json attribute in parts that htmx replaces.
 * The live board is replaced by htmx every 5 s: charts whose canvas left the page are
 * destroyed and new canvases are drawn after each swap (htmx.onLoad).  Animations are off, so the
 * refresh does not flicker and people who prefer reduced motion get no motion.
 */
(function () {
  "use strict";

  var Chart = window.Chart;
  if (!Chart) {
    return;
  }
  var PALETTE = ["#0066cc", "#d9364f", "#008055", "#a35200", "#5c2d91", "#00838f", "#5c6f82", "#b3006b", "#2e7d32", "#6d4c41"];
  var charts = [];

  // From json_script (data-chart="ID") on full pages, or from data-chart-json on htmx-swapped
  // parts, where htmx (allowScriptTags = false) removes every <script>, JSON ones included.
  function readConfig(canvas) {
    var text = canvas.getAttribute("data-chart-json");
    if (text === null) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      text = source ? source.textContent : null;
    }
    if (!text) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  function colourise(config) {
    var perPoint = config.type === "doughnut" || config.type === "pie";
    config.datasets.forEach(function (dataset, index) {
      if (perPoint) {
        dataset.backgroundColor = dataset.data.map(function (_v, i) { return PALETTE[i % PALETTE.length]; });
      } else {
        dataset.backgroundColor = PALETTE[index % PALETTE.length];
        dataset.borderColor = PALETTE[index % PALETTE.length];
      }
    });
    if (typeof config.peak === "number" && config.datasets.length) {
      // The peak day is marked by a darker outline on every stacked segment of that day.
      config.datasets.forEach(function (dataset) {
        dataset.borderWidth = dataset.data.map(function (_v, i) { return i === config.peak ? 3 : 0; });
        dataset.borderColor = "#1a1a1a";
      });
    }
  }

  function options(config) {
    var result = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: !config.spark && (config.datasets.length > 1 || config.type === "doughnut") } },
      scales: {}
    };
    if (config.spark) {
      result.plugins.tooltip = { enabled: true };
      result.scales = { x: { display: false }, y: { display: false, beginAtZero: true } };
      result.elements = { point: { radius: 0 } };
    } else if (config.type === "bubble") {
      var days = config.yLabels || [];
      // Half a step of margin around the grid, ticks on whole hours and weekdays only.
      var wholeTicks = function (count) {
        return function (scale) {
          scale.ticks = [];
          for (var i = 0; i < count; i += 1) {
            scale.ticks.push({ value: i });
          }
        };
      };
      result.scales = {
        x: { min: -0.5, max: 23.5, afterBuildTicks: wholeTicks(24), ticks: { callback: function (value) { return (value < 10 ? "0" : "") + value; } } },
        y: { min: -0.5, max: 6.5, reverse: true, afterBuildTicks: wholeTicks(7), ticks: { callback: function (value) { return days[value] || ""; } } }
      };
      result.plugins.tooltip = { callbacks: { label: function (item) { return (days[item.raw.y] || "") + " " + item.raw.x + ":00 — " + item.raw.v; } } };
    } else if (config.type !== "doughnut") {
      result.scales = { x: { stacked: !!config.stacked }, y: { stacked: !!config.stacked, beginAtZero: true } };
    }
    return result;
  }

  function draw(root) {
    charts = charts.filter(function (chart) {
      if (!document.body.contains(chart.canvas)) {
        chart.destroy();
        return false;
      }
      return true;
    });
    (root || document).querySelectorAll("canvas[data-chart], canvas[data-chart-json]").forEach(function (canvas) {
      if (Chart.getChart(canvas)) {
        return;
      }
      var config = readConfig(canvas);
      if (!config) {
        return;
      }
      colourise(config);
      charts.push(new Chart(canvas, {
        type: config.type,
        data: { labels: config.labels, datasets: config.datasets },
        options: options(config)
      }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // htmx.onLoad runs for every piece of content htmx inserts (an outerHTML swap fires its
  // settle events on the detached old element, which no longer bubbles to the document).
  if (window.htmx) {
    window.htmx.onLoad(function () { draw(document); });
  }
})();
