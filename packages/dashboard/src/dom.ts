/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement | SVGSVGElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as unknown as T;
}

/** A table row of text cells (text only: channel names and codes are never parsed as HTML). */
export function row(cells: (string | number)[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}
