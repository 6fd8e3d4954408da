/**
 * Calls `onChange` whenever anything laid out above `element` changes size: its
 * earlier siblings and those of each of its ancestors (a page header that wraps, a
 * connection banner or a notice that appears). Pages that size themselves to "what the
 * window leaves below" re-measure from here, instead of each knowing what sits above.
 */
export function watchAbove(element: HTMLElement, onChange: () => void): () => void {
  const observer = new ResizeObserver(() => onChange());
  for (let node: Element | null = element; node && node !== document.body; node = node.parentElement) {
    for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) observer.observe(sibling);
  }
  return () => observer.disconnect();
}
