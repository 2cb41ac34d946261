// The Phone page: holds the numbers the person picks while the page is open, shows the calls that
// ring them, and sends Answer / Reject / keys / Hang up. Vanilla ES2020; every POST carries the
// page's CSRF token; everything shown is set as text, never as HTML.
"use strict";

(() => {
  const root = document.getElementById("phone");
  if (!root) return;
  const { account, holder, csrf } = root.dataset;
  const renewMs = Number(root.dataset.renewMs) || 5000;
  const query = "?account=" + encodeURIComponent(account);
  const storageKey = "trunkline.phone." + account;
  const message = document.getElementById("phone-message");
  const heldList = document.getElementById("held");
  const legsBox = document.getElementById("legs");
  const noCalls = document.getElementById("no-calls");
  const dialFrom = document.getElementById("dial-from");
  const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

  /** The numbers this page holds (kept in the browser, so a reload takes them back). */
  let wanted = [];
  try { wanted = JSON.parse(localStorage.getItem(storageKey) || "[]").filter((n) => typeof n === "string"); } catch { wanted = []; }
  const remember = () => { try { localStorage.setItem(storageKey, JSON.stringify(wanted)); } catch { /* private mode */ } };

  function say(text, bad = false) {
    message.textContent = text;
    message.classList.toggle("bad", bad);
  }

  async function post(path, fields) {
    const body = new URLSearchParams();
    body.append("csrf", csrf);
    body.append("holder", holder);
    for (const [name, value] of fields) body.append(name, value);
    const response = await fetch("/console/phone/" + path + query, {
      method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
    });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (!response.ok) {
      const error = (data && data.error) || { message: "The server answered " + response.status };
      throw new Error(error.message);
    }
    return data;
  }

  function showHeld(held) {
    heldList.replaceChildren();
    const before = dialFrom.value;
    dialFrom.replaceChildren();
    for (const item of held) {
      const li = document.createElement("li");
      const number = document.createElement("span");
      number.className = "mono";
      number.textContent = item.number;
      const pages = document.createElement("span");
      pages.className = "hint";
      pages.textContent = item.pages === 1 ? "1 page" : item.pages + " pages";
      li.append(number, pages);
      if (wanted.includes(item.number)) {
        const drop = document.createElement("button");
        drop.type = "button";
        drop.className = "secondary";
        drop.textContent = "Let go";
        drop.setAttribute("aria-label", "Let go of " + item.number);
        drop.addEventListener("click", () => letGo(item.number));
        li.append(drop);
      }
      heldList.append(li);
      const option = document.createElement("option");
      option.value = option.textContent = item.number;
      dialFrom.append(option);
    }
    if (held.some((item) => item.number === before)) dialFrom.value = before;
  }

  async function hold(number) {
    try {
      const data = await post("hold", [["number", number]]);
      const held = data.held.number;
      if (!wanted.includes(held)) wanted.push(held);
      remember();
      say("Calls to " + held + " ring here now.");
      await refresh();
    } catch (error) {
      say(error.message, true);
    }
  }

  async function letGo(number) {
    wanted = wanted.filter((n) => n !== number);
    remember();
    try {
      const data = await post("release", [["number", number]]);
      showHeld(data.held);
      say(number + " is answered by the simulated network again.");
    } catch (error) {
      say(error.message, true);
    }
  }

  async function renew() {
    if (!wanted.length) return;
    try {
      const data = await post("renew", wanted.map((n) => ["number", n]));
      const lost = Object.keys(data.refused || {});
      if (lost.length) {
        wanted = wanted.filter((n) => !lost.includes(n));
        remember();
        say("Lost " + lost.join(", ") + ": " + Object.values(data.refused).join("; "), true);
      }
      showHeld(data.held);
    } catch (error) {
      say(error.message, true);
    }
  }

  async function act(leg, action, keys = "") {
    const fields = [["call", leg.call_sid], ["leg", String(leg.leg)], ["action", action]];
    if (keys) fields.push(["keys", keys]);
    try {
      const data = await post("act", fields);
      const names = data.outcome.events.map((e) => e.name);
      say(action === "press" ? "Pressed " + keys + ": " + (names.join(", ") || "heard") : "Done: " + (names.join(", ") || data.outcome.leg_status));
    } catch (error) {
      say(error.message, true);
    }
    await refresh();
  }

  function button(text, className, onClick, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (className) b.className = className;
    if (label) b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function fact(dl, term, value) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    if (value instanceof Node) dd.append(value); else dd.textContent = value;
    dl.append(dt, dd);
  }

  function legCard(leg) {
    const card = document.createElement("article");
    card.className = "card phone-leg " + leg.status;
    card.dataset.call = leg.call_sid;
    card.dataset.leg = String(leg.leg);
    card.dataset.status = leg.status;
    const title = document.createElement("h3");
    const outgoing = leg.direction === "outgoing";
    title.textContent = outgoing ? "You are calling " + leg.other_party : leg.other_party + " is calling " + leg.number;
    const dl = document.createElement("dl");
    dl.className = "facts";
    fact(dl, "Status", leg.status);
    fact(dl, leg.status === "answered" ? "Answered" : "Since", Console.timeElement(leg.since));
    if (leg.ring_deadline) fact(dl, "Rings until", Console.timeElement(leg.ring_deadline));
    if (leg.applet) fact(dl, "Flow applet", leg.applet);
    if (leg.keys.length) fact(dl, "Keys pressed", leg.keys.join(" "));
    fact(dl, "Call", leg.call_sid);
    card.append(title, dl);
    const actions = document.createElement("div");
    actions.className = "actions";
    if (leg.status !== "answered" && !outgoing) {
      actions.append(
        button("Answer", "answer", () => act(leg, "answer"), "Answer the call from " + leg.other_party),
        button("Reject", "reject", () => act(leg, "reject"), "Reject the call (busy)"),
      );
    } else {
      actions.append(button("Hang up", "hangup", () => act(leg, "hangup")));
    }
    card.append(actions);
    if (leg.status === "answered" || outgoing) {
      const hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = leg.menu ? "The menu \u201c" + leg.menu + "\u201d is listening for keys." : "No menu is listening for keys now.";
      const pad = document.createElement("div");
      pad.className = "keypad";
      pad.setAttribute("role", "group");
      pad.setAttribute("aria-label", "Keypad");
      for (const key of KEYS) pad.append(button(key, "key", () => act(leg, "press", key), "Press " + key));
      card.append(hint, pad);
    }
    return card;
  }

  let lastLegs = "";
  function showLegs(legs) {
    const shape = JSON.stringify(legs);
    if (shape === lastLegs) return; // nothing changed: keep focus where the person has it
    lastLegs = shape;
    const focused = document.activeElement;
    const focusKey = focused && focused.closest(".phone-leg") ? [focused.closest(".phone-leg").dataset.call, focused.textContent] : null;
    legsBox.replaceChildren(...legs.map(legCard));
    noCalls.hidden = legs.length > 0;
    if (focusKey) {
      const card = legsBox.querySelector(`.phone-leg[data-call="${CSS.escape(focusKey[0])}"]`);
      const again = card && [...card.querySelectorAll("button")].find((b) => b.textContent === focusKey[1]);
      if (again) again.focus();
    }
  }

  let refreshing = null;
  async function refresh() {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      try {
        const response = await fetch("/console/phone/state" + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const data = await response.json();
        showHeld(data.held);
        showLegs(data.legs);
      } catch { /* the next tick tries again */ } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  document.getElementById("hold-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = document.getElementById("hold-number").value.trim();
    if (value) hold(value);
  });

  document.getElementById("dial-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const from = dialFrom.value;
    const exophone = document.getElementById("dial-exophone").value;
    if (!from) { say("Hold a number first: calls you place come from it.", true); return; }
    try {
      const data = await post("dial", [["from", from], ["exophone", exophone]]);
      say("Calling " + exophone + " (call " + data.call_sid + ").");
    } catch (error) {
      say(error.message, true);
    }
    await refresh();
  });

  // Closing the page lets go of its numbers at once (otherwise they run out after the hold time).
  window.addEventListener("pagehide", () => {
    const body = new URLSearchParams([["csrf", csrf], ["holder", holder]]);
    navigator.sendBeacon("/console/phone/release" + query, body);
  });

  document.body.dataset.eventsQuery = query;
  Console.onCallEvent(() => refresh());
  renew().then(refresh);
  setInterval(renew, renewMs);
  setInterval(() => { if (!document.hidden) refresh(); }, 1000);
})();
