/** The properties of an element that can be set: its fields, not its methods. */
export type Props<E> = { [P in keyof E as E[P] extends (...args: never[]) => unknown ? never : P]?: E[P] };

/** Creates an element with properties and children; text always goes in as text, never HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props<HTMLElementTagNameMap[K]> = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  // As attributes too: selectors and assistive technology read these from the markup.
  const aria = props as Props<HTMLElement>;
  if (aria.role) node.setAttribute('role', aria.role);
  if (aria.ariaLabel) node.setAttribute('aria-label', aria.ariaLabel);
  if (aria.ariaHidden) node.setAttribute('aria-hidden', aria.ariaHidden);
  node.append(...children);
  return node;
}
