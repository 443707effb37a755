// The UI language: chosen from the browser, switchable, remembered in localStorage.
// Static text carries data-i18n="key" (textContent) or data-i18n-attr="attr:key;attr:key".

import en from './i18n/en.js';
import ko from './i18n/ko.js';

const TABLES = { en, ko };
const STORAGE_KEY = 'autograd-playground.lang';
export const LANGUAGES = Object.freeze(Object.keys(TABLES));

let current = 'en';

export function detectLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be blocked (sandboxed iframes); the browser language still applies.
  }
  if (stored && TABLES[stored]) return stored;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = String(tag || '').toLowerCase().split('-')[0];
    if (TABLES[base]) return base;
  }
  return 'en';
}

export function getLanguage() {
  return current;
}

// A count as the current language writes it (5,000): the one rule for numbers in sentences.
export function formatCount(n) {
  return n.toLocaleString(current);
}

export function setLanguage(lang, { remember = true } = {}) {
  current = TABLES[lang] ? lang : 'en';
  document.documentElement.lang = current;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // Not remembered, but still switched for this page.
    }
  }
  applyTranslations(document);
  return current;
}

export function t(key, params = {}) {
  const text = TABLES[current][key] ?? TABLES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

// An example's title/explanation in the current language (the API sends *_ko fields).
export function localized(record, field) {
  if (!record) return '';
  return (current !== 'en' && record[`${field}_${current}`]) || record[field] || '';
}

export function applyTranslations(root) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of element.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split(':');
      element.setAttribute(attribute.trim(), t(key.trim()));
    }
  }
}
