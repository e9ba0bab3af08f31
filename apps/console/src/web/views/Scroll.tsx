import type { ComponentChildren } from 'preact';

/**
 * A box that scrolls sideways (a wide table on a phone). It takes the keyboard focus, so that
 * it can be scrolled without a mouse (WCAG 2.1.1; axe's scrollable-region-focusable), and is
 * a named region, so a screen reader says what the focus landed on.
 */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard (see above)
    <section class="scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}

/** A column head: a name, or `{ num }` for a figure's column (right-aligned). */
export type Head = string | { num: string };

/** The three figures every stock table shows, in this order. */
export const figureHeads: Head[] = [{ num: 'On hand' }, { num: 'Reserved' }, { num: 'Available' }];

/**
 * A table in a Scroll, its label also its caption (screen readers name the table by it), its
 * column heads from `heads`, its rows the children.
 */
export function ScrollTable({
  label,
  heads,
  name,
  children,
}: {
  label: string;
  heads: Head[];
  /** `data-table`, for tests that look for this table. */
  name?: string;
  children: ComponentChildren;
}) {
  return (
    <Scroll label={label}>
      <table data-table={name}>
        <caption class="sr-only">{label}</caption>
        <thead>
          <tr>
            {heads.map((head) =>
              typeof head === 'string' ? (
                <th key={head} scope="col">
                  {head}
                </th>
              ) : (
                <th key={head.num} scope="col" class="num">
                  {head.num}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </Scroll>
  );
}
