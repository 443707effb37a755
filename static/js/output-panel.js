// The output panel: stdout exactly as returned, warnings with their lines, the error and its hint.

import { $, SELECTORS } from './dom-hooks.js';
import { h, replaceChildren } from './element.js';
import { t } from './i18n.js';

export function renderOutput(panel, result, networkError = null) {
  const stdout = $(SELECTORS.stdout, panel);
  const warnings = $(SELECTORS.warnings, panel);
  const error = $(SELECTORS.error, panel);
  stdout.textContent = result?.stdout ?? '';
  stdout.dataset.empty = result?.stdout ? 'false' : 'true';
  stdout.dataset.emptyText = t('output.empty');
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
    problem.hint ? h('p', { class: 'hint' }, h('strong', { text: `${t('output.hint')}: ` }), problem.hint) : null,
  );
}
