/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement | SVGSVGElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as unknown as T;
}

/** A table row of text cells (text only: channel names and codes are never parsed as HTML). */
export function row(cells: (string | number | Node)[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c);
    else td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

/** A button with a visible label and, where the label is ambiguous in a list, a fuller name. */
export function button(
  label: string,
  onClick: () => void,
  accessibleName?: string,
): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (accessibleName) b.setAttribute('aria-label', accessibleName);
  b.addEventListener('click', onClick);
  return b;
}

/** The body of the table with this id. */
export function tbody(tableId: string): HTMLTableSectionElement {
  return byId(tableId).querySelector('tbody')!;
}

/** A one-cell row spanning the table, for "nothing here" and errors. */
export function messageRow(text: string, columns: number): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.colSpan = columns;
  td.textContent = text;
  tr.append(td);
  return tr;
}
