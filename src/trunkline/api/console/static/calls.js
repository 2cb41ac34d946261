// The Calls page's live list: when the event stream reports a change of this account's calls, the
// first page's rows and total are fetched again from the server (which applies the filters), at
// most every 300 ms. Later pages stay still: a person reading page 5 does not want it to move.
"use strict";

(() => {
  const table = document.getElementById("calls");
  if (!table || !table.dataset.rowsUrl) return;
  const body = document.getElementById("call-rows");
  const total = document.getElementById("total");
  let timer = null;
  let running = false;

  async function refresh() {
    timer = null;
    if (running) { schedule(); return; }
    running = true;
    try {
      const answer = await fetch(table.dataset.rowsUrl, { credentials: "same-origin" });
      if (!answer.ok) return;
      const known = new Set([...body.querySelectorAll("tr[data-sid]")].map((row) => row.dataset.sid));
      const template = document.createElement("template");
      template.innerHTML = await answer.text();  // server-rendered and escaped, same origin
      for (const row of template.content.querySelectorAll("tr[data-sid]")) {
        if (!known.has(row.dataset.sid)) row.classList.add("fresh");
      }
      body.replaceChildren(template.content);
      total.textContent = answer.headers.get("X-Total") || total.textContent;
    } finally {
      running = false;
    }
  }

  function schedule() {
    if (timer === null) timer = setTimeout(refresh, 300);
  }

  Console.onCallEvent(schedule);
})();
