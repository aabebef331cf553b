// fsre-bench site: sort a table by any column, filter its rows by the fact menus. No libraries, no network.
"use strict";

function cellValue(row, index, kind) {
  const cell = row.cells[index];
  if (kind === "num") {
    const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent;
    const value = parseFloat(raw);
    return Number.isNaN(value) ? -Infinity : value;
  }
  return cell.textContent.trim().toLowerCase();
}

function sortBy(table, header) {
  const index = Array.from(header.parentNode.children).indexOf(header);
  const kind = header.dataset.kind || "text";
  // Numbers start high-to-low (best score first) except Rank, which starts at 1; a second click reverses.
  const firstAscending = kind === "text" || header.textContent.trim() === "Rank";
  const ascending = header.getAttribute("aria-sort") === "ascending" ? false
    : header.getAttribute("aria-sort") === "descending" ? true : firstAscending;
  for (const other of header.parentNode.children) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index, kind), y = cellValue(b, index, kind);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  });
  for (const row of rows) body.appendChild(row);  // a stable sort: ties keep the ranking's order
}

function applyFilters(section) {
  const selects = Array.from(section.querySelectorAll("select[data-filter]"));
  const rows = Array.from(section.querySelectorAll("table.sortable tbody tr"));
  let shown = 0;
  for (const row of rows) {
    const keep = selects.every((select) => {
      const key = select.dataset.filter.toLowerCase().replace(/ /g, "-");
      return select.value === "" || row.getAttribute("data-" + key) === select.value;
    });
    row.hidden = !keep;
    if (keep) shown += 1;
  }
  const counter = section.querySelector(".shown");
  if (counter) counter.textContent = shown + " of " + rows.length + " rows shown";
}

document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.sortable")) {
    for (const header of table.tHead.rows[0].cells) {
      header.tabIndex = 0;
      header.title = "sort by " + header.textContent.trim();
      header.addEventListener("click", () => sortBy(table, header));
      header.addEventListener("keydown", (event) => { if (event.key === "Enter") sortBy(table, header); });
    }
  }
  for (const section of document.querySelectorAll("section.board")) {
    for (const select of section.querySelectorAll("select[data-filter]")) {
      select.addEventListener("change", () => applyFilters(section));
    }
    applyFilters(section);
  }
});
