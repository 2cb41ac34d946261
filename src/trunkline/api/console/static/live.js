// The Live page: timers tick every second from the server's times (corrected for the offset between
// the network clock and this browser's clock), and the list is fetched again on every call change.
"use strict";

(() => {
  const table = document.getElementById("live");
  if (!table) return;
  const body = document.getElementById("live-rows");
  let offset = 0;  // network clock minus browser clock, from the server's data-now

  function calibrate() {
    const any = body.querySelector(".timer[data-now]");
    if (any) offset = Number(any.dataset.now) - Date.now();
  }

  function tick() {
    const now = Date.now() + offset;
    for (const timer of body.querySelectorAll(".timer[data-since]")) {
      timer.textContent = Console.duration((now - Number(timer.dataset.since)) / 1000);
    }
  }

  let pending = null;
  async function refresh() {
    pending = null;
    const answer = await fetch(table.dataset.rowsUrl, { credentials: "same-origin" });
    if (!answer.ok) return;
    const template = document.createElement("template");
    template.innerHTML = await answer.text();  // server-rendered and escaped, same origin
    body.replaceChildren(template.content);
    calibrate();
    tick();
  }

  calibrate();
  tick();
  setInterval(tick, 1000);
  Console.onCallEvent(() => { if (pending === null) pending = setTimeout(refresh, 200); });
})();
