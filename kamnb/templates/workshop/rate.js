// A rater's page: type your name once, vote on what the facilitator puts up. Each rater's
// latest vote counts; nobody else's vote is shown here.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const key = params.get("key") || "";
  const store = "kamnb-rate:" + location.host + ":";
  const $ = (sel) => document.querySelector(sel);
  let ws = null, connected = false, poll = null, nextId = 1;
  const mine = JSON.parse(sessionStorage.getItem(store + "mine") || "{}");
  $("#who").value = localStorage.getItem(store + "who") || "";
  $("#who").addEventListener("change", () => localStorage.setItem(store + "who", $("#who").value.trim()));

  function status(text, bad) { const el = $("#status"); el.textContent = text; el.classList.toggle("bad", !!bad); }
  function banner(text) { const b = $("#banner"); b.hidden = !text; b.textContent = text || ""; }

  function draw() {
    const box = $("#poll");
    box.textContent = "";
    if (!poll) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = "No vote is open right now. When the facilitator puts something to the vote, it appears here.";
      box.appendChild(p);
      return;
    }
    const h = document.createElement("h2");
    h.textContent = poll.label;
    const sub = document.createElement("div");
    sub.className = "muted";
    sub.textContent = poll.account;
    const row = document.createElement("div");
    row.className = "choices big";
    for (const c of poll.choices) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = c; b.dataset.value = c;
      if (mine[poll.id] === c) b.classList.add("on");
      b.addEventListener("click", () => vote(c, b));
      row.appendChild(b);
    }
    box.append(h, sub, row);
  }

  function vote(value, button) {
    const who = $("#who").value.trim();
    if (!who) { status("Type your name first: your vote is kept under it.", true); $("#who").focus(); return; }
    localStorage.setItem(store + "who", who);
    if (!connected) { banner("Not sent: connection lost. Vote again when the page says it is connected."); return; }
    for (const b of button.parentElement.children) b.classList.toggle("asked", b === button);
    ws.send(JSON.stringify({ t: "vote", id: String(nextId++), poll: poll.id, value: value, who: who, pending: value }));
    button.dataset.sent = value;
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/rws?key=" + encodeURIComponent(key));
    ws.onopen = () => { connected = true; banner(""); status("Connected."); };
    ws.onclose = () => { connected = false; banner("Connection to the workshop lost: reconnecting…"); setTimeout(connect, 1000); };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.t === "poll") { const changed = JSON.stringify(poll) !== JSON.stringify(msg.poll); poll = msg.poll; if (changed) draw(); }
      else if (msg.t === "ack") {
        status(msg.message, !msg.ok);
        const asked = document.querySelector(".choices .asked");
        if (msg.ok && asked && poll) { mine[poll.id] = asked.dataset.value; sessionStorage.setItem(store + "mine", JSON.stringify(mine)); }
        draw();
      }
    };
  }
  connect();
})();
