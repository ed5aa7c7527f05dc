// The quick exit (doorway/web/leave.py): the button, or Escape pressed twice within a
// second, replaces the page with a neutral one and signs her out.
"use strict";
(() => {
  const WITHIN_MS = 1000;
  let lastEscape = -Infinity;

  const leave = () => {
    const exit = document.querySelector("[data-quick-exit]");
    const target = exit ? exit.getAttribute("action") || exit.getAttribute("href") : "/leave/";
    if (exit && exit.tagName === "FORM") {
      // A beacon is sent even while the page goes away; its answer is never read.
      const data = new FormData(exit);
      data.append("beacon", "1");
      navigator.sendBeacon(target, data);
    }
    // replace, not assign: the page she was on leaves the history as well.
    window.location.replace(target);
  };

  document.addEventListener("submit", (event) => {
    if (event.target instanceof HTMLFormElement && event.target.matches("[data-quick-exit]")) {
      event.preventDefault();
      leave();
    }
  });
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-quick-exit]") : null;
    if (link) {
      event.preventDefault();
      leave();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.repeat) {
      return;
    }
    const now = performance.now();
    if (now - lastEscape <= WITHIN_MS) {
      lastEscape = -Infinity;
      leave();
    } else {
      lastEscape = now;
    }
    // Capture: a dialog or menu that stops Escape's propagation does not stop this.
  }, true);
})();
