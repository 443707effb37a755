// The statement slider: which executed statement the graph and variables are shown after.

import { $, SELECTORS } from './dom-hooks.js';
import { t } from './i18n.js';

// `keyScope`: where Alt+ArrowLeft / Alt+ArrowRight step this timeline. The page has one view and
// listens on the whole document; a notebook holds several views, each listening on its own root
// only, so a key press steps the view it happens in and no other.
export function createTimeline(container, { onChange, keyScope = document }) {
  const slider = $(SELECTORS.timeline, container);
  const status = $(SELECTORS.timelineStatus, container);
  const prev = $(SELECTORS.timelinePrev, container);
  const next = $(SELECTORS.timelineNext, container);
  let entries = [];

  // Previous / next statement, as a debugger steps: the buttons, or ArrowLeft / ArrowRight on
  // the slider (the range input's own keys), or Alt+ArrowLeft / Alt+ArrowRight anywhere in
  // `keyScope` outside the editor.
  function step(delta) {
    if (!entries.length) return;
    const index = Math.max(0, Math.min(entries.length - 1, Number(slider.value) + delta));
    if (index === Number(slider.value)) return;
    slider.value = String(index);
    describe(index);
    onChange(index);
  }
  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  keyScope.addEventListener('keydown', (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest?.(SELECTORS.editorSurface)) return;
    if (event.key === 'ArrowLeft') step(-1);
    else if (event.key === 'ArrowRight') step(1);
    else return;
    event.preventDefault();
  });

  function describe(index) {
    const entry = entries[index];
    status.textContent = entry
      ? t('timeline.status', { step: index + 1, total: entries.length, line: entry.line })
      : t('timeline.none');
    slider.setAttribute('aria-valuetext', status.textContent);
    prev.disabled = !entry || index <= 0;
    next.disabled = !entry || index >= entries.length - 1;
  }

  slider.addEventListener('input', () => {
    const index = Number(slider.value);
    describe(index);
    onChange(index);
  });

  return {
    load(timeline) {
      entries = timeline || [];
      slider.min = '0';
      slider.max = String(Math.max(0, entries.length - 1));
      slider.disabled = entries.length === 0;
      slider.value = slider.max;
      describe(entries.length - 1);
    },
    set(index) {
      slider.value = String(index);
      describe(index);
    },
    refresh() {
      describe(Number(slider.value));
    },
  };
}
