// jsdom has no layout engine: Svelte's bind:clientHeight needs a ResizeObserver to exist, and with no
// layout every element measures 0, which the virtual list treats as "render the overscan rows only".
import '@testing-library/svelte/vitest';

if (!('ResizeObserver' in globalThis)) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
