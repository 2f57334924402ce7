// The live debugger page of the local sink. Plain browser JavaScript, no build step, no network
// beyond the sink itself. Everything a message holds is shown with textContent, never as markup:
// payloads are user data. Only the rows in view are in the document, so the page stays responsive
// with the whole history loaded.
'use strict';

(() => {
  const ROW_HEIGHT = 28;
  const OVERSCAN = 8;
  const MAX_REQUESTS = 1000;
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const withToken = (path) => (token === null ? path : `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);

  const state = {
    config: { traceUrl: null, maxHistory: 100000 },
    /** Every entry received, oldest first, bounded by config.maxHistory. */
    entries: [],
    lastSeq: 0,
    requests: [],
    /** Entries at or below are hidden by Clear; above `frozenSeq` they wait for Resume. */
    clearedSeq: 0,
    clearedRequest: 0,
    frozenSeq: Infinity,
    view: ['messages', 'traces', 'requests'].includes(params.get('view')) ? params.get('view') : 'messages',
    detailMode: 'pretty',
    selectedSeq: null,
    rows: [],
    connection: 'connecting',
  };

  const fields = { type: $('f-type'), event: $('f-event'), user: $('f-user'), trace: $('f-trace'), q: $('f-q'), problems: $('f-problems') };
  for (const [name, input] of Object.entries(fields)) {
    const value = params.get(name);
    if (value === null) continue;
    if (input.type === 'checkbox') input.checked = value === '1';
    else input.value = value;
  }

  // ---- reading an entry -------------------------------------------------------------------------

  const text = (value) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));
  const traceOf = (entry) => {
    const otel = entry.message.context && typeof entry.message.context === 'object' ? entry.message.context.otel : undefined;
    return otel && typeof otel.traceId === 'string' ? otel.traceId : '';
  };
  const whoOf = (m) => (m.userId !== undefined && m.userId !== null ? text(m.userId) : m.anonymousId !== undefined ? `anon ${text(m.anonymousId)}` : '');
  const whatOf = (m) => text(m.type === 'track' ? m.event : m.type === 'group' ? m.groupId : m.type === 'alias' ? m.previousId : m.name);
  const timeOf = (entry) => {
    const stamp = typeof entry.message.timestamp === 'string' ? entry.message.timestamp : entry.receivedAt;
    return stamp.length >= 23 ? stamp.slice(11, 23) : stamp;
  };
  const sizeOf = (bytes) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);
  const searchTextOf = (entry) => (entry.searchText ??= JSON.stringify(entry.message).toLowerCase());

  function prepare(entry) {
    entry.trace = traceOf(entry);
    entry.who = whoOf(entry.message);
    entry.what = whatOf(entry.message);
    entry.type = text(entry.message.type);
    return entry;
  }

  // ---- filtering, grouping ----------------------------------------------------------------------

  function currentFilter() {
    return {
      type: fields.type.value,
      event: fields.event.value.trim().toLowerCase(),
      user: fields.user.value.trim().toLowerCase(),
      trace: fields.trace.value.trim().toLowerCase(),
      q: fields.q.value.trim().toLowerCase(),
      problems: fields.problems.checked,
    };
  }

  function matches(entry, f) {
    if (entry.seq <= state.clearedSeq || entry.seq > state.frozenSeq) return false;
    if (f.type !== '' && entry.type !== f.type) return false;
    if (f.problems && entry.problems.length === 0) return false;
    if (f.event !== '' && !entry.what.toLowerCase().includes(f.event)) return false;
    if (f.user !== '' && !entry.who.toLowerCase().includes(f.user)) return false;
    if (f.trace !== '' && !entry.trace.includes(f.trace)) return false;
    if (f.q !== '' && !searchTextOf(entry).includes(f.q)) return false;
    return true;
  }

  /** The entries shown, oldest first. */
  function shownEntries() {
    const f = currentFilter();
    return state.entries.filter((entry) => matches(entry, f));
  }

  function buildRows() {
    const shown = shownEntries();
    state.shownCount = shown.length;
    if (state.view !== 'traces') {
      state.rows = shown.reverse();
      return;
    }
    const groups = new Map();
    for (let i = shown.length - 1; i >= 0; i--) {
      const entry = shown[i];
      const key = entry.trace;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(entry);
    }
    const rows = [];
    for (const [trace, members] of groups) {
      if (trace === '') continue;
      rows.push({ group: trace, count: members.length }, ...members);
    }
    const untraced = groups.get('');
    if (untraced !== undefined) rows.push({ group: '', count: untraced.length }, ...untraced);
    state.rows = rows;
  }

  // ---- rendering --------------------------------------------------------------------------------

  const viewport = $('viewport');
  const spacer = $('spacer');
  const pool = [];

  function cell(row, className) {
    const span = document.createElement('span');
    span.className = className;
    row.append(span);
    return span;
  }

  function makeRow() {
    const row = document.createElement('div');
    row.className = 'row';
    row.setAttribute('role', 'option');
    row.cells = {
      time: cell(row, 'c-time'), type: cell(row, 'c-type'), who: cell(row, 'c-who'), what: cell(row, 'c-what'),
      trace: cell(row, 'c-trace'), size: cell(row, 'c-size'), mark: cell(row, 'c-mark'),
    };
    row.addEventListener('click', (event) => {
      if (event.target instanceof HTMLAnchorElement) return;
      if (row.entry !== undefined) select(row.entry.seq, false);
      else if (row.groupTrace) setField('trace', row.groupTrace);
    });
    spacer.append(row);
    return row;
  }

  function traceCell(span, trace) {
    span.replaceChildren();
    if (trace === '') return;
    if (state.config.traceUrl) {
      const link = document.createElement('a');
      link.href = state.config.traceUrl.replaceAll('{traceId}', encodeURIComponent(trace));
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = trace;
      span.append(link);
    } else {
      span.textContent = trace;
    }
  }

  function fillRow(row, item, index) {
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.id = `row-${index}`;
    const c = row.cells;
    if (item.group !== undefined) {
      row.entry = undefined;
      row.groupTrace = item.group;
      row.className = 'row group';
      row.removeAttribute('data-seq');
      row.dataset.trace = item.group;
      row.setAttribute('aria-selected', 'false');
      c.time.textContent = `${item.count} message${item.count === 1 ? '' : 's'}`;
      c.type.textContent = '';
      c.who.textContent = item.group === '' ? 'no trace' : 'trace';
      c.what.textContent = '';
      traceCell(c.trace, item.group);
      c.size.textContent = '';
      c.mark.textContent = '';
      c.mark.removeAttribute('title');
      return;
    }
    row.entry = item;
    row.groupTrace = undefined;
    row.className = item.problems.length > 0 ? 'row bad' : 'row';
    row.dataset.seq = String(item.seq);
    row.dataset.trace = item.trace;
    row.setAttribute('aria-selected', String(item.seq === state.selectedSeq));
    c.time.textContent = timeOf(item);
    c.type.textContent = item.type;
    c.who.textContent = item.who;
    c.what.textContent = item.what;
    traceCell(c.trace, item.trace);
    c.size.textContent = sizeOf(item.bytes);
    if (item.problems.length > 0) {
      c.mark.textContent = '!';
      c.mark.title = item.problems.map((p) => `${p.path || 'message'}: ${p.message}`).join('\n');
      c.mark.setAttribute('aria-label', `${item.problems.length} problem(s)`);
    } else {
      c.mark.textContent = '';
      c.mark.removeAttribute('title');
      c.mark.removeAttribute('aria-label');
    }
  }

  function renderList() {
    spacer.style.height = `${state.rows.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(state.rows.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (pool.length < needed) pool.push(makeRow());
    for (let i = 0; i < pool.length; i++) {
      const row = pool[i];
      if (i < needed) {
        row.hidden = false;
        fillRow(row, state.rows[first + i], first + i);
      } else {
        row.hidden = true;
        row.entry = undefined;
        row.removeAttribute('data-seq');
      }
    }
    const selectedIndex = state.rows.findIndex((row) => row.seq === state.selectedSeq);
    if (selectedIndex === -1) viewport.removeAttribute('aria-activedescendant');
    else viewport.setAttribute('aria-activedescendant', `row-${selectedIndex}`);
  }

  function renderStatus() {
    const waiting = state.frozenSeq === Infinity ? 0 : state.entries.filter((entry) => entry.seq > state.frozenSeq).length;
    const live = state.connection !== 'live' ? state.connection : state.frozenSeq === Infinity ? 'live' : `paused, ${waiting} new`;
    $('status').textContent = `${state.shownCount ?? 0} shown of ${state.entries.length} received · ${live}`;
    $('status').dataset.shown = String(state.shownCount ?? 0);
    $('status').dataset.received = String(state.entries.length);
  }

  function renderRequests() {
    const body = $('requests');
    const rows = [];
    for (let i = state.requests.length - 1; i >= 0; i--) {
      const r = state.requests[i];
      if (r.id <= state.clearedRequest) break;
      const tr = document.createElement('tr');
      tr.dataset.status = String(r.status);
      if (r.status >= 300) tr.className = 'failed';
      const values = [
        r.receivedAt.slice(11, 23), String(r.id), String(r.status), String(r.count), String(r.bytes), r.gzip ? 'gzip' : '',
        r.skewMillis === undefined || r.skewMillis === null ? '' : `${r.skewMillis} ms`, r.writeKey ?? '', r.fault ? `simulated ${r.fault}` : r.error ?? '',
      ];
      for (const value of values) {
        const td = document.createElement('td');
        td.textContent = value;
        tr.append(td);
      }
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }

  let scheduled = false;
  let rowsStale = true;
  function schedule(rebuild) {
    rowsStale ||= rebuild;
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (rowsStale) buildRows();
      rowsStale = false;
      if (state.view === 'requests') renderRequests();
      else renderList();
      renderStatus();
    });
  }

  // ---- detail -----------------------------------------------------------------------------------

  const entryBySeq = (seq) => {
    // Entries are in seq order, so a binary search finds one among a whole day's history.
    let low = 0;
    let high = state.entries.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = state.entries[middle];
      if (candidate.seq === seq) return candidate;
      if (candidate.seq < seq) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  };

  function jsonText(entry) {
    return state.detailMode === 'raw' ? JSON.stringify(entry.message) : JSON.stringify(entry.message, null, 2);
  }

  function renderDetail() {
    const entry = state.selectedSeq === null ? undefined : entryBySeq(state.selectedSeq);
    $('detail').hidden = entry === undefined;
    if (entry === undefined) return;
    $('d-title').textContent = `${entry.type} ${entry.what}`.trim();
    $('d-problems').replaceChildren(
      ...entry.problems.map((problem) => {
        const li = document.createElement('li');
        li.dataset.source = problem.source;
        li.textContent = `${problem.path || '(message)'}: ${problem.message} [${problem.source}, ${problem.code}]`;
        return li;
      }),
    );
    const r = entry.request;
    const facts = [
      ['received', entry.receivedAt],
      ['request', `#${r.id}: ${r.count} message${r.count === 1 ? '' : 's'}, ${r.bytes} bytes${r.gzip ? ' gzip' : ''}`],
      ['sentAt', r.sentAt === undefined || r.sentAt === null ? '(none)' : `${text(r.sentAt)}${r.skewMillis === undefined || r.skewMillis === null ? '' : ` (received ${r.skewMillis} ms later)`}`],
      ['writeKey', r.writeKey === undefined || r.writeKey === null ? '(none)' : `${r.writeKey} (${r.writeKeySource})`],
      ['size', `${entry.bytes} bytes of JSON`],
    ];
    $('d-request').replaceChildren(
      ...facts.flatMap(([name, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        dd.textContent = value;
        dd.dataset.fact = name;
        return [dt, dd];
      }),
    );
    $('d-pretty').setAttribute('aria-selected', String(state.detailMode === 'pretty'));
    $('d-raw').setAttribute('aria-selected', String(state.detailMode === 'raw'));
    $('d-json').textContent = jsonText(entry);
  }

  function select(seq, scroll) {
    state.selectedSeq = seq;
    renderDetail();
    if (scroll) {
      const index = state.rows.findIndex((row) => row.seq === seq);
      if (index !== -1) {
        const top = index * ROW_HEIGHT;
        if (top < viewport.scrollTop) viewport.scrollTop = top;
        else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
      }
    }
    schedule(false);
  }

  function move(step) {
    const entries = state.rows.filter((row) => row.seq !== undefined);
    if (entries.length === 0) return;
    const at = entries.findIndex((row) => row.seq === state.selectedSeq);
    const next = at === -1 ? 0 : Math.min(entries.length - 1, Math.max(0, at + step));
    select(entries[next].seq, true);
  }

  async function copyJson() {
    const entry = state.selectedSeq === null ? undefined : entryBySeq(state.selectedSeq);
    if (entry === undefined) return;
    const value = jsonText(entry);
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const range = document.createRange();
      range.selectNodeContents($('d-json'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      document.execCommand('copy');
    }
    $('d-copy').textContent = 'Copied';
    setTimeout(() => ($('d-copy').textContent = 'Copy'), 1200);
  }

  // ---- URL, view, actions -----------------------------------------------------------------------

  function saveUrl() {
    const next = new URLSearchParams();
    if (token !== null) next.set('token', token);
    for (const [name, input] of Object.entries(fields)) {
      if (input.type === 'checkbox' ? input.checked : input.value !== '') next.set(name, input.type === 'checkbox' ? '1' : input.value);
    }
    if (state.view !== 'messages') next.set('view', state.view);
    const query = next.toString();
    history.replaceState(null, '', query === '' ? location.pathname : `${location.pathname}?${query}`);
  }

  function setField(name, value) {
    fields[name].value = value;
    saveUrl();
    schedule(true);
  }

  function setView(view) {
    state.view = view;
    for (const tab of document.querySelectorAll('[data-view]')) tab.setAttribute('aria-selected', String(tab.dataset.view === view));
    $('list-pane').hidden = view === 'requests';
    $('requests-pane').hidden = view !== 'requests';
    saveUrl();
    schedule(true);
  }

  function togglePause() {
    state.frozenSeq = state.frozenSeq === Infinity ? state.lastSeq : Infinity;
    $('pause').setAttribute('aria-pressed', String(state.frozenSeq !== Infinity));
    $('pause').textContent = state.frozenSeq === Infinity ? 'Pause' : 'Resume';
    schedule(true);
  }

  function exportShown() {
    const lines = shownEntries().map((entry) => `${JSON.stringify(entry.message)}\n`);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob(lines, { type: 'application/x-ndjson' }));
    link.download = `sink-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  function renderFault(fault) {
    $('fault-state').textContent = fault === null ? '' : `armed: ${fault.kind} for the next ${fault.remaining} request${fault.remaining === 1 ? '' : 's'}`;
    $('fault-state').dataset.kind = fault === null ? '' : fault.kind;
  }

  async function sendFault(method, body) {
    const response = await fetch(withToken('/api/faults'), {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (response.ok) renderFault(answer.fault);
    else $('fault-state').textContent = answer.error;
  }

  for (const input of Object.values(fields)) input.addEventListener(input.tagName === 'SELECT' || input.type === 'checkbox' ? 'change' : 'input', () => {
    saveUrl();
    schedule(true);
  });
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  for (const tab of document.querySelectorAll('[data-view]')) tab.addEventListener('click', () => setView(tab.dataset.view));
  $('pause').addEventListener('click', togglePause);
  $('clear').addEventListener('click', () => {
    state.clearedSeq = state.lastSeq;
    state.clearedRequest = state.requests.length === 0 ? 0 : state.requests[state.requests.length - 1].id;
    state.selectedSeq = null;
    renderDetail();
    schedule(true);
  });
  $('export').addEventListener('click', exportShown);
  $('fault-arm').addEventListener('click', () => void sendFault('POST', { kind: $('fault-kind').value, count: Number($('fault-count').value) }));
  $('fault-off').addEventListener('click', () => void sendFault('DELETE'));
  $('d-close').addEventListener('click', () => {
    state.selectedSeq = null;
    renderDetail();
    schedule(false);
    viewport.focus();
  });
  $('d-pretty').addEventListener('click', () => {
    state.detailMode = 'pretty';
    renderDetail();
  });
  $('d-raw').addEventListener('click', () => {
    state.detailMode = 'raw';
    renderDetail();
  });
  $('d-copy').addEventListener('click', () => void copyJson());
  viewport.addEventListener('scroll', () => schedule(false), { passive: true });
  addEventListener('resize', () => schedule(false));
  viewport.addEventListener('keydown', (event) => {
    const steps = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 10, PageUp: -10, Home: -Infinity, End: Infinity };
    if (event.key in steps) {
      event.preventDefault();
      move(Math.max(-1e9, Math.min(1e9, steps[event.key])));
    } else if (event.key === 'Enter' && state.selectedSeq !== null) {
      $('d-json').focus();
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if (event.key === 'Escape' && state.selectedSeq !== null) {
      state.selectedSeq = null;
      renderDetail();
      schedule(false);
      viewport.focus();
    } else if (!typing && event.key === '/') {
      event.preventDefault();
      fields.q.focus();
    } else if (!typing && event.key === 'p' && !event.ctrlKey && !event.metaKey) {
      togglePause();
    }
  });

  // ---- data -------------------------------------------------------------------------------------

  function receive(entries) {
    for (const entry of entries) {
      if (entry.seq <= state.lastSeq) continue;
      state.entries.push(prepare(entry));
      state.lastSeq = entry.seq;
    }
    const excess = state.entries.length - state.config.maxHistory;
    if (excess > 0) state.entries.splice(0, excess);
    schedule(true);
  }

  function addRequest(record) {
    state.requests.push(record);
    if (state.requests.length > MAX_REQUESTS) state.requests.splice(0, state.requests.length - MAX_REQUESTS);
    if (state.view === 'requests') schedule(false);
  }

  async function start() {
    setView(state.view);
    const response = await fetch(withToken('/api/state'));
    if (!response.ok) {
      $('status').textContent = `cannot load: ${(await response.json()).error}`;
      return;
    }
    const initial = await response.json();
    state.config = initial.config;
    receive(initial.entries);
    for (const record of initial.requests) addRequest(record);
    renderFault(initial.fault);
    const stream = new EventSource(withToken(`/api/stream?after=${state.lastSeq}`));
    stream.addEventListener('open', () => {
      state.connection = 'live';
      schedule(false);
    });
    stream.addEventListener('error', () => {
      state.connection = 'reconnecting';
      schedule(false);
    });
    stream.addEventListener('messages', (event) => receive(JSON.parse(event.data)));
    stream.addEventListener('request', (event) => addRequest(JSON.parse(event.data)));
    stream.addEventListener('faults', (event) => renderFault(JSON.parse(event.data)));
  }

  start().catch((error) => ($('status').textContent = `cannot load: ${error.message}`));
})();
