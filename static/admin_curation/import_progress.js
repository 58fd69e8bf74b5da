/* Polls a mood playlist's Spotify import status on its admin page; reloads once it finishes. */
(function () {
  "use strict";
  const box = document.getElementById("import-progress");
  if (!box) return;
  const active = ["queued", "running"];
  if (active.indexOf(box.dataset.status) === -1) return;

  function show(data) {
    box.querySelector('[data-field="status_display"]').textContent = data.status_display;
    box.querySelector('[data-field="message"]').textContent = data.message;
    box.className = "import-progress import-" + data.status;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.finished) {
          // The page's inline tracks are stale now: reload to show the imported ones.
          window.setTimeout(function () { window.location.reload(); }, 800);
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
