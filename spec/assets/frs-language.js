// The language switch (overrides/partials/alternate.html links the same page in the other
// edition): keep the reader's anchor too.  A requirement's anchor is its ID, and a heading
// has the same anchor in both editions, so the reader lands on the same clause.
(() => {
  for (const link of document.querySelectorAll(".md-select__link[hreflang]")) {
    link.addEventListener("click", (event) => {
      if (!location.hash) return;
      event.preventDefault();
      event.stopPropagation();  // Material's own switch would drop the anchor
      location.href = link.href.split("#")[0] + location.hash;
    });
  }
})();
