// The "Copy token" button next to a new API token (the key stays selectable without it).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy-target]")) {
    if (!navigator.clipboard) continue;
    const key = document.getElementById(button.dataset.copyTarget);
    const done = button.parentElement.querySelector(".copy-token-done");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(key.textContent.trim());
        if (done) done.textContent = "Copied.";
      } catch {
        window.getSelection().selectAllChildren(key);
        if (done) done.textContent = "Select the key and copy it.";
      }
    });
  }
});
