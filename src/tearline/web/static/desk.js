// Tearline desk: the little behaviour the pages need. No inline script anywhere (CSP).
"use strict";

// Click a fact: highlight every piece of text it was read from and bring it into view.
function showFact(factId, focus) {
  document.querySelectorAll("mark.fact.active").forEach(function (m) {
    m.classList.remove("active");
  });
  var marks = Array.prototype.filter.call(
    document.querySelectorAll("mark.fact"),
    function (m) { return (m.dataset.facts || "").split(" ").indexOf(factId) >= 0; }
  );
  marks.forEach(function (m) { m.classList.add("active"); });
  if (marks.length && focus) {
    marks[0].setAttribute("tabindex", "-1");
    marks[0].focus({ preventScroll: true });
    marks[0].scrollIntoView({ block: "center" });
  }
  document.querySelectorAll("a.fact-link").forEach(function (a) {
    a.setAttribute("aria-pressed", a.dataset.fact === factId ? "true" : "false");
  });
  return marks.length;
}

document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.fact-link") : null;
  if (!link) { return; }
  event.preventDefault();
  history.replaceState(null, "", "#span-" + link.dataset.fact);
  showFact(link.dataset.fact, true);
});

document.addEventListener("DOMContentLoaded", function () {
  var hash = decodeURIComponent(location.hash || "");
  if (hash.indexOf("#span-") === 0) { showFact(hash.slice(6), true); }
});
