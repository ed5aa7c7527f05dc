"use strict";
// The tokens page: copy a new token to the clipboard; select it all on focus.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
  for (const button of document.querySelectorAll("[data-copy-from]")) {
    button.addEventListener("click", async () => {
      const input = document.getElementById(button.dataset.copyFrom);
      input.focus();
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = button.dataset.copiedText;
      } catch {
        // No clipboard (an old browser, or not allowed): the text is selected to copy.
        button.textContent = "Press Ctrl+C";
      }
    });
  }
});
