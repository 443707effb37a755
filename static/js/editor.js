// The code editor: CodeMirror 5 (loaded as a classic script, window.CodeMirror) with line numbers,
// Python highlighting, Ctrl/Cmd+Enter to run, an error marker and a current-line marker.

const ERROR_LINE_CLASS = 'cm-error-line';
const CURRENT_LINE_CLASS = 'cm-timeline-line';

export function createEditor(textarea, { onRun }) {
  const codeMirror = window.CodeMirror.fromTextArea(textarea, {
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
    },
  });
  // The hidden textarea is what tests and screen readers see first; keep it labelled.
  codeMirror.getInputField().setAttribute('aria-label', textarea.getAttribute('aria-label') || '');

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
  };
}
