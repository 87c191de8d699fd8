// The main menu folds behind a "Menu" button on a narrow screen (issue #19, reflow): a disclosure button with
// aria-expanded. Without this script the menu simply wraps over several lines.
(function () {
  "use strict";
  var button = document.querySelector(".br-menu-toggle");
  var list = document.getElementById("hoofdmenu");
  if (!button || !list || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 40rem)");
  function apply() {
    var open = button.getAttribute("aria-expanded") === "true";
    button.hidden = !narrow.matches;
    list.hidden = narrow.matches && !open;
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", String(button.getAttribute("aria-expanded") !== "true"));
    apply();
  });
  if (narrow.addEventListener) { narrow.addEventListener("change", apply); }
  apply();
})();
