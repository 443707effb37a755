// The output panel: stdout exactly as returned, warnings with their lines, the error and its hint.

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { getLanguage, t } from './i18n.js';

// The server sends each hint in English and Korean (error.hint, error.hint_ko).
function localizedHint(problem) {
  return (getLanguage() !== 'en' && problem[`hint_${getLanguage()}`]) || problem.hint;
}

// torch's random functions (and layers, which initialise their weights randomly) without a
// manual_seed: the numbers come from the page's seed, and differ from other machines' draws.
const RANDOM_USE = /\btorch\.(randn|rand|randint|randperm|normal|bernoulli|multinomial)\b|\.(normal_|uniform_|random_)\(|\bnn\.(Linear|Conv[123]d|Bilinear|Embedding|RNN|LSTM|GRU)\b/;

export function seedNote(source, seed) {
  if (!RANDOM_USE.test(source) || /manual_seed\s*\(/.test(source)) return null;
  return t('output.seedNote', { seed });
}

export function renderOutput(panel, result, networkError = null, { source = '', seed = 0 } = {}) {
  const stdout = $(SELECTORS.stdout, panel);
  const warnings = $(SELECTORS.warnings, panel);
  const error = $(SELECTORS.error, panel);
  stdout.textContent = result?.stdout ?? '';
  stdout.dataset.empty = result?.stdout ? 'false' : 'true';
  stdout.dataset.emptyText = t('output.empty');
  const note = $(SELECTORS.seedNote, panel);
  const noteText = result ? seedNote(source, seed) : null;
  note.hidden = !noteText;
  note.textContent = noteText || '';
  const warningList = result?.warnings || [];
  warnings.hidden = warningList.length === 0;
  replaceChildren(
    warnings,
    warningList.length ? h('h4', { text: t('output.warnings') }) : null,
    warningList.map((warning) =>
      h(
        'p',
        { class: 'warning', dataset: { line: warning.line ?? '' } },
        warning.line ? h('span', { class: 'line-ref', text: `${t('output.line', { line: warning.line })}: ` }) : null,
        h('strong', { text: `${warning.category}: ` }),
        warning.message,
      ),
    ),
  );
  const problem = networkError
    ? { type: 'Error', message: t('output.network', { message: networkError.message }) }
    : result?.error;
  error.hidden = !problem;
  if (!problem) {
    replaceChildren(error);
    error.removeAttribute('data-line');
    return;
  }
  error.dataset.line = problem.line ?? '';
  replaceChildren(
    error,
    h(
      'p',
      { class: 'error-message' },
      problem.line ? h('span', { class: 'line-ref', text: `${t('output.line', { line: problem.line })}: ` }) : null,
      h('strong', { text: `${problem.type}: ` }),
      problem.message,
    ),
    problem.hint ? h('p', { class: 'hint', dataset: { testid: 'hint' } }, h('strong', { text: `${t('output.hint')}: ` }), localizedHint(problem)) : null,
  );
}
