// Which colour each service's bars take when the waterfall colours by service. No DOM: the
// slots are CSS classes (`svc-0` … `svc-6` in styles/bars.css), each a theme colour, so light, dark
// and high contrast themes all give their own readable version of the same palette.

/** Colours in the palette (styles/bars.css declares one `svc-N` class per slot). Red is left out: it means failed. */
export const SERVICE_PALETTE_SIZE = 7;

/** FNV-1a over the name's UTF-16 units: a small, stable number per service name. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A palette slot per service, in the order given. A service keeps its colour from run to run
 * (the slot comes from its name), and two services of one run never share one while the
 * palette has room: a taken slot passes to the next free one, services taken in name order
 * so the outcome does not depend on which arrived first. Past the palette's size, slots repeat.
 */
export function serviceSlots(services: readonly string[]): number[] {
  const slots = new Map<string, number>();
  const taken = new Set<number>();
  for (const name of [...new Set(services)].sort()) {
    let slot = hash(name) % SERVICE_PALETTE_SIZE;
    if (taken.size < SERVICE_PALETTE_SIZE) while (taken.has(slot)) slot = (slot + 1) % SERVICE_PALETTE_SIZE;
    taken.add(slot);
    slots.set(name, slot);
  }
  return services.map((name) => slots.get(name)!);
}
