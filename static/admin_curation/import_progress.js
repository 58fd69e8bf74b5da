/* Polls a mood playlist's Spotify import status on its admin page. The status box and the page's
   own "Import status" and "Import message" fields show the same answer; once the import ends the
   page reloads to show the imported tracks (unless the curator has started editing the form). */
(function () {
  "use strict";
  const box = document.getElementById("import-progress");
  if (!box) return;
  const active = ["queued", "running"];
  if (active.indexOf(box.dataset.status) === -1) return;

  const form = box.closest("form");
  let edited = false;
  if (form) {
    form.addEventListener("input", function () { edited = true; });
    form.addEventListener("change", function () { edited = true; });
  }

  function setField(name, text) {
    const cell = document.querySelector(".form-row.field-" + name + " .readonly");
    if (cell) cell.textContent = text;
  }

  function note(text, href) {
    let extra = box.querySelector("[data-field=note]");
    if (!extra) {
      extra = document.createElement("p");
      extra.setAttribute("data-field", "note");
      box.appendChild(extra);
    }
    extra.textContent = "";
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      extra.appendChild(link);
    } else {
      extra.textContent = text;
    }
  }

  function show(data) {
    box.querySelector('[data-field="status_display"]').textContent = data.status_display;
    box.querySelector('[data-field="message"]').textContent = data.message;
    box.className = "import-progress import-" + data.status;
    box.dataset.status = data.status;
    setField("import_status", data.status_display);
    setField("import_message", data.message);
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.removed) {
          // Nothing to reload: the playlist is gone.
          if (box.dataset.importUrl) note("Import another playlist", box.dataset.importUrl);
        } else if (data.finished) {
          if (edited) {
            note("Save your changes, then reload the page to see the imported tracks.");
          } else {
            // The page's inline tracks are stale now: reload to show the imported ones.
            window.setTimeout(function () { window.location.reload(); }, 800);
          }
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
