// Formulas.  pymdownx.arithmatex (generic mode) leaves each formula's TeX in an element of
// class "arithmatex", wrapped in \[ \] (display) or \( \) (inline); KaTeX, served from this
// site (see package.json), typesets it in place.  A formula KaTeX cannot read is reported on
// the console, which the site's browser tests fail on, and is left as its TeX source.  A
// formula wider than the column scrolls sideways, so it takes the keyboard focus too.
(() => {
  const WRAPS = { "\\[": ["\\]", true], "\\(": ["\\)", false] };
  for (const element of document.querySelectorAll(".arithmatex")) {
    const text = element.textContent.trim();
    const [close, displayMode] = WRAPS[text.slice(0, 2)] || [];
    if (!close || !text.endsWith(close)) {
      console.error("FRS formula without \\[ \\] or \\( \\):", text);
      continue;
    }
    try {
      katex.render(text.slice(2, -2), element, { displayMode, throwOnError: true });
      if (element.scrollWidth > element.clientWidth) element.tabIndex = 0;
    } catch (error) {
      console.error("FRS formula KaTeX cannot read:", text, error.message);
    }
  }
})();
