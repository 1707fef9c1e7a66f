import type { ReactNode } from "react";
import { html, type Markup } from "@/lib/html";

export type Column<T> = {
  header: string;
  /** The card's title below md: first, without its label. */
  primary?: boolean;
  /** Numbers: right-aligned in the table. */
  numeric?: boolean;
  /** Left out of the table between md and lg, where the sidebar leaves it little room; cards and wide tables show it. */
  optional?: boolean;
} & (
  | { cell: (row: T) => ReactNode; markup?: never }
  /** The cell as markup (lib/html.ts): a table whose every column is markup renders its rows as one string. */
  | { markup: (row: T) => Markup; cell?: never }
);

/** The cell's kind, styled by `.data-table` in app/globals.css. */
function kindOf(c: Column<unknown>): string | undefined {
  return [c.primary && "primary", c.numeric && "numeric", c.optional && "optional"].filter(Boolean).join(" ") || undefined;
}

/**
 * Every list of the dashboard. One table in the DOM: from md up it is a table; below md each row
 * is a card whose cells carry their column's name (`data-label`, drawn by the stylesheet), so
 * nothing scrolls sideways or is cut off. The header row stays for screen readers on small
 * screens, and the explicit roles keep the table's semantics when its display changes.
 *
 * Rows are lean on purpose: a list page renders dozens of them per request, so their styling lives
 * in the stylesheet rather than in class strings repeated per cell, and links in cells are plain
 * anchors that the dashboard's `SoftNavigation` (components/shell/nav-link.tsx) turns into
 * client-side navigations. A list of plain cells (text, links, badges: nothing interactive) gives
 * every column as `markup`: its rows then reach the page as one string, which costs a fraction of
 * what React spends per element on the server (the RSC payload, then the HTML rendered from it).
 * A table mixing the two renders each markup cell from its string.
 */
export function DataTable<T>(props: { caption: string; columns: NoInfer<Column<T>>[]; rows: T[]; rowKey: (row: T) => string; rowTestId?: (row: T) => string }) {
  const columns = props.columns.map((c) => {
    const kind = kindOf(c as Column<unknown>);
    // Attributes a cell leaves out are left out of the RSC payload too, not sent as "$undefined".
    const cellProps = { ...(c.primary ? {} : { "data-label": c.header }), ...(kind ? { className: kind } : {}) };
    return { ...c, kind, cellProps };
  });
  const body = columns.every((c) => c.markup) ? (
    <tbody role="rowgroup" dangerouslySetInnerHTML={{ __html: markupRows(columns, props.rows, props.rowTestId).value }} />
  ) : (
    <tbody role="rowgroup">
      {props.rows.map((row) => (
        <tr key={props.rowKey(row)} role="row" data-testid={props.rowTestId?.(row)}>
          {columns.map((c) =>
            c.markup ? (
              <td key={c.header} role="cell" {...c.cellProps} dangerouslySetInnerHTML={{ __html: c.markup(row).value }} />
            ) : (
              <td key={c.header} role="cell" {...c.cellProps}>
                {c.cell(row)}
              </td>
            ),
          )}
        </tr>
      ))}
    </tbody>
  );
  return (
    <table role="table" className="data-table">
      <caption className="sr-only">{props.caption}</caption>
      <thead role="rowgroup">
        <tr role="row">
          {columns.map((c) => (
            <th key={c.header} role="columnheader" scope="col" className={c.kind}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      {body}
    </table>
  );
}

/** The rows of a table whose every column is markup, with the attributes the React rows carry. */
function markupRows<T>(columns: (Column<T> & { kind?: string })[], rows: T[], rowTestId: ((row: T) => string) | undefined): Markup {
  const cells = columns.map((c) => ({
    open: html`<td role="cell"${!c.primary && html` data-label="${c.header}"`}${c.kind && html` class="${c.kind}"`}>`,
    markup: c.markup as (row: T) => Markup,
  }));
  const row = (r: T) => html`<tr role="row"${rowTestId && html` data-testid="${rowTestId(r)}"`}>${cells.map((c) => html`${c.open}${c.markup(r)}</td>`)}</tr>`;
  return html`${rows.map(row)}`;
}
