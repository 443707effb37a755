// The examples menu (from /api/v1/examples) and the chosen example's explanation.

import { h, replaceChildren } from './element.js';
import { localized, t } from './i18n.js';

export function createExamplesMenu(select, explanation, { onChoose }) {
  let examples = [];
  select.addEventListener('change', () => {
    const example = examples.find((item) => item.id === select.value);
    show(example);
    if (example) onChoose(example);
  });

  function show(example) {
    explanation.textContent = example ? localized(example, 'explanation') : '';
    explanation.hidden = !example;
  }

  function render() {
    const chosen = select.value;
    replaceChildren(
      select,
      h('option', { value: '', text: t('editor.custom') }),
      examples.map((example) => h('option', { value: example.id, text: localized(example, 'title') || example.id })),
    );
    select.value = chosen;
    show(examples.find((item) => item.id === chosen));
  }

  return {
    load(list) {
      examples = list;
      render();
    },
    render,
    choose(id) {
      select.value = id || '';
      show(examples.find((item) => item.id === id));
    },
    find: (id) => examples.find((item) => item.id === id),
    first: () => examples[0],
    all: () => examples,
  };
}
