// The statement slider: which executed statement the graph and variables are shown after.

import { $, SELECTORS } from './dom-hooks.js';
import { t } from './i18n.js';

export function createTimeline(container, { onChange }) {
  const slider = $(SELECTORS.timeline, container);
  const status = $(SELECTORS.timelineStatus, container);
  let entries = [];

  function describe(index) {
    const entry = entries[index];
    status.textContent = entry
      ? t('timeline.status', { step: index + 1, total: entries.length, line: entry.line })
      : t('timeline.none');
    slider.setAttribute('aria-valuetext', status.textContent);
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
