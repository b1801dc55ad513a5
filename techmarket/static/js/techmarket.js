/* Small behaviours without inline handlers (the Content-Security-Policy forbids those):
   a <select data-autosubmit> submits its form when changed. */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
});
