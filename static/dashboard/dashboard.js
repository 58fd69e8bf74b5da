/* Draws the dashboard's Chart.js charts (timeline, distribution, mood after the songs) from the
 * #dashboard-data JSON; redraws after HTMX swaps. */
(function () {
  "use strict";

  const charts = [];
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function dateLabel(ms) {
    return new Date(ms).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  function timeLabel(ms) {
    return new Date(ms).toLocaleString(undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
  }

  function drawTimeline(canvas, data) {
    const top = data.emotions.length - 1;
    const datasets = data.emotions.map(function (emotion, index) {
      return {
        label: emotion.label,
        backgroundColor: emotion.color,
        borderColor: emotion.color,
        pointRadius: data.timeline.length > 400 ? 2 : 4,
        data: data.timeline
          .filter(function (point) { return point[1] === index; })
          .map(function (point) { return { x: point[0], y: top - index, confidence: point[2] }; }),
      };
    });
    return new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        animation: reducedMotion ? false : { duration: 300 },
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: "linear", ticks: { callback: dateLabel, maxTicksLimit: 8 } },
          y: {
            min: -0.5, max: top + 0.5,
            // One tick per emotion, on the rows the points sit on (not at the padded edges).
            afterBuildTicks: function (axis) {
              axis.ticks = data.emotions.map(function (_, index) { return { value: index }; });
            },
            ticks: {
              autoSkip: false,
              callback: function (value) {
                const emotion = data.emotions[top - value];
                return emotion ? emotion.label : "";
              },
            },
          },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                const point = context.raw;
                const sure = point.confidence == null ? "" : " (" + Math.round(point.confidence * 100) + "% sure)";
                return context.dataset.label + sure + " · " + timeLabel(point.x);
              },
            },
          },
        },
      },
    });
  }

  function drawDistribution(canvas, data) {
    return new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.emotions.map(function (emotion) { return emotion.label; }),
        datasets: [{
          data: data.distribution,
          backgroundColor: data.emotions.map(function (emotion) { return emotion.color; }),
          borderWidth: 1,
        }],
      },
      options: {
        animation: reducedMotion ? false : { duration: 300 },
        maintainAspectRatio: false,
        plugins: { legend: { position: "right" } },
      },
    });
  }

  function drawMoodAfter(canvas, data) {
    // One bar per strategy, stacked to 100 %: better, the same, worse (counts in the tooltip).
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.strategies,
        datasets: data.changes.map(function (change) {
          return {
            label: change.label,
            data: change.shares,
            counts: change.counts,
            backgroundColor: change.color,
            borderColor: "#ffffff",
            borderWidth: 1,
          };
        }),
      },
      options: {
        indexAxis: "y",
        animation: reducedMotion ? false : { duration: 300 },
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, min: 0, max: 100, ticks: { callback: function (value) { return value + "%"; } } },
          y: { stacked: true },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                const count = context.dataset.counts[context.dataIndex];
                return context.dataset.label + ": " + count + " (" + context.raw + "%)";
              },
            },
          },
        },
      },
    });
  }

  function render() {
    while (charts.length) charts.pop().destroy();
    const script = document.getElementById("dashboard-data");
    if (!script || typeof Chart === "undefined") return;
    const data = JSON.parse(script.textContent);
    const timeline = document.getElementById("timeline-chart");
    const distribution = document.getElementById("distribution-chart");
    if (timeline) charts.push(drawTimeline(timeline, data));
    if (distribution) charts.push(drawDistribution(distribution, data));
    const moodAfter = document.getElementById("mood-after-chart");
    if (moodAfter && data.mood_after) charts.push(drawMoodAfter(moodAfter, data.mood_after));
    document.body.dataset.chartsReady = String(charts.length);
  }

  document.addEventListener("DOMContentLoaded", render);
  // A range change swaps #dashboard-body (and its data) in place: draw the new charts.
  document.addEventListener("htmx:afterSettle", render);
})();
