// Keeps what a visitor types in the nomination form on this device, so a dropped connection or
// a closed tab loses nothing; restores it on return; forgets it once the nomination is received.
(function () {
  var form = document.querySelector("form[data-draft]");
  var skip = { csrf_token: 1, form_id: 1, hp_extra: 1 };
  var sent = document.querySelector("[data-sent-draft]");
  if (sent) {
    try { localStorage.removeItem(sent.getAttribute("data-sent-draft")); } catch (e) {}
    return;
  }
  if (!form) { return; }
  var key = form.getAttribute("data-draft");
  var clear = form.querySelector("[data-clear-draft]");

  function save() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || skip[el.name]) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { data[el.name] = el.value; }
      } else if (el.value) {
        data[el.name] = el.value;
      }
    });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) {}
    if (clear) { clear.hidden = false; }
  }

  function restore() {
    var data;
    try { data = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { data = null; }
    if (!data) { return; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || skip[el.name] || !(el.name in data)) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        // Only fill what the server did not already fill (it wins after a failed submit).
        if (!form.querySelector("[name='" + el.name + "']:checked")) {
          el.checked = el.value === data[el.name];
        }
      } else if (!el.value) {
        el.value = data[el.name];
      }
    });
    if (clear) { clear.hidden = false; }
  }

  // The form carries hx-post, so htmx names the form as the trigger; tell the server which
  // field actually changed, so it answers with that field's error only.
  form.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    if (source && source.name) { event.detail.headers["X-Icon-Field"] = source.name; }
  });

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  if (clear) {
    clear.addEventListener("click", function () {
      try { localStorage.removeItem(key); } catch (e) {}
      form.reset();
      clear.hidden = true;
    });
  }
})();
