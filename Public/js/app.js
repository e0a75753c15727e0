// Progressive enhancement only: every page works without this file.
// Buttons with data-confirm ask before submitting (dissolve, disable, revoke).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Contest countdowns. The server's clock decides: the page carries the seconds left as the
// server computed them, so a wrong phone clock changes nothing; at zero the answers are sent.
(function () {
  function format(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d > 0 ? d + " ngày " : "") + two(h) + ":" + two(m) + ":" + two(s);
  }
  var loaded = Date.now();
  var timer = document.getElementById("quiz-timer");
  if (timer) {
    var remaining = parseInt(timer.getAttribute("data-remaining"), 10) || 0;
    var out = timer.querySelector(".countdown-value");
    var sent = false;
    var tick = function () {
      var left = Math.max(0, remaining - Math.floor((Date.now() - loaded) / 1000));
      out.textContent = format(left);
      if (left <= 60) { timer.classList.add("urgent"); }
      if (left === 0 && !sent) {
        sent = true;
        var form = document.getElementById("attempt-form");
        if (form) { form.submit(); }
      }
    };
    tick();
    setInterval(tick, 1000);
  }
  var countdowns = document.querySelectorAll("[data-countdown]");
  Array.prototype.forEach.call(countdowns, function (node) {
    var target = Date.parse(node.getAttribute("data-countdown"));
    var value = node.querySelector(".countdown-value");
    var update = function () { value.textContent = format(Math.max(0, Math.floor((target - Date.now()) / 1000))); };
    update();
    setInterval(update, 1000);
  });
})();

// Unit pickers: a <select data-picker> gets a search box (type part of a name, with or without
// marks; arrows and Enter, or a tap, pick) and the chosen units as chips; the select stays in
// the form and is what is sent. Without this file it is a plain select. With data-source, the
// options to search are those of that <datalist> (one per page, shared by every row), and the
// select holds only the chosen ones; the row's typed-name box is then the fallback.
(function () {
  var body = document.body;
  var text = {
    search: body.getAttribute("data-picker-search") || "",
    none: body.getAttribute("data-picker-none") || "",
    remove: body.getAttribute("data-picker-remove") || "{0}"
  };
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  var sources = {};
  function itemsOf(select) {
    var id = select.getAttribute("data-source");
    if (id) {
      if (!sources[id]) {
        var list = document.getElementById(id);
        sources[id] = list ? Array.prototype.map.call(list.options, function (o) {
          return { id: o.getAttribute("data-id"), label: o.value, folded: fold(o.value) };
        }) : [];
      }
      return sources[id];
    }
    return Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; }).map(function (o) {
      var label = o.text.replace(/^(— )+/, "");
      return { id: o.value, label: label, shown: o.text, folded: fold(label) };
    });
  }
  var counter = 0;
  function enhance(select) {
    counter += 1;
    var items = itemsOf(select);
    var own = !select.getAttribute("data-source");
    var box = document.createElement("div");
    box.className = "picker";
    var chips = document.createElement("ul");
    chips.className = "picker-chips";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "picker-search";
    input.id = (select.id || "picker-" + counter) + "-search";
    input.placeholder = text.search;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = input.id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    select.parentNode.insertBefore(box, select.nextSibling);
    select.hidden = true;
    if (select.id) {
      var label = document.querySelector("label[for='" + select.id + "']");
      if (label) { label.setAttribute("for", input.id); }
    }
    var typed = select.parentNode.querySelector(".picker-typed");
    if (typed && typed.value === "") { typed.hidden = true; typed.disabled = true; }
    var matches = [];
    var active = -1;

    function chosen() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value !== ""; });
    }
    function drawChips() {
      chips.textContent = "";
      chosen().forEach(function (option) {
        var chip = document.createElement("li");
        chip.className = "picker-chip";
        chip.setAttribute("data-id", option.value);
        var name = document.createElement("span");
        name.textContent = option.text.replace(/^(— )+/, "");
        chip.appendChild(name);
        var canClear = select.multiple || Array.prototype.some.call(select.options, function (o) { return o.value === ""; });
        if (canClear) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "×";
          button.setAttribute("aria-label", text.remove.replace("{0}", name.textContent));
          button.addEventListener("click", function () {
            option.selected = false;
            if (!own && select.multiple) { option.remove(); }
            if (!select.multiple) { select.value = ""; }
            select.dispatchEvent(new Event("change", { bubbles: true }));
            drawChips();
            input.focus();
          });
          chip.appendChild(button);
        }
        chips.appendChild(chip);
      });
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function draw() {
      list.textContent = "";
      if (matches.length === 0) {
        var empty = document.createElement("li");
        empty.className = "picker-none";
        empty.textContent = text.none;
        list.appendChild(empty);
      }
      matches.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = list.id + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("data-id", item.id);
        li.setAttribute("aria-selected", index === active ? "true" : "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { pick(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
        var current = document.getElementById(list.id + "-" + active);
        if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest" }); }
      }
    }
    function search() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      if (words.length === 0) { close(); return; }
      matches = [];
      for (var i = 0; i < items.length && matches.length < 30; i++) {
        var folded = items[i].folded;
        if (words.every(function (w) { return folded.indexOf(w) >= 0; })) { matches.push(items[i]); }
      }
      active = matches.length > 0 ? 0 : -1;
      draw();
    }
    function pick(item) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === item.id; });
      if (!option) {
        option = new Option(item.label, item.id, true, true);
        select.appendChild(option);
      }
      if (select.multiple) { option.selected = true; } else { select.value = item.id; }
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      close();
      drawChips();
      input.focus();
    }
    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { search(); }
        if (matches.length === 0) { return; }
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        draw();
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && matches[active]) {
          event.preventDefault();
          pick(matches[active]);
        } else if (input.value !== "") {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    drawChips();
  }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-picker]"), enhance);
})();

// Buttons with data-print print the page (a citizen's receipt).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
});
