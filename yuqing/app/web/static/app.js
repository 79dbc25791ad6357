// yuqing web: progressive enhancement only; every page works without JavaScript.
// Forms with data-confirm ask before submitting (resolve, expire a silence, ...).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// Filter selects with data-autosubmit submit their form when changed.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
// A "select all" checkbox (data-select-all=NAME) ticks every checkbox NAME of its form.
document.addEventListener("change", function (event) {
  var el = event.target;
  var name = el.getAttribute && el.getAttribute("data-select-all");
  if (name && el.form) {
    el.form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
      box.checked = el.checked;
    });
  }
});
// Auto-refresh (data-autorefresh=SECONDS): remembered per browser; never while the officer
// has ticked rows or is typing, so a reload does not throw work away.
(function () {
  var box = document.querySelector("input[data-autorefresh]");
  if (!box) {
    return;
  }
  var key = "yuqing.autorefresh";
  var seconds = parseInt(box.getAttribute("data-autorefresh"), 10) || 60;
  try {
    box.checked = window.localStorage.getItem(key) === "1";
  } catch (e) {
    box.checked = false;
  }
  box.addEventListener("change", function () {
    try {
      window.localStorage.setItem(key, box.checked ? "1" : "0");
    } catch (e) {
      // storage disabled: the choice lasts for this page only
    }
  });
  window.setInterval(function () {
    var busy = document.querySelector("input[name=incident]:checked") ||
      (document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) &&
        document.activeElement !== box);
    if (box.checked && !busy) {
      window.location.reload();
    }
  }, seconds * 1000);
})();
