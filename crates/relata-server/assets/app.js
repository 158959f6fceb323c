// Relata's small script: search as you type with keyboard navigation.
// Everything else works without it.
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
      kind.textContent = r.entity;
      li.appendChild(kind);
      li.appendChild(document.createTextNode(r.title || "(untitled)"));
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
