// Relata's small script: search as you type with keyboard navigation.
// Everything else works without it. The words it writes come from the
// page (the reader's language), in the body's data-messages.
const relataMessages = (function () {
  try { return JSON.parse(document.body.dataset.messages || "{}"); } catch (e) { return {}; }
})();
function say(key) { return (relataMessages.texts || {})[key] || key; }

(function () {
  "use strict";
  const input = document.getElementById("global-search");
  const list = document.getElementById("search-results");
  if (!input || !list) return;
  let items = [];
  let selected = -1;
  let timer = null;
  let generation = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    selected = -1;
  }

  function choose(index) {
    const item = items[index];
    if (item) window.location.href = "/" + item.entity + "/" + item.id;
  }

  function show(results) {
    items = results;
    list.textContent = "";
    results.forEach(function (r, i) {
      const li = document.createElement("li");
      li.id = "search-result-" + i;
      li.setAttribute("role", "option");
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = (relataMessages.kinds || {})[r.entity] || r.entity;
      li.appendChild(kind);
      li.appendChild(document.createTextNode(r.title || say("untitled")));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    selected = -1;
  }

  function mark() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === selected ? "true" : "false");
    });
    if (selected >= 0) input.setAttribute("aria-activedescendant", "search-result-" + selected);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(function () {
      const mine = ++generation;
      fetch("/api/v1/search?limit=5&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { data: [] }; })
        .then(function (body) { if (mine === generation) show(body.data || []); })
        .catch(close);
    }, 150);
  });

  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { selected = Math.min(selected + 1, items.length - 1); mark(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { selected = Math.max(selected - 1, 0); mark(); e.preventDefault(); }
    else if (e.key === "Enter" && selected >= 0) { choose(selected); e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();

// The pipeline board: drag a card to another stage; the change is saved
// with the card's version (If-Match), so a card changed elsewhere is not
// overwritten. The forms on the cards do the same without a mouse.
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("board-status");
  let dragged = null;

  board.addEventListener("dragstart", function (e) {
    const card = e.target.closest(".card");
    if (!card) return;
    dragged = card;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.id);
  });
  board.addEventListener("dragover", function (e) {
    const column = e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.add("drop");
  });
  board.addEventListener("dragleave", function (e) {
    const column = e.target.closest(".column");
    if (column) column.classList.remove("drop");
  });
  board.addEventListener("drop", function (e) {
    const column = e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.remove("drop");
    const card = dragged;
    dragged = null;
    const from = card.closest(".column");
    if (from === column) return;
    column.appendChild(card);
    status.textContent = say("saving");
    fetch("/api/v1/opportunities/" + card.dataset.id, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "If-Match": '"' + card.dataset.version + '"',
        "X-CSRF-Token": csrf
      },
      body: JSON.stringify({ stage: column.dataset.stage })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) throw new Error(result.body.detail || "not saved");
      card.dataset.version = result.body.version;
      status.textContent = say("saved");
      // Totals depend on every card: show the server's figures.
      window.location.reload();
    }).catch(function (err) {
      from.appendChild(card);
      status.textContent = say("not_moved") + " " + err.message;
    });
  });
})();

// The filter builders: pick a field, an operator and a value, and write the
// condition into a filter box in the filter language (which stays editable):
// a list's filter, and the filters of forms (a rule's conditions).
(function () {
  "use strict";
  function literal(type, text) {
    if (type === "number" || type === "boolean") return text.trim();
    return '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }
  // Appends the condition the builder's inputs describe to `target`.
  function add(target, field, op, value) {
    if (field.selectedIndex < 0) return;
    const type = field.options[field.selectedIndex].dataset.type;
    let condition = field.value + " " + op.value;
    if (op.value.indexOf("null") === -1) {
      if (!value.value.trim()) { value.focus(); return; }
      condition += " " + literal(type, value.value);
    }
    target.value = target.value.trim() ? target.value.trim() + " and " + condition : condition;
    value.value = "";
    target.focus();
  }

  // A list's filter.
  const builder = document.querySelector("[data-filter-builder]");
  const input = document.getElementById("filter");
  if (builder && input) {
    builder.hidden = false;
    const field = document.getElementById("fb-field");
    const op = document.getElementById("fb-op");
    const value = document.getElementById("fb-value");
    op.addEventListener("change", function () { value.hidden = op.value.indexOf("null") !== -1; });
    // A choice's options (value: the option, text: its label) are offered as the value.
    const offerOptions = function () {
      const chosen = field.options[field.selectedIndex];
      if (chosen && chosen.dataset.list) value.setAttribute("list", chosen.dataset.list);
      else value.removeAttribute("list");
    };
    field.addEventListener("change", offerOptions);
    offerOptions();
    document.getElementById("fb-add").addEventListener("click", function () { add(input, field, op, value); });
  }

  // Filters in forms (a rule's conditions): the fields offered are those of
  // the type the form's other input names, as it changes.
  const form = document.querySelector("form[data-filter-fields]");
  if (!form) return;
  let catalogue = {};
  try { catalogue = JSON.parse(form.dataset.filterFields); } catch (e) { return; }
  form.querySelectorAll("[data-filter-for]").forEach(function (builder) {
    const target = document.getElementById(builder.dataset.filterFor);
    const over = document.getElementById(builder.dataset.over);
    if (!target || !over) return;
    const part = function (name) { return builder.querySelector("[data-part='" + name + "']"); };
    const field = part("field"), op = part("op"), value = part("value"), none = part("none");
    builder.hidden = false;
    let offered = null;
    function offer() {
      // Leaving the type's input fires "change" too: the fields (and the
      // one chosen) stay as they are unless the type changed.
      if (over.value.trim() === offered) return;
      offered = over.value.trim();
      const fields = catalogue[offered] || [];
      field.replaceChildren();
      fields.forEach(function (f) {
        const option = document.createElement("option");
        option.value = f[0];
        option.textContent = f[1];
        option.dataset.type = f[2];
        field.appendChild(option);
      });
      const empty = fields.length === 0;
      none.hidden = !empty;
      [field, op, value, part("add")].forEach(function (el) { el.disabled = empty; });
    }
    over.addEventListener("input", offer);
    over.addEventListener("change", offer);
    op.addEventListener("change", function () { value.hidden = op.value.indexOf("null") !== -1; });
    part("add").addEventListener("click", function () { add(target, field, op, value); });
    offer();
  });
})();


// Screen pops: the caller of a call ringing at the agent's extension, pushed
// by the server (server-sent events), shown in a panel with links to the
// customer and to log the call. Built with textContent only.
(function () {
  "use strict";
  const panel = document.getElementById("screen-pop");
  if (!panel || !window.EventSource) return;
  const source = new EventSource("/api/v1/telephony/screen_pops");
  // Connected: calls from now on reach this page (tests wait for it).
  source.addEventListener("open", function () { panel.dataset.connected = "true"; });

  function line(parent, tag, text, cls) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  }

  function link(parent, href, text) {
    const a = line(parent, "a", text);
    a.href = href;
    return a;
  }

  function show(pop, ended) {
    panel.textContent = "";
    const who = pop.contact || pop.lead || pop.account;
    const opening = say(ended ? "ended" : (pop.direction === "outbound" ? "calling" : "incoming"));
    line(panel, "h2", opening + " " + (who ? who.title : (pop.withheld ? say("withheld") : pop.number || say("unknown"))));
    const facts = document.createElement("dl");
    const fact = function (label, value) {
      if (value === null || value === undefined || value === "") return;
      line(facts, "dt", label);
      line(facts, "dd", String(value));
    };
    fact(say("number"), pop.number);
    fact(say("account"), pop.account && pop.account.title);
    fact(say("value"), say("value_of").replace("%tier%", pop.value_tier).replace("%priority%", pop.priority));
    fact(say("open_cases"), pop.open_cases);
    fact(say("overdue_invoices"), pop.overdue_invoices);
    fact(say("open_opportunities"), pop.open_opportunities);
    panel.appendChild(facts);
    if (pop.episodes && pop.episodes.length) {
      const list = line(panel, "ol", "", "episodes");
      pop.episodes.forEach(function (e) {
        line(list, "li", e.title + " (" + ((relataMessages.kinds || {})[e.type] || e.type.replace(/_/g, " ")) + ")");
      });
    }
    const actions = line(panel, "p", "", "actions");
    if (who) link(actions, who.href, say("open") + " " + who.title);
    if (pop.new_contact_href) link(actions, pop.new_contact_href, say("new_contact"));
    link(actions, pop.log_call_href, say("log_call"));
    const close = line(actions, "button", say("close"));
    close.type = "button";
    close.addEventListener("click", function () { panel.hidden = true; });
    panel.dataset.call = pop.call;
    panel.dataset.status = pop.status;
    panel.hidden = false;
  }

  // The page's own view of a call follows it too: its status, and the
  // outcome offered first once it ends.
  function follow(pop) {
    const status = (relataMessages.statuses || {})[pop.status] || pop.status;
    document.querySelectorAll("[data-call-status=\"" + pop.call + "\"]").forEach(function (el) { el.textContent = status; });
    if (pop.status !== "ended" && pop.status !== "missed") return;
    document.querySelectorAll("select[data-outcome-for=\"" + pop.call + "\"]").forEach(function (select) {
      select.value = pop.status === "missed" ? "no_answer" : "reached";
    });
  }

  source.addEventListener("pop", function (e) {
    const pop = JSON.parse(e.data);
    show(pop, false);
    follow(pop);
  });
  source.addEventListener("ended", function (e) {
    const pop = JSON.parse(e.data);
    if (panel.dataset.call === pop.call) show(pop, true);
    follow(pop);
  });
})();

// The progressive dialler: the form dials by itself after its countdown
// unless the agent pauses it.
(function () {
  const form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  let left = parseInt(form.dataset.autosubmit, 10) || 3;
  const shown = form.querySelector("[data-countdown]");
  const timer = setInterval(function () {
    left -= 1;
    if (shown) shown.textContent = String(Math.max(left, 0));
    if (left <= 0) {
      clearInterval(timer);
      form.submit();
    }
  }, 1000);
  const pause = form.querySelector("[data-pause]");
  if (pause) pause.addEventListener("click", function () {
    clearInterval(timer);
    window.location.href = "/calls/next";
  });
})();

// The header's menu on narrow screens: the button shows and hides the
// navigation (without the script, the navigation simply stays open).
(function () {
  "use strict";
  const button = document.getElementById("menu-button");
  const nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  document.documentElement.classList.add("js-menu");
  button.hidden = false;
  button.addEventListener("click", function () {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
})();

// Calendars: an entry dragged to another time or day, or resized by its
// lower edge, is saved under the version the page showed (as its
// "Reschedule" form does from the keyboard); the page then shows the
// server's calendar. Times are the viewer's wall-clock times, which the
// server reads in their time zone.
(function () {
  "use strict";
  const grid = document.querySelector("[data-calendar]");
  if (!grid) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("calendar-status");
  const hourPx = Number(grid.dataset.hourPx || 40);
  const month = grid.dataset.calendar === "month";
  document.querySelectorAll("[data-back]").forEach(function (b) { b.value = location.pathname + location.search; });
  // Entries at their times on the grid (set here: the page's policy allows no inline styles).
  if (!month) {
    grid.querySelectorAll(".entry").forEach(function (entry) {
      entry.style.top = entry.dataset.top + "px";
      entry.style.height = entry.dataset.height + "px";
    });
    grid.classList.add("placed");
    const first = grid.querySelector(".entry");
    grid.scrollTop = first ? Math.max(Number(first.dataset.top) - hourPx, 0) : 8 * hourPx;
  }
  // Local date-times as minutes, with zone-free arithmetic.
  function minutes(local) {
    const p = local.split(/[-T:]/).map(Number);
    return Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4]) / 60000;
  }
  function local(m) {
    const d = new Date(m * 60000);
    const two = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) +
      "T" + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  function quarters(px) { return Math.round(px / hourPx * 4) * 15; }
  function save(entry, start, end) {
    status.textContent = status.dataset.saving;
    const body = new URLSearchParams({ csrf_token: csrf, id: entry.dataset.id, start: local(start), end: local(end) });
    fetch("/calendar/move", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "If-Match": '"' + entry.dataset.version + '"'
      },
      body: body.toString()
    }).then(function (r) {
      return r.json().then(function (b) { return { ok: r.ok, body: b }; });
    }).then(function (result) {
      if (!result.ok) throw new Error(result.body.detail || "");
      window.location.reload();
    }).catch(function (err) {
      status.textContent = err.message;
    });
  }
  let dragged = null;
  let grabbed = 0;
  grid.addEventListener("dragstart", function (e) {
    const entry = e.target.closest(".entry");
    if (!entry) return;
    dragged = entry;
    grabbed = e.clientY - entry.getBoundingClientRect().top;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", entry.dataset.id);
  });
  function target(e) { return e.target.closest(month ? "td.day" : ".slots"); }
  grid.addEventListener("dragover", function (e) {
    const t = target(e);
    if (!t || !dragged) return;
    e.preventDefault();
    t.classList.add("drop");
  });
  grid.addEventListener("dragleave", function (e) {
    const t = target(e);
    if (t) t.classList.remove("drop");
  });
  grid.addEventListener("drop", function (e) {
    const t = target(e);
    if (!t || !dragged) return;
    e.preventDefault();
    t.classList.remove("drop");
    const entry = dragged;
    dragged = null;
    const start = minutes(entry.dataset.start);
    const length = minutes(entry.dataset.end) - start;
    const date = (month ? t : t.closest("[data-date]")).dataset.date;
    let moved;
    if (month) {
      moved = minutes(date + "T" + entry.dataset.start.split("T")[1]);
    } else {
      const y = e.clientY - t.getBoundingClientRect().top - grabbed;
      moved = minutes(date + "T00:00") + Math.min(Math.max(quarters(y), 0), 24 * 60 - 15);
    }
    if (moved !== start) save(entry, moved, moved + length);
  });
  // Resizing: the lower edge moves the end by quarter hours.
  grid.addEventListener("pointerdown", function (e) {
    const handle = e.target.closest(".resize");
    if (!handle || month) return;
    e.preventDefault();
    const entry = handle.closest(".entry");
    const from = e.clientY;
    const height = entry.offsetHeight;
    entry.draggable = false;
    try { handle.setPointerCapture(e.pointerId); } catch (err) { /* a pointer the browser no longer tracks */ }
    function move(ev) { entry.style.height = Math.max(height + ev.clientY - from, hourPx / 4) + "px"; }
    function up(ev) {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
      entry.draggable = true;
      const start = minutes(entry.dataset.start);
      const end = Math.max(minutes(entry.dataset.end) + quarters(ev.clientY - from), start + 15);
      if (end !== minutes(entry.dataset.end)) save(entry, start, end);
    }
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  });
})();

// Date fields: the browser's own picker starts weeks as the browser's
// language says; this one starts them where the page's language does
// (CLDR's first day, from the server) and names months and days in it.
// Typing into the field works as before; the picker is a dialog of day
// buttons worked with the arrow keys, Page Up/Down, Home/End, Enter and
// Escape.
(function () {
  "use strict";
  const fields = document.querySelectorAll("input[type=date]");
  if (!fields.length) return;
  document.documentElement.classList.add("js-dates");
  const lang = document.documentElement.lang || "en";
  const first = relataMessages.first_weekday || 0;
  const utc = function (options) { options.timeZone = "UTC"; return new Intl.DateTimeFormat(lang, options); };
  const caption = utc({ month: "long", year: "numeric" });
  const weekday = utc({ weekday: "short" });
  const fullDay = utc({ dateStyle: "full" });
  const iso = function (d) { return d.toISOString().slice(0, 10); };
  const parse = function (v) { const d = new Date(v + "T00:00:00Z"); return isNaN(d) ? null : d; };
  const shift = function (d, days) { return new Date(d.getTime() + days * 86400000); };
  const addMonths = function (d, n) {
    const out = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
    const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(d.getUTCDate(), last));
    return out;
  };
  let open = null;

  function close(refocus) {
    if (!open) return;
    open.panel.remove();
    open.button.setAttribute("aria-expanded", "false");
    if (refocus) open.button.focus();
    open = null;
  }

  function button(parent, text, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    parent.appendChild(b);
    return b;
  }

  function draw(state) {
    const panel = state.panel;
    panel.textContent = "";
    const head = document.createElement("div");
    head.className = "date-head";
    const prev = button(head, "‹", say("previous_month"));
    const title = document.createElement("span");
    title.id = state.id + "-caption";
    title.setAttribute("aria-live", "polite");
    title.textContent = caption.format(state.focus);
    head.appendChild(title);
    const next = button(head, "›", say("next_month"));
    prev.addEventListener("click", function () { move(state, addMonths(state.focus, -1), false); });
    next.addEventListener("click", function () { move(state, addMonths(state.focus, 1), false); });
    panel.appendChild(head);
    const grid = document.createElement("table");
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    const names = document.createElement("tr");
    const monthStart = new Date(Date.UTC(state.focus.getUTCFullYear(), state.focus.getUTCMonth(), 1));
    let day = shift(monthStart, -((monthStart.getUTCDay() - first + 7) % 7));
    for (let i = 0; i < 7; i += 1) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = weekday.format(shift(day, i));
      names.appendChild(th);
    }
    grid.appendChild(names);
    const chosen = state.input.value;
    for (let week = 0; week < 6; week += 1) {
      const row = document.createElement("tr");
      for (let i = 0; i < 7; i += 1) {
        const cell = document.createElement("td");
        const b = button(cell, String(day.getUTCDate()), fullDay.format(day));
        b.dataset.date = iso(day);
        b.tabIndex = iso(day) === iso(state.focus) ? 0 : -1;
        if (day.getUTCMonth() !== state.focus.getUTCMonth()) b.className = "other-month";
        if (iso(day) === chosen) b.setAttribute("aria-pressed", "true");
        row.appendChild(cell);
        day = shift(day, 1);
      }
      grid.appendChild(row);
    }
    panel.appendChild(grid);
  }

  function move(state, to, focusDay) {
    state.focus = to;
    draw(state);
    if (focusDay) state.panel.querySelector("button[tabindex='0']").focus();
  }

  function pick(state, value) {
    state.input.value = value;
    state.input.dispatchEvent(new Event("input", { bubbles: true }));
    state.input.dispatchEvent(new Event("change", { bubbles: true }));
    close(true);
  }

  function show(input, opener, n) {
    close(false);
    const panel = document.createElement("div");
    panel.className = "date-picker";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", say("pick_date"));
    const state = { input: input, button: opener, panel: panel, id: "date-picker-" + n,
      focus: parse(input.value) || parse(iso(new Date())) };
    open = state;
    opener.setAttribute("aria-expanded", "true");
    opener.parentNode.appendChild(panel);
    panel.addEventListener("click", function (e) {
      const day = e.target.closest("button[data-date]");
      if (day) pick(state, day.dataset.date);
    });
    panel.addEventListener("keydown", function (e) {
      const on = e.target.closest("button[data-date]");
      const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      if (e.key === "Escape") { e.preventDefault(); close(true); return; }
      if (!on) return;
      const at = parse(on.dataset.date);
      let to = null;
      if (steps[e.key]) to = shift(at, steps[e.key]);
      else if (e.key === "PageUp") to = addMonths(at, -1);
      else if (e.key === "PageDown") to = addMonths(at, 1);
      else if (e.key === "Home") to = shift(at, -((at.getUTCDay() - first + 7) % 7));
      else if (e.key === "End") to = shift(at, 6 - ((at.getUTCDay() - first + 7) % 7));
      if (to) { e.preventDefault(); move(state, to, true); }
    });
    // Tabbing out of the picker closes it (focus goes where it was sent).
    panel.addEventListener("focusout", function (e) {
      if (open === state && e.relatedTarget && !panel.contains(e.relatedTarget)) close(false);
    });
    draw(state);
    panel.querySelector("button[tabindex='0']").focus();
  }

  fields.forEach(function (input, n) {
    const wrap = document.createElement("span");
    wrap.className = "date-field";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    const opener = button(wrap, "▦", say("pick_date"));
    opener.className = "date-pick";
    opener.setAttribute("aria-haspopup", "dialog");
    opener.setAttribute("aria-expanded", "false");
    opener.addEventListener("click", function () {
      if (open && open.input === input) close(true); else show(input, opener, n);
    });
  });
  document.addEventListener("click", function (e) {
    if (open && !open.panel.contains(e.target) && e.target !== open.button) close(false);
  });
})();
