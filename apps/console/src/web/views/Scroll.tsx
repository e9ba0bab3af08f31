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
