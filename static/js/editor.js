// The code editor: CodeMirror 5 (loaded as a classic script, window.CodeMirror) with line numbers,
// Python highlighting, Ctrl/Cmd+Enter to run, an error marker and a current-line marker.
// Keyboard: Tab indents, so Escape then Tab (or Shift+Tab) leaves the editor — the tab-focus
// convention of CodeMirror's accessibility guidance — and nobody is trapped in it (WCAG 2.1.2).

const ERROR_LINE_CLASS = 'cm-error-line';
const CURRENT_LINE_CLASS = 'cm-timeline-line';

export function createEditor(textarea, { onRun }) {
  // Set by Escape, cleared by the next key: Tab and Shift+Tab then move focus instead of indenting.
  let escaped = false;
  const codeMirror = window.CodeMirror.fromTextArea(textarea, {
    // A contenteditable surface inside the scrolling area: screen readers read the code, and the
    // scrollable region holds the focusable element (axe: scrollable-region-focusable).
    inputStyle: 'contenteditable',
    mode: 'python',
    lineNumbers: true,
    indentUnit: 4,
    tabSize: 4,
    indentWithTabs: false,
    styleActiveLine: true,
    viewportMargin: Infinity,
    extraKeys: {
      'Ctrl-Enter': () => onRun(),
      'Cmd-Enter': () => onRun(),
      Tab: (cm) => cm.execCommand('insertSoftTab'),
      'Shift-Tab': (cm) => cm.execCommand('indentLess'),
    },
  });
  codeMirror.on('keydown', (cm, event) => {
    if (event.key === 'Tab' && escaped) {
      escaped = false;
      event.codemirrorIgnore = true; // CodeMirror leaves the key alone: the browser moves focus
    } else if (event.key === 'Escape') {
      escaped = true;
    } else if (event.key !== 'Shift') {
      escaped = false;
    }
  });
  codeMirror.on('blur', () => {
    escaped = false;
  });
  // The editing surface is what screen readers announce: labelled, and relabelled with the page
  // language (applyTranslations reads data-i18n-attr).
  const input = codeMirror.getInputField();
  input.setAttribute('aria-label', textarea.getAttribute('aria-label') || '');
  input.setAttribute('role', 'textbox');
  input.setAttribute('aria-multiline', 'true');
  input.setAttribute('aria-describedby', 'editor-keys');
  if (textarea.dataset.i18nAttr) input.dataset.i18nAttr = textarea.dataset.i18nAttr;

  let errorWidget = null;
  let errorLine = null;
  let currentLine = null;

  function clearError() {
    if (errorWidget) errorWidget.clear();
    if (errorLine !== null) codeMirror.removeLineClass(errorLine, 'background', ERROR_LINE_CLASS);
    errorWidget = null;
    errorLine = null;
  }

  function markError(line, message) {
    clearError();
    if (!line || line < 1 || line > codeMirror.lineCount()) return;
    errorLine = line - 1;
    codeMirror.addLineClass(errorLine, 'background', ERROR_LINE_CLASS);
    const note = document.createElement('div');
    note.className = 'editor-error-message';
    note.dataset.testid = 'editor-error';
    note.dataset.line = String(line);
    note.textContent = message;
    // Clicking the message puts the cursor on the failing line, ready to fix it.
    note.addEventListener('mousedown', (event) => {
      event.preventDefault();
      codeMirror.focus();
      codeMirror.setCursor({ line: errorLine ?? line - 1, ch: 0 });
    });
    errorWidget = codeMirror.addLineWidget(errorLine, note, { coverGutter: false });
    codeMirror.scrollIntoView({ line: errorLine, ch: 0 }, 40);
  }

  function markCurrentLine(line) {
    if (currentLine !== null) {
      codeMirror.removeLineClass(currentLine, 'background', CURRENT_LINE_CLASS);
    }
    currentLine = null;
    if (!line || line < 1 || line > codeMirror.lineCount()) return;
    currentLine = line - 1;
    codeMirror.addLineClass(currentLine, 'background', CURRENT_LINE_CLASS);
  }

  return {
    getSource: () => codeMirror.getValue(),
    setSource: (source) => {
      clearError();
      markCurrentLine(null);
      codeMirror.setValue(source);
    },
    onChange: (callback) => codeMirror.on('change', callback),
    markError,
    clearError,
    markCurrentLine,
    refresh: () => codeMirror.refresh(),
    focus: () => codeMirror.focus(),
    hasFocus: () => codeMirror.hasFocus(),
  };
}
