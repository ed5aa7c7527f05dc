// Drafts and the idle sign-out warning (doorway/drafts).
//
// A form that holds <input type="hidden" name="_draft"> is saved to the server while she
// types (every ~10 s, and when the page is hidden), never in the browser's storage, and
// an earlier draft is put back when the form is opened empty. Before the idle sign-out a
// dialog offers "Stay signed in"; the warning itself sends nothing, so it never keeps the
// session alive: only her click does.
(() => {
  "use strict";

  const script = document.querySelector("script[data-drafts]");
  if (!script) return;
  const idleMs = Number(script.dataset.idleSeconds) * 1000;
  const warnMs = Number(script.dataset.warnSeconds) * 1000;
  const SAVE_EVERY_MS = 10000;
  const urls = {
    save: script.dataset.saveUrl,
    restore: script.dataset.restoreUrl,
    discard: script.dataset.discardUrl,
    stay: script.dataset.stayUrl,
    login: script.dataset.loginUrl,
  };

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  // A signed-out request is redirected to sign in; "manual" lets us see that.
  function post(url, body, keepalive = false) {
    return fetch(url, {
      method: "POST",
      body,
      keepalive,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  function signedOut(response) {
    return response.type === "opaqueredirect" || response.status === 401;
  }

  // --- the idle clock, shared by her open tabs ---------------------------------------

  let lastActivity = Date.now();
  let ended = false;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("doorway-session") : null;

  function touched(at = Date.now(), tell = true) {
    lastActivity = Math.max(lastActivity, at);
    if (tell && channel) channel.postMessage({ at: lastActivity });
    if (!ended) closeDialog();
  }
  if (channel) channel.onmessage = (event) => touched(event.data.at, false);
  // Every HTMX request pushes the server's idle expiry on too.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) touched();
  });

  // --- the dialog --------------------------------------------------------------------

  const ui = document.getElementById("drafts-ui");
  let dialog = null;
  let returnFocus = null;

  function theDialog() {
    if (dialog) return dialog;
    dialog = ui.content.querySelector("dialog").cloneNode(true);
    document.body.append(dialog);
    dialog.querySelectorAll("[data-drafts-close]").forEach((button) =>
      button.addEventListener("click", () => closeDialog()),
    );
    dialog.querySelector("[data-drafts-stay]").addEventListener("click", staySignedIn);
    const signin = dialog.querySelector("[data-drafts-signin]");
    signin.href = `${urls.login}?next=${encodeURIComponent(location.pathname + location.search)}`;
    dialog.addEventListener("close", () => {
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
      returnFocus = null;
    });
    return dialog;
  }

  function showDialog(state) {
    const d = theDialog();
    d.querySelector("[data-drafts-failed]").hidden = true;
    const warning = d.querySelector('[data-state="warning"]');
    const over = d.querySelector('[data-state="ended"]');
    warning.hidden = state !== "warning";
    over.hidden = state !== "ended";
    const shown = state === "warning" ? warning : over;
    d.setAttribute("aria-labelledby", shown.querySelector("h2").id);
    d.setAttribute("aria-describedby", shown.querySelector("p").id);
    d.dataset.state = state;
    if (!d.open) {
      returnFocus = document.activeElement;
      d.showModal();
    }
    shown.querySelector(".btn-primary").focus();
  }

  function closeDialog() {
    if (dialog && dialog.open) dialog.close();
  }

  async function staySignedIn() {
    try {
      const response = await post(urls.stay, new FormData());
      if (signedOut(response)) return sessionEnded();
      if (!response.ok) throw new Error(String(response.status));
      touched();
      closeDialog();
    } catch {
      theDialog().querySelector("[data-drafts-failed]").hidden = false;
    }
  }

  function sessionEnded() {
    ended = true;
    showDialog("ended");
  }

  let warned = false;
  setInterval(() => {
    if (ended) return;
    const idle = Date.now() - lastActivity;
    if (idle >= idleMs) {
      sessionEnded();
    } else if (idle >= idleMs - warnMs) {
      if (!warned) showDialog("warning");
      warned = true;
    } else {
      warned = false;
    }
  }, 1000);

  // --- drafts ------------------------------------------------------------------------

  const SKIPPED = new Set(["hidden", "submit", "button", "reset", "file", "image"]);

  function typedElements(form) {
    return Array.from(form.elements).filter(
      (el) => el.name && !SKIPPED.has(el.type) && el.name !== "csrfmiddlewaretoken",
    );
  }

  // What she typed, in a form comparable with what the page was opened with.
  function state(form) {
    const data = new FormData(form);
    const typed = new Set(typedElements(form).map((el) => el.name));
    return JSON.stringify(
      Array.from(data.entries()).filter(([name, value]) => typed.has(name) && typeof value === "string"),
    );
  }

  function fill(form, fields) {
    for (const el of typedElements(form)) {
      const values = fields[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.includes(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (const option of el.options) option.selected = values.includes(option.value);
      } else {
        el.value = values.length ? values[0] : "";
      }
    }
  }

  function keepDraft(form) {
    const tokenInput = form.querySelector('input[name="_draft"]');
    const token = tokenInput.value;
    const opened = state(form);
    let savedState = opened;
    let timer = null;
    let inFlight = null;
    let sending = false;

    function body() {
      const data = new FormData(form);
      // Only what she typed travels, with the token that names the draft.
      for (const el of form.querySelectorAll('input[type="hidden"]')) {
        if (el.name !== "_draft" && el.name !== "csrfmiddlewaretoken") data.delete(el.name);
      }
      return data;
    }

    function save(keepalive = false) {
      clearTimeout(timer);
      timer = null;
      const now = state(form);
      if (now === savedState) return inFlight || Promise.resolve();
      const url = now === opened ? urls.discard : urls.save;
      const data = now === opened ? tokenOnly() : body();
      const request = post(url, data, keepalive)
        .then((response) => {
          if (signedOut(response)) return sessionEnded();
          if (response.ok) {
            savedState = now;
            touched();
          }
        })
        .catch(() => {})
        .finally(() => {
          if (inFlight === request) inFlight = null;
        });
      inFlight = request;
      return request;
    }

    function tokenOnly() {
      const data = new FormData();
      data.append("_draft", token);
      return data;
    }

    form.addEventListener("input", () => {
      if (!timer && !sending) timer = setTimeout(save, SAVE_EVERY_MS);
    });
    form.addEventListener("change", () => {
      if (!timer && !sending) timer = setTimeout(save, SAVE_EVERY_MS);
    });
    // The draft is dropped by the server once the form is accepted: no save may land
    // after it, so wait for one under way before sending.
    form.addEventListener("submit", (event) => {
      clearTimeout(timer);
      timer = null;
      if (sending) return;
      sending = true;
      if (inFlight) {
        event.preventDefault();
        const submitter = event.submitter;
        inFlight.finally(() => form.requestSubmit(submitter || undefined));
      }
    });
    const onHide = () => {
      if (!sending && document.visibilityState === "hidden") save(true);
    };
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", () => {
      if (!sending) save(true);
    });

    if (tokenInput.hasAttribute("data-restore")) restore(form, token, () => opened);
    return { saveNow: () => save() };
  }

  async function restore(form, token, opened) {
    let found;
    try {
      const response = await fetch(`${urls.restore}?draft=${encodeURIComponent(token)}`, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      });
      if (signedOut(response) || !response.ok) return;
      found = await response.json();
    } catch {
      return;
    }
    if (!found.fields) return;
    const before = JSON.parse(opened());
    fill(form, found.fields);
    const notice = ui.content.querySelector(".drafts-notice").cloneNode(true);
    notice.querySelector("[data-drafts-notice-text]").textContent = found.notice;
    notice.querySelector("[data-drafts-discard]").addEventListener("click", async () => {
      const data = new FormData();
      data.append("_draft", token);
      const response = await post(urls.discard, data);
      if (signedOut(response)) return sessionEnded();
      const fields = {};
      for (const [name, value] of before) (fields[name] = fields[name] || []).push(value);
      fill(form, fields);
      notice.remove();
      const first = typedElements(form)[0];
      if (first) first.focus();
    });
    form.before(notice);
    // What was sent after the session ended is kept on the server now, as a draft.
    if (found.unsaved) form.dispatchEvent(new Event("drafts:restored"));
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const input of document.querySelectorAll('form input[name="_draft"]')) {
      const keeper = keepDraft(input.form);
      input.form.addEventListener("drafts:restored", () => keeper.saveNow());
    }
  });
})();
