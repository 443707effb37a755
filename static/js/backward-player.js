// Play / pause / step controls over the recorded backward passes. Holds only the step counter;
// what the graph shows for a step is computed by backward-replay-state.js.

import { $, BODY_STATE, SELECTORS, setBodyState } from './dom-hooks.js';
import { t } from './i18n.js';

const PLAY_INTERVAL_MS = 700;

export function createBackwardPlayer(container, { onChange }) {
  const stepButton = $(SELECTORS.stepBackward, container);
  const backButton = $(SELECTORS.stepBack, container);
  const playButton = $(SELECTORS.playBackward, container);
  const resetButton = $(SELECTORS.resetBackward, container);
  const status = $(SELECTORS.backwardStatus, container);
  let total = 0;
  let applied = 0;
  let replaying = false;
  let timer = null;

  function update() {
    setBodyState(BODY_STATE.backwardStep, applied);
    container.dataset.replaying = replaying ? 'true' : 'false';
    stepButton.disabled = total === 0 || applied >= total;
    backButton.disabled = !replaying || applied === 0;
    playButton.disabled = total === 0;
    resetButton.disabled = !replaying;
    playButton.dataset.i18n = timer ? 'backward.pause' : 'backward.play';
    playButton.textContent = t(playButton.dataset.i18n);
    playButton.setAttribute('aria-pressed', timer ? 'true' : 'false');
    if (total === 0) status.textContent = t('backward.none');
    else if (!replaying) status.textContent = t('backward.idle');
    else status.textContent = t('backward.status', { step: applied, total });
  }

  function go(newApplied, { keepPlaying = false } = {}) {
    if (!keepPlaying) stopTimer();
    replaying = true;
    applied = Math.max(0, Math.min(total, newApplied));
    update();
    onChange({ replaying, applied });
  }

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  function play() {
    if (timer) {
      stopTimer();
      update();
      return;
    }
    if (!replaying || applied >= total) go(0);
    timer = setInterval(() => {
      if (applied >= total) {
        stopTimer();
        update();
        return;
      }
      go(applied + 1, { keepPlaying: true });
    }, PLAY_INTERVAL_MS);
    update();
  }

  stepButton.addEventListener('click', () => go(replaying ? applied + 1 : 1));
  backButton.addEventListener('click', () => go(applied - 1));
  playButton.addEventListener('click', play);
  resetButton.addEventListener('click', () => {
    stopTimer();
    replaying = false;
    applied = 0;
    update();
    onChange({ replaying, applied });
  });

  return {
    load(stepCount) {
      stopTimer();
      total = stepCount;
      applied = 0;
      replaying = false;
      update();
    },
    // Leaving the replay (e.g. the timeline moved) without notifying back.
    leave() {
      stopTimer();
      replaying = false;
      applied = 0;
      update();
    },
    refresh: update,
    state: () => ({ replaying, applied, total }),
  };
}
