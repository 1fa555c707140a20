// What a widget reads: its language, the page's runtime, its attributes
// (numbers, words), seeded numbers for its examples, and the arrow keys.

import { getRuntime } from "../runtime.js";

/**
 * "en" or "zh": the widget's `lang` attribute, else the nearest `lang` above
 * it, else the page's; anything starting with "zh" is Chinese.
 */
export function langOf(element) {
  const lang = (element.getAttribute("lang") ?? element.closest("[lang]")?.getAttribute("lang") ?? document.documentElement.lang ?? "en").toLowerCase();
  return lang.startsWith("zh") ? "zh" : "en";
}

/**
 * The page's shared runtime. A widget's `backend` attribute ("auto" |
 * "webgpu" | "cpu") chooses the backend when this widget is the first on the
 * page to start the runtime; after that every widget shares the one already
 * running (one wasm instance, one GPU device per page).
 */
export function runtimeOf(element) {
  return getRuntime(element.getAttribute("backend") ?? undefined);
}

/** Seeded values in [−1, 1): the same `seed` gives the same numbers on every machine. */
export function seeded(n, seed) {
  let a = (seed * 2654435761) >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) >>> 0;
    return ((a >>> 8) / (1 << 24)) * 2 - 1;
  });
}

/** A number attribute, clamped to [min, max]; `fallback` when absent or not a number. */
export function numberAttribute(element, name, fallback, min = -Infinity, max = Infinity) {
  const raw = element.getAttribute(name);
  const value = raw === null || raw.trim() === "" ? NaN : Number(raw);
  return Math.max(min, Math.min(max, Number.isFinite(value) ? value : fallback));
}

/** The words of a text attribute (split on white space), `fallback` when absent, at most `max`. */
export function wordsAttribute(element, name, fallback, max) {
  return (element.getAttribute(name) ?? fallback).split(/\s+/).filter(Boolean).slice(0, max);
}

/** Call `move(+1 | −1)` when an arrow key is pressed on `target` (right/down: +1, left/up: −1). */
export function onArrowKeys(target, move) {
  target.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    move(step);
  });
}
