/* Keyboard parity for controls that are links underneath (CSP: no inline script, so it lives here).
 *
 * - Links styled as buttons (`a[role="button"]`) activate on Space like real buttons, instead of
 *   scrolling the page: Space is held back on keydown and clicks on keyup, so HTMX's `hx-get`
 *   on them runs as it does for a mouse click.
 * - Stars of a rating form (a native radio group: one Tab stop, the chosen star or the first):
 *   the arrow keys, Home and End move the focus from star to star without choosing or saving
 *   anything; Enter or Space (or a click) chooses the focused star and saves it through HTMX.
 *   Enter does not submit the whole form and leave the page.
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

  function starRadio(target) {
    if (!(target instanceof HTMLInputElement) || target.type !== "radio") return null;
    if (!target.form || !target.form.classList.contains("star-rating")) return null;
    return target;
  }

  const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const star = starRadio(event.target);
    if (!star) return;
    const stars = Array.from(star.form.querySelectorAll('input[type="radio"][name="' + star.name + '"]'));
    const at = stars.indexOf(star);
    let next;
    if (event.key in STEPS) next = Math.min(stars.length - 1, Math.max(0, at + STEPS[event.key]));
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = stars.length - 1;
    else return;
    // The browser would check (and so save) each star the arrows pass: move the focus only.
    event.preventDefault();
    stars[next].focus();
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
