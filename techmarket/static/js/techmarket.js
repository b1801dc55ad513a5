/* Small behaviours without inline handlers (the Content-Security-Policy forbids those):
   a <select data-autosubmit> submits its form when changed. */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
});

// Technical-parameter rows (catalog/widgets/parameter_rows.html): add and remove rows.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".parameter-add").forEach(function (button) {
    var box = button.parentElement;
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var body = box.querySelector("tbody");
    button.addEventListener("click", function () {
      var row = body.querySelector(".parameter-row").cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      body.appendChild(row);
      row.querySelector("input").focus();
    });
    body.addEventListener("click", function (e) {
      if (!e.target.classList.contains("parameter-remove")) return;
      var rows = body.querySelectorAll(".parameter-row");
      var row = e.target.closest(".parameter-row");
      if (rows.length > 1) { row.remove(); } else { row.querySelectorAll("input").forEach(function (i) { i.value = ""; }); }
    });
  });
});
