/* "How do you feel now?": reveal the prompt once the list has been open a while, let it be put
 * aside ("Not now", remembered for this tab), and say so politely when it appears. The panel is
 * swapped in by HTMX and brings this script each time: it sets itself up once and looks at the
 * panel again after every swap. No focus is moved and nothing blocks the page.
 */
(function () {
  "use strict";

  if (window.moodAfterReady) {
    if (window.moodAfterScan) window.moodAfterScan();
    return;
  }
  window.moodAfterReady = true;

  function dismissedKey(section) {
    return "mood-after-dismissed-" + section.dataset.list;
  }

  function isDismissed(section) {
    try {
      return window.sessionStorage.getItem(dismissedKey(section)) === "1";
    } catch (error) {
      return false;
    }
  }

  function announce(section, text) {
    const panel = section.closest("#songs-panel") || document;
    const region = panel.querySelector("[data-mood-after-announce]");
    if (region) region.textContent = text;
  }

  function reveal(section) {
    if (!section.isConnected || isDismissed(section)) return;
    section.hidden = false;
    section.classList.add("appearing");
    announce(section, "How do you feel now? A question appeared below your songs.");
  }

  function scan() {
    document.querySelectorAll("section.mood-after:not([data-mood-after-ready])").forEach(function (section) {
      section.dataset.moodAfterReady = "1";
      const dismiss = section.querySelector("[data-mood-after-dismiss]");
      if (dismiss) dismiss.hidden = false; // only with this script can it be put aside
      if (isDismissed(section) && !section.classList.contains("answered")) {
        section.hidden = true;
        return;
      }
      const delay = section.dataset.revealAfter;
      if (delay !== undefined) {
        window.setTimeout(function () { reveal(section); }, Math.max(0, Number(delay) || 0));
      }
    });
  }
  window.moodAfterScan = scan;

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target.closest("[data-mood-after-dismiss]") : null;
    if (!target) return;
    const section = target.closest("section.mood-after");
    if (!section) return;
    try {
      window.sessionStorage.setItem(dismissedKey(section), "1");
    } catch (error) {
      /* storage off: it is only hidden on this page */
    }
    section.hidden = true;
    announce(section, "Put aside. You can answer when you come back to this list.");
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
  document.addEventListener("htmx:afterSettle", scan);
})();
