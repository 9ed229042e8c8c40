// Renders the lineage posted by the extension; never builds HTML from strings.
(function () {
  const vscode = acquireVsCodeApi();
  const body = document.querySelector('#lineage tbody');
  const status = document.getElementById('status');
  const name = document.getElementById('name');

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'loading') {
      status.textContent = 'Proving through exec…';
      return;
    }
    if (m.type === 'error') {
      status.textContent = m.message;
      status.className = 'error';
      return;
    }
    if (m.type !== 'lineage') return;
    name.textContent = m.name;
    body.replaceChildren();
    for (const l of m.levels) {
      const row = document.createElement('tr');
      row.dataset.depth = String(l.depth);
      cell(row, 'L' + l.depth);
      cell(row, l.daemonName, 'mono');
      cell(row, l.containerName);
      const id = cell(row, l.shortId, 'mono id');
      id.title = l.containerId;
      cell(row, l.hostnameInside === null ? '—' : l.hostnameInside, 'mono hostname');
      cell(row, l.matches ? '✓ matches' : l.error ? '✗ ' + l.error : '✗ differs', l.matches ? 'match' : 'mismatch');
      body.appendChild(row);
    }
    const all = m.levels.every((l) => l.matches);
    status.className = all ? 'ok' : 'warn';
    status.textContent = (all ? 'Every level matches.' : 'Not every level matches: what was seen is shown.') + ' Proved at ' + new Date(m.provedAt).toLocaleTimeString() + '.';
  });

  document.getElementById('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  vscode.postMessage({ type: 'ready' });
})();
