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
