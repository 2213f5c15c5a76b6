type Props = Partial<Pick<HTMLElement, 'className' | 'textContent' | 'title' | 'hidden' | 'tabIndex' | 'role' | 'ariaLabel' | 'ariaHidden'>>;

/** Creates an element with properties and children; text always goes in as text, never HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (props.role) node.setAttribute('role', props.role);
  if (props.ariaLabel) node.setAttribute('aria-label', props.ariaLabel);
  if (props.ariaHidden) node.setAttribute('aria-hidden', props.ariaHidden);
  node.append(...children);
  return node;
}
