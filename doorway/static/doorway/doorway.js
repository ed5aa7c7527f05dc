// Doorway's own script. Kept in a file: the Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
