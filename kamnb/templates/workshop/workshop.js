// The facilitator's screen of the kamnb workshop. Every input names its cell (data-cell);
// a change goes to the server with the version this screen shows and counts as saved
// only when the server answers after its journal committed. Unsent changes are kept
// (also across a reload) and sent again when the connection is back.
"use strict";
(function () {
  const TABS = ["Classification", "Qualification", "Stakeholders", "Relationship", "Actions"];
  const params = new URLSearchParams(location.search);
  const key = params.get("key") || "";
  const store = "kamnb-workshop:" + location.host + ":";
  const $ = (sel) => document.querySelector(sel);
  let ws = null, connected = false, version = 0, nextId = Date.now();
  // Each operation gets an id no other screen can make (random, not a clock): the server writes an
  // operation once, however often it is sent again after a lost reply or a restart.
  const screenId = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
  let account = params.get("account") || localStorage.getItem(store + "account") || "";
  let who = params.get("who") || localStorage.getItem(store + "who") || "";
  let tab = sessionStorage.getItem(store + "tab") || TABS[0];
  let opportunity = sessionStorage.getItem(store + "opportunity") || "";
  let pending = [];
  try { pending = JSON.parse(localStorage.getItem(store + "pending") || "[]"); } catch (e) { pending = []; }
  const waiting = new Map();  // id -> {cell, sent}
  const notes = new Map();    // cell -> {text, bad, until}
  let failing = "";

  // ---- layout: tabs built once, never switched by an update
  const nav = $("nav.tabs"), panels = $(".panels"), panelOf = {};
  for (const name of TABS) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "tab"; b.textContent = name; b.setAttribute("role", "tab"); b.dataset.tab = name;
    b.addEventListener("click", () => showTab(name));
    nav.appendChild(b);
    const p = document.createElement("div");
    p.className = "panel"; p.dataset.tab = name; p.setAttribute("role", "tabpanel");
    panels.appendChild(p);
    panelOf[name] = p;
  }
  function showTab(name) {
    tab = TABS.includes(name) ? name : TABS[0];
    sessionStorage.setItem(store + "tab", tab);
    for (const b of nav.children) { const on = b.dataset.tab === tab; b.classList.toggle("current", on); b.setAttribute("aria-selected", on ? "true" : "false"); }
    for (const n of TABS) panelOf[n].hidden = n !== tab;
  }
  showTab(tab);

  // ---- the status line and the banner
  function status(text, bad) {
    const el = $("#status");
    el.textContent = text;
    el.classList.toggle("bad", !!bad);
  }
  function banner() {
    const el = $("#banner");
    let text = "";
    if (!connected) {
      text = pending.length
        ? `Not saved: connection lost. ${pending.length} change(s) kept on this screen; they are sent again when the server is back.`
        : "Connection to the workshop server lost: reconnecting… Changes made now are kept and sent when it is back.";
    } else if (failing) {
      text = failing;
    } else if ([...waiting.values()].some((w) => Date.now() - w.sent > 2500)) {
      text = "Not saved yet: the server does not answer. Your change is kept and sent again.";
    }
    el.hidden = !text;
    el.textContent = text;
    document.body.classList.toggle("offline", !connected);
  }
  setInterval(banner, 500);

  // ---- sending
  function keep() { localStorage.setItem(store + "pending", JSON.stringify(pending)); }
  function send(msg, cell) {
    msg.id = screenId + "-" + String(nextId++);
    msg.op = msg.id;  // kept with the change (also across a reload), so a resend is recognised
    msg.who = who;
    msg.account = account;
    pending.push(msg);
    keep();
    if (cell) waiting.set(msg.id, { cell: cell, sent: Date.now() });
    transmit(msg);
    banner();
  }
  function transmit(msg) {
    if (!connected) return;
    if (waiting.has(msg.id)) waiting.get(msg.id).sent = Date.now(); else waiting.set(msg.id, { cell: null, sent: Date.now() });
    ws.send(JSON.stringify(msg));
  }
  function control(msg) {  // not kept when the connection is down: votes and views are live only
    msg.id = screenId + "-" + String(nextId++); msg.who = who; msg.account = account;
    if (connected) ws.send(JSON.stringify(msg));
    else banner();
  }
  function hello() { if (connected) ws.send(JSON.stringify({ t: "hello", who: who, account: account })); }

  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws?key=" + encodeURIComponent(key));
    ws.onopen = () => {
      connected = true;
      hello();
      for (const msg of pending) transmit(msg);  // what was not confirmed goes again
      if (!pending.length) status("Connected. Every change is saved the moment it is made.");
      banner();
    };
    ws.onclose = () => {
      const was = connected;
      connected = false;
      banner();
      if (was) status("Connection lost: reconnecting…", true);
      setTimeout(connect, 700);
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.t === "state") applyState(msg);
      else if (msg.t === "ack") ack(msg);
    };
  }

  function ack(msg) {
    const i = pending.findIndex((p) => p.id === msg.id);
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.failed) {  // the journal could not be written: keep the change, say so, try again
      failing = "Not saved: " + msg.message.replace(/^not saved: /, "");
      status(failing, true);
      setTimeout(() => { failing = ""; if (i >= 0 && connected) transmit(pending[i] || msg); }, 3000);
      banner();
      return;
    }
    failing = "";
    if (i >= 0) {
      if (msg.ok && pending[i].t === "add") {  // added: the form is emptied for the next one
        for (const f of document.querySelectorAll(`[data-add="${pending[i].sheet}"] [name]`)) f.value = f.tagName === "SELECT" ? f.options[0].value : "";
      }
      pending.splice(i, 1); keep();
    }
    status(msg.message || "", !msg.ok);
    if (w && w.cell) { notes.set(w.cell, { text: msg.ok ? "" : "⚠ " + msg.message, bad: !msg.ok, until: Date.now() + 12000 }); showNotes(); }
    document.body.dataset.acked = msg.id;
    banner();
  }

  // ---- drawing what the server sends
  function applyState(st) {
    version = st.version;
    if (st.account !== account) { account = st.account; localStorage.setItem(store + "account", account); }
    $("#account").value = account;
    const sum = $("#summary");
    if (sum._html !== st.summary) { sum.innerHTML = st.summary; sum._html = st.summary; }
    const poll = $("#poll");
    if (poll._html !== st.poll) { poll.innerHTML = st.poll; poll._html = st.poll; }
    for (const name of TABS) if (("tab:" + name) in st) draw(panelOf[name], st["tab:" + name]);  // only the tabs that changed are sent
    for (const [id, label] of [["undo", st.undo], ["redo", st.redo]]) {
      const b = $("#" + id), word = id === "undo" ? "Undo" : "Redo";
      b.disabled = !label;
      b.textContent = label ? `${word} ${label}` : `${word}: nothing`;
      b.title = b.textContent;
    }
    for (const msg of pending) markSending(msg);
    showNotes();
    document.body.dataset.version = String(version);
    document.body.dataset.account = account;
  }

  function draw(panel, html) {
    if (panel._html === html) return;
    const focus = document.activeElement;
    let kept = null;
    if (focus && panel.contains(focus) && focus.dataset && focus.dataset.cell !== undefined) {
      kept = { cell: focus.dataset.cell, value: focus.value, dirty: focus.value !== focus.defaultValue, start: focus.selectionStart, end: focus.selectionEnd };
    }
    const confirming = [...panel.querySelectorAll(".confirm")].map((c) => c.dataset.remove);
    const drafts = [...panel.querySelectorAll("[data-add] [name]")].map((f) => [f.closest("[data-add]").dataset.add, f.name, f.value, f === focus]);
    const scroll = panel.scrollTop;
    panel.innerHTML = html;
    panel._html = html;
    const picker = panel.querySelector(".opportunity-picker");
    if (picker) {
      if (opportunity && [...picker.options].some((o) => o.value === opportunity)) picker.value = opportunity;
      showOpportunity(panel, picker.value);
    }
    for (const [add, name, value, focused] of drafts) {  // what is typed into "new person" or "new action" stays
      const f = panel.querySelector(`[data-add="${add}"] [name="${name}"]`);
      if (f) { f.value = value; if (focused) f.focus(); }
    }
    for (const r of confirming) { const b = [...panel.querySelectorAll("[data-remove]")].find((x) => x.dataset.remove === r); if (b) askRemove(b); }
    if (kept) {
      const el = [...panel.querySelectorAll("[data-cell]")].find((e) => e.dataset.cell === kept.cell);
      if (el) {
        if (kept.dirty) el.value = kept.value;  // what is being typed is never wiped by someone else's change
        el.focus();
        try { el.setSelectionRange(kept.start, kept.end); } catch (e) { /* not a text box */ }
      }
    }
    panel.scrollTop = scroll;
  }

  function showOpportunity(panel, id) {
    opportunity = id;
    sessionStorage.setItem(store + "opportunity", id);
    for (const o of panel.querySelectorAll(".opportunity")) o.hidden = o.dataset.opportunity !== id;
  }

  function byCell(cell) { return [...document.querySelectorAll("[data-cell]")].filter((e) => e.dataset.cell === cell); }
  function sameCell(el, msg) {
    const c = JSON.parse(el.dataset.cell);
    if (c.sheet !== msg.sheet || c.column !== msg.column) return false;
    const a = Object.keys(c.key), b = Object.keys(msg.key || {});
    return a.length === b.length && a.every((k) => c.key[k] === msg.key[k]);
  }
  function markSending(msg) {
    if (msg.t !== "change") return;
    for (const el of document.querySelectorAll("[data-cell]")) {
      if (!sameCell(el, msg)) continue;
      el.classList.add("sending");
      if (el.classList.contains("multi")) el.dataset.asking = msg.value;
      const asked = el.classList.contains("multi") ? msg.value.split("; ") : [msg.value];
      for (const b of el.querySelectorAll("button")) b.classList.toggle("asked", asked.includes(b.dataset.value));
      if (el.matches("input, textarea, select")) el.value = msg.value;
    }
  }
  function showNotes() {
    const now = Date.now();
    for (const [cell, n] of notes) {
      if (n.until < now) { notes.delete(cell); continue; }
      for (const el of byCell(cell)) {
        const item = el.closest(".item");
        const box = item && item.querySelector(".msg");
        if (box) { box.textContent = n.text; box.classList.toggle("bad", n.bad); }
      }
    }
  }

  // ---- one handler for every field
  function cellMessage(el, value) {
    const c = JSON.parse(el.dataset.cell);
    return { t: "change", sheet: c.sheet, key: c.key, column: c.column, value: value, base: version };
  }
  document.addEventListener("click", (ev) => {
    const t = ev.target.closest("button");
    if (!t) return;
    const many = t.closest(".choices.multi[data-cell]");
    if (many && t.dataset.value !== undefined) { sendSways(many, t.dataset.value, false); return; }  // a chip: that person taken off
    const group = t.closest(".choices[data-cell]");
    if (group && t.dataset.value !== undefined) {
      const msg = cellMessage(group, t.dataset.value);
      send(msg, group.dataset.cell);
      group.classList.add("sending");
      for (const b of group.querySelectorAll("button")) b.classList.toggle("asked", b === t);
      return;
    }
    if (t.classList.contains("remove")) { askRemove(t); return; }
    if (t.classList.contains("remove-yes")) {
      const r = JSON.parse(t.closest(".confirm").dataset.remove);
      send({ t: "remove", sheet: r.sheet, key: r.key, base: version }, null);
      return;
    }
    if (t.classList.contains("remove-no")) { const c = t.closest(".confirm"); c.previousElementSibling.hidden = false; c.remove(); return; }
    if (t.closest("[data-add]")) {
      const box = t.closest("[data-add]");
      const values = {};
      for (const f of box.querySelectorAll("[name]")) values[f.name] = f.value;
      send({ t: "add", sheet: box.dataset.add, values: values }, null);
      return;
    }
    if (t.classList.contains("vote")) { control({ t: "poll", item: JSON.parse(t.dataset.poll), blind: $("#blind").checked }); return; }
    if (t.classList.contains("poll-reveal")) { control({ t: "reveal" }); return; }
    if (t.classList.contains("poll-record")) { control({ t: "record" }); return; }
    if (t.classList.contains("poll-close")) { control({ t: "close" }); return; }
  });
  function sendSways(many, id, add) {  // who sways whom: one person added or taken off, the whole list saved
    const now = many.classList.contains("sending") ? (many.dataset.asking || "").split("; ").filter(Boolean)
      : [...many.querySelectorAll("button")].map((b) => b.dataset.value);
    const chosen = add ? (now.includes(id) ? now : now.concat([id])) : now.filter((v) => v !== id);
    const value = chosen.join("; ");
    send(cellMessage(many, value), many.dataset.cell);
    markSending({ t: "change", sheet: JSON.parse(many.dataset.cell).sheet, key: JSON.parse(many.dataset.cell).key, column: "influences", value: value });
  }
  function askRemove(button) {
    if (button.hidden) return;
    const c = document.createElement("span");
    c.className = "confirm";
    c.dataset.remove = button.dataset.remove;
    const q = document.createElement("span");
    q.textContent = `Remove ${button.dataset.name}? `;
    const yes = document.createElement("button"); yes.type = "button"; yes.className = "danger remove-yes"; yes.textContent = "Yes, remove";
    const no = document.createElement("button"); no.type = "button"; no.className = "remove-no"; no.textContent = "Keep";
    c.append(q, yes, no);
    button.hidden = true;
    button.after(c);
  }
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.classList.contains("opportunity-picker")) { showOpportunity(el.closest(".panel"), el.value); return; }
    if (el.classList.contains("sway-add")) { if (el.value) sendSways(el.closest(".choices.multi"), el.value, true); return; }
    if (el.dataset && el.dataset.cell !== undefined && el.classList.contains("cell")) {
      send(cellMessage(el, el.value), el.dataset.cell);
      el.classList.add("sending");
    }
  });
  function fillPeople(ev) {  // a "reports to" box gets the account's people when it is opened
    const el = ev.target;
    if (!el.matches || !el.matches("select[data-lazy=people]") || el.dataset.filled) return;
    const master = el.closest(".panel").querySelector(".people-master");
    if (!master) return;
    const value = el.value;
    el.textContent = "";
    for (const o of master.options) {
      if (o.value === el.dataset.self) continue;
      const copy = o.cloneNode(true);
      if (!o.value && el.dataset.none) copy.textContent = el.dataset.none;
      el.appendChild(copy);
    }
    el.value = value;
    el.dataset.filled = "1";
  }
  document.addEventListener("focusin", fillPeople);
  document.addEventListener("mousedown", fillPeople);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.matches("input.cell")) ev.target.blur();
  });

  // ---- the bar
  $("#who").value = who;
  $("#who").addEventListener("change", () => {
    who = $("#who").value.trim();
    localStorage.setItem(store + "who", who);
    status(who ? `Entries are now signed by ${who}.` : "Type who is speaking: every entry is signed with a name.", !who);
    hello();
  });
  $("#account").addEventListener("change", () => { account = $("#account").value; localStorage.setItem(store + "account", account); hello(); });
  $("#undo").addEventListener("click", () => send({ t: "undo" }, null));
  $("#redo").addEventListener("click", () => send({ t: "redo" }, null));
  $("#review").addEventListener("click", () => { control({ t: "review" }); status(`Writing the review of ${account} (the batch runs its notebooks; this takes a little while)…`); });
  if (account) $("#account").value = account; else account = $("#account").value;
  connect();
})();
