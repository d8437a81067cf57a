// Filters for a generated table, in the browser, with no server.  A container
// `<div class="frs-filter" data-filter="Chapter Classes Status">` gets one drop-down per
// named column of its table, listing the values found in that column; a row stays shown
// when it matches every choice.  A cell may hold several values, comma-separated; the
// value "all" (a requirement that names no class) matches every choice.  Without
// JavaScript the whole table is shown.
(() => {
  const values = (cell) => cell.textContent.split(",").map((v) => v.trim()).filter(Boolean);
  // The Chinese edition (frs_tools/languages.py) writes "all" as 全部.
  const zh = document.documentElement.lang === "zh";
  const ALL = zh ? "全部" : "all";

  for (const box of document.querySelectorAll(".frs-filter[data-filter]")) {
    const table = box.querySelector("table");
    if (!table) continue;
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const rows = [...table.querySelectorAll("tbody tr")];
    const bar = document.createElement("form");
    bar.className = "frs-filter-bar";
    bar.setAttribute("aria-label", zh ? "筛选表格" : "Filter the table");
    const count = document.createElement("output");
    count.setAttribute("aria-live", "polite");
    const choices = [];
    for (const name of box.dataset.filter.split(" ")) {
      const column = heads.indexOf(name);
      if (column < 0) continue;
      const found = new Set(rows.flatMap((row) => values(row.cells[column])));
      found.delete(ALL);
      const select = document.createElement("select");
      select.add(new Option(zh ? "任意" : "any", ""));
      for (const value of [...found].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))) {
        select.add(new Option(value, value));
      }
      const label = document.createElement("label");
      label.append(`${name} `, select);
      bar.append(label);
      choices.push([column, select]);
    }
    const apply = () => {
      let shown = 0;
      for (const row of rows) {
        const keep = choices.every(([column, select]) => {
          const cell = values(row.cells[column]);
          return !select.value || cell.includes(select.value) || cell.includes(ALL);
        });
        row.hidden = !keep;
        shown += keep;
      }
      count.value = zh ? `显示 ${shown} / ${rows.length}` : `${shown} of ${rows.length} shown`;
    };
    bar.addEventListener("change", apply);
    bar.append(count);
    box.prepend(bar);
    apply();
  }
})();
