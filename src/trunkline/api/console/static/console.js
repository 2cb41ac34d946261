// Trunkline console: the small amount of script every page shares. Vanilla ES2020, no build step.
// Pages get their data from data-* attributes (the Content-Security-Policy forbids inline script).
"use strict";

window.Console = (() => {
  const listeners = [];
  let source = null;

  /** The IST text of epoch milliseconds, as the server's `ist` filter writes it. */
  function ist(ms) {
    const d = new Date(ms + 5.5 * 3600 * 1000);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  }

  /** A <time> element like the server's: IST text, UTC in the title. Text only, never HTML. */
  function timeElement(ms) {
    const el = document.createElement("time");
    if (ms === null || ms === undefined) return el;
    const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    el.dateTime = iso;
    el.title = "UTC " + iso.replace("T", " ").replace("Z", "");
    el.textContent = ist(ms);
    return el;
  }

  function open() {
    if (source) return;
    const query = document.body.dataset.eventsQuery || "";
    source = new EventSource("/console/events" + query);
    source.addEventListener("call", (message) => {
      let change;
      try { change = JSON.parse(message.data); } catch { return; }
      for (const callback of listeners) {
        try { callback(change); } catch (error) { console.error(error); }
      }
    });
  }

  /** Call `callback(change)` for every change of the viewer's calls from now on. */
  function onCallEvent(callback) {
    listeners.push(callback);
    open();
  }

  /** "m:ss" (or "h:mm:ss") of a number of seconds. */
  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
  }

  /** Copy text to the clipboard, with a fallback for pages not served over https. */
  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy-from]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyFrom);
    if (source) {
      copy(source.textContent);
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = button.dataset.label || "Copy"; }, 1500);
    }
  });

  return { onCallEvent, ist, timeElement, duration, copy };
})();
