// Doorway's own script. Kept in a file: the Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});

// ---- Evaluation charts (evaluation app) ------------------------------------------
// Each <canvas data-chart="ID"> is drawn from the JSON in <script id="ID"
// type="application/json"> that Django's json_script wrote. Chart.js is loaded (deferred)
// only on the pages that have charts; the table beside each chart has the same figures.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") {
    return;
  }
  const colours = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#6c757d"];
  const format = (unit) => (value) => {
    if (value === null || value === undefined) {
      return "";
    }
    if (unit === "%") {
      return `${value}%`;
    }
    if (unit === "$") {
      return `$${Number(value).toLocaleString("en-CA", { maximumFractionDigits: 0 })}`;
    }
    return value;
  };
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const datasets = spec.datasets.map((dataset, index) => {
      const colour = colours[index % colours.length];
      return {
        ...dataset,
        backgroundColor: spec.type === "radar" ? `${colour}33` : colour,
        borderColor: colour,
        spanGaps: true,
      };
    });
    const tick = format(spec.unit);
    const options = { responsive: true, animation: false, plugins: { legend: { display: datasets.length > 1 } } };
    if (spec.type === "radar") {
      options.scales = { r: { min: 0, max: spec.max || 10, ticks: { stepSize: 2 } } };
    } else {
      const value = { beginAtZero: true, stacked: Boolean(spec.stacked), ticks: { callback: tick } };
      if (spec.max) {
        value.max = spec.max;
      }
      const category = { stacked: Boolean(spec.stacked) };
      options.indexAxis = spec.horizontal ? "y" : "x";
      options.scales = spec.horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets }, options });
  });
});
