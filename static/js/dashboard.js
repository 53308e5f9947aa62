/*
 * Supervisor dashboards: draw every <canvas data-chart="ID"> with Chart.js from the JSON
 * in <script type="application/json" id="ID"> (Django's json_script; no inline JS: CSP).
 * The live board is replaced by htmx every 5 s: charts whose canvas left the page are
 * destroyed and new canvases are drawn after each swap.  Animations are off, so the
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

  function readConfig(id) {
    var source = document.getElementById(id);
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
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
      result.scales = {
        x: { min: -0.5, max: 23.5, ticks: { stepSize: 1 } },
        y: { min: -0.5, max: 6.5, reverse: true, ticks: { stepSize: 1, callback: function (value) { return days[value] || ""; } } }
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
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (Chart.getChart(canvas)) {
        return;
      }
      var config = readConfig(canvas.getAttribute("data-chart"));
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
  document.body.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
