/* Quick sort (templates/library/quick_sort.html): keyboard shortcuts and focus after each answer.
 *
 * Each button lists its keys in data-keys (also in aria-keyshortcuts, explained on the page):
 * 1-4 or H, E, C, S for the moods, 0 or K to skip. A key press clicks that button, so the form
 * posts exactly as a click would (HTMX swaps in the next song; without HTMX the page reloads).
 * After a swap, focus moves to the new song's heading so a screen reader announces it.
 */
(function () {
  "use strict";

  function form() {
    return document.querySelector("form[data-quick-sort]");
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    const sortForm = form();
    if (!sortForm || sortForm.classList.contains("htmx-request")) return;
    const key = event.key.length === 1 ? event.key.toUpperCase() : "";
    if (!key) return;
    const buttons = sortForm.querySelectorAll("button[data-keys]");
    for (const button of buttons) {
      if (button.dataset.keys.split(" ").indexOf(key) !== -1) {
        event.preventDefault();
        button.focus();
        button.click();
        return;
      }
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    const heading = document.getElementById("quick-sort-title");
    if (heading) heading.focus();
  });
})();
