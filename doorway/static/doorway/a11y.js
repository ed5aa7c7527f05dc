// Accessibility helpers for every page (checked by doorway/tests/test_accessibility.py).
"use strict";
(() => {
  // A table wider than the screen scrolls sideways inside its .table-responsive box; a
  // keyboard can scroll it only if the box takes focus, and a screen reader should say
  // what it holds. Only boxes that do scroll become a tab stop, named by the table's
  // caption or the heading before it.
  const headingBefore = (element) => {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          return sibling;
        }
        const inside = sibling.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inside.length) {
          return inside[inside.length - 1];
        }
      }
    }
    return null;
  };
  let named = 0;
  const nameBy = (box, label) => {
    if (!label.id) {
      named += 1;
      label.id = `scroll-region-label-${named}`;
    }
    box.setAttribute("aria-labelledby", label.id);
  };
  const markScrollRegions = (root) => {
    root.querySelectorAll(".table-responsive").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (!scrolls) {
        if (box.dataset.scrollRegion) {
          box.removeAttribute("tabindex");
          delete box.dataset.scrollRegion;
        }
        return;
      }
      if (box.hasAttribute("tabindex")) {
        return;
      }
      box.dataset.scrollRegion = "1";
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        const label = box.querySelector("caption") || headingBefore(box);
        if (label) {
          box.setAttribute("role", "region");
          nameBy(box, label);
        }
      }
    });
  };

  // After a refused submit the error summary (web/_form_errors.html) takes the focus, so
  // a screen reader reads it and a keyboard starts from it; each of its links moves the
  // focus to the field it names, with the field's label in view.
  const focusSummary = (root) => {
    const summary = root.matches?.("[data-error-summary]") ? root : root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    const label = document.querySelector(`label[for='${field.id}']`) || field.closest("fieldset")?.querySelector("legend");
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", () => {
    markScrollRegions(document);
    focusSummary(document);
  });
  window.addEventListener("resize", () => markScrollRegions(document));
  document.addEventListener("htmx:afterSettle", (event) => {
    markScrollRegions(event.target);
    focusSummary(event.target);
  });
})();
