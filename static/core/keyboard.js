/* Keyboard parity for controls that are links underneath (CSP: no inline script, so it lives here).
 *
 * - Links styled as buttons (`a[role="button"]`) activate on Space like real buttons, instead of
 *   scrolling the page: Space is held back on keydown and clicks on keyup, so HTMX's `hx-get`
 *   on them runs as it does for a mouse click.
 * - Enter on a star of a rating form confirms that star (checks it and saves it through HTMX)
 *   instead of submitting the whole form and leaving the page.
 */
(function () {
  "use strict";

  function buttonLink(target) {
    return target instanceof Element ? target.closest('a[role="button"]') : null;
  }

  let pressed = null;

  document.addEventListener("keydown", function (event) {
    if (event.key !== " " || event.altKey || event.ctrlKey || event.metaKey) return;
    const link = buttonLink(event.target);
    if (!link) return;
    event.preventDefault(); // no page scroll
    pressed = link;
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== " ") return;
    const link = buttonLink(event.target);
    const wasPressed = pressed;
    pressed = null;
    if (!link || link !== wasPressed) return;
    event.preventDefault();
    link.click();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    const star = event.target;
    if (!(star instanceof HTMLInputElement) || star.type !== "radio") return;
    if (!star.form || !star.form.classList.contains("star-rating")) return;
    event.preventDefault(); // the form's own submit would reload the page
    if (star.checked) return; // already chosen, and saved when it was
    star.checked = true;
    star.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
