// Swap 422 (a form with its errors) in place; leave other errors unswapped so a full error page is
// never injected into a fragment, and show a short notice instead.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrf_token]");
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token.value;
  }
});
