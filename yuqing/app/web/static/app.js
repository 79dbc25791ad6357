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
