// The partner link's copy button (referrals): copies the link shown once, and says so.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  const field = document.getElementById(button.dataset.copy);
  const done = document.getElementById(button.dataset.copyStatus);
  field.select();
  navigator.clipboard.writeText(field.value).then(
    () => { done.textContent = button.dataset.copied; },
    () => { done.textContent = button.dataset.copyFailed; },
  );
});
