/* Result page: draw the probability bar chart (Chart.js) whenever HTMX brings in a final result. */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function drawChart(canvas) {
    if (typeof Chart === "undefined" || Chart.getChart(canvas)) return;
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const brand = cssVar("--mt-brand", "#5b3cc4");
    const accent = cssVar("--mt-accent", "#e0457b");
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Probability (%)",
            data: data.values,
            backgroundColor: data.values.map((_, i) => (i === data.primary ? accent : brand)),
            borderRadius: 6,
          },
        ],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 500 },
        scales: {
          x: { min: 0, max: 100, ticks: { callback: (value) => `${value}%` } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.formattedValue}%` } },
        },
      },
    });
  }

  function drawCharts(element) {
    element.querySelectorAll("canvas[data-chart-source]").forEach(drawChart);
  }

  if (window.htmx) {
    htmx.onLoad(drawCharts);
  } else {
    drawCharts(document);
  }
})();
