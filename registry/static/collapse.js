/* Collapsible blocks on a phone (the officer menu, a list's filter): a button with
   aria-controls shows or hides the block it names.  Without this script nothing is hidden. */
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var button = event.target.closest(".collapse-toggle");
  if (!button) { return; }
  var block = document.getElementById(button.getAttribute("aria-controls"));
  if (!block) { return; }
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  block.classList.toggle("open", open);
});
/* A refused form's error summary takes the focus, so that it is read first (issue 34 §3). */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});
