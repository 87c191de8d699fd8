// Follows a background job (web/job_pages.py): polls its status and goes to the outcome when done.
(function () {
  "use strict";
  var box = document.querySelector(".br-job");
  if (!box) return;
  var bar = document.getElementById("voortgang");
  var status = document.getElementById("taakstatus");
  var error = document.getElementById("taakfout");
  var outcome = document.getElementById("taakuitkomst");
  function show(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + "%";
    status.textContent = state.label + (state.stage && !state.done ? ": " + state.stage : "");
    if (state.error) { error.hidden = false; error.querySelector("p").textContent = state.error; }
    if (state.url) { outcome.hidden = false; outcome.querySelector("a").href = state.url; }
  }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (state.done && state.url && state.status === "klaar") { window.location.assign(state.url); }
        else if (!state.done) { window.setTimeout(poll, 500); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
