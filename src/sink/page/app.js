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
    /** The sink's run this page shows; a stream naming another means the sink restarted. */
    instance: null,
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
    /** The entries shown, oldest first, as the list and the chart read them. */
    shown: [],
    connection: 'connecting',
    /** Failed requests since the Requests view was last open. */
    unseenFailures: 0,
    /** The request the Requests view points at, from a message's detail. */
    currentRequest: null,
  };

  const fields = { type: $('f-type'), event: $('f-event'), user: $('f-user'), trace: $('f-trace'), request: $('f-request'), q: $('f-q'), problems: $('f-problems') };
  for (const [name, input] of Object.entries(fields)) {
    const value = params.get(name);
    if (value === null) continue;
    if (input.type === 'checkbox') input.checked = value === '1';
    else input.value = value;
  }

  // ---- reading an entry -------------------------------------------------------------------------

  const text = (value) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));
  const otelOf = (entry) => {
    const context = entry.message.context;
    const otel = context && typeof context === 'object' ? context.otel : undefined;
    return otel && typeof otel === 'object' ? otel : {};
  };
  const traceOf = (entry) => (typeof otelOf(entry).traceId === 'string' ? otelOf(entry).traceId : '');
  const serviceOf = (entry) => {
    const resource = otelOf(entry).resource;
    return resource && typeof resource === 'object' && typeof resource['service.name'] === 'string' ? resource['service.name'] : '';
  };
  const whoOf = (m) => (m.userId !== undefined && m.userId !== null ? text(m.userId) : m.anonymousId !== undefined ? `anon ${text(m.anonymousId)}` : '');
  const whatOf = (m) => text(m.type === 'track' ? m.event : m.type === 'group' ? m.groupId : m.type === 'alias' ? m.previousId : m.name);
  /** A time of day in UTC from any ISO 8601 form (with or without milliseconds or an offset); the text itself when it is not one. */
  const clockOf = (stamp) => {
    if (typeof stamp !== 'string') return stamp === undefined || stamp === null ? '' : text(stamp);
    const millis = Date.parse(stamp);
    return Number.isNaN(millis) ? stamp : new Date(millis).toISOString().slice(11, 23);
  };
  const sizeOf = (bytes) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);
  const searchTextOf = (entry) => (entry.searchText ??= JSON.stringify(entry.message).toLowerCase());

  function prepare(entry) {
    entry.trace = traceOf(entry);
    entry.traceKey = entry.trace.toLowerCase();
    entry.service = serviceOf(entry);
    entry.second = Math.floor(Date.parse(entry.receivedAt) / 1000);
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
      request: fields.request.value.trim() === '' ? null : Number(fields.request.value.trim().replace(/^#/, '')),
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
    if (f.trace !== '' && !entry.traceKey.includes(f.trace)) return false;
    if (f.request !== null && entry.request.id !== f.request) return false;
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
    state.shown = shown;
    state.shownCount = shown.length;
    if (state.view !== 'traces') {
      state.rows = shown.slice().reverse();
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
      time: cell(row, 'c-time'), recv: cell(row, 'c-recv'), type: cell(row, 'c-type'), who: cell(row, 'c-who'), what: cell(row, 'c-what'),
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

  /** Fills `element` with the trace id, as a link to the trace viewer when `--trace-url` names one. */
  function traceCell(element, trace) {
    element.replaceChildren();
    if (trace === '') return;
    if (state.config.traceUrl) {
      const link = document.createElement('a');
      link.href = state.config.traceUrl.replaceAll('{traceId}', encodeURIComponent(trace));
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = trace;
      element.append(link);
    } else {
      element.textContent = trace;
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
      c.recv.textContent = '';
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
    c.time.textContent = clockOf(item.message.timestamp);
    c.recv.textContent = clockOf(item.receivedAt);
    c.type.textContent = item.type;
    c.who.textContent = item.who;
    c.what.textContent = item.what;
    traceCell(c.trace, item.trace);
    c.size.textContent = sizeOf(item.bytes);
    if (item.problems.length > 0) {
      c.mark.textContent = '!';
      c.mark.title = item.problems.map(problemText).join('\n');
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

  /** A request's message count; for one the sink kept, a button that lists its messages. */
  function messagesCell(r) {
    const td = document.createElement('td');
    if (r.status !== 200 || r.count === 0) {
      td.textContent = String(r.count);
      return td;
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'to-messages';
    button.title = `Show the messages of request #${r.id}`;
    button.textContent = `${r.count} →`;
    button.addEventListener('click', () => {
      fields.request.value = String(r.id);
      setView('messages');
    });
    td.append(button);
    return td;
  }

  function renderRequests() {
    const body = $('requests');
    const rows = [];
    for (let i = state.requests.length - 1; i >= 0; i--) {
      const r = state.requests[i];
      if (r.id <= state.clearedRequest) break;
      const tr = document.createElement('tr');
      tr.dataset.status = String(r.status);
      tr.dataset.id = String(r.id);
      tr.className = `${r.status >= 300 ? 'failed' : ''} ${r.id === state.currentRequest ? 'current' : ''}`.trim();
      const values = [
        clockOf(r.receivedAt), String(r.id), String(r.status), null, String(r.bytes), r.gzip ? 'gzip' : '',
        r.skewMillis === undefined || r.skewMillis === null ? '' : `${r.skewMillis} ms`, r.writeKey ?? '', r.fault ? `simulated ${r.fault}` : r.error ?? '',
      ];
      for (const value of values) {
        if (value === null) {
          tr.append(messagesCell(r));
          continue;
        }
        const td = document.createElement('td');
        td.textContent = value;
        tr.append(td);
      }
      rows.push(tr);
    }
    body.replaceChildren(...rows);
    const current = body.querySelector('tr.current');
    if (current !== null) current.scrollIntoView({ block: 'nearest' });
  }

  function renderBadge() {
    const badge = $('requests-badge');
    badge.hidden = state.unseenFailures === 0;
    badge.textContent = String(state.unseenFailures);
    badge.title = `${state.unseenFailures} failed request${state.unseenFailures === 1 ? '' : 's'} since you last looked`;
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
      const rebuilt = rowsStale;
      rowsStale = false;
      if (state.view === 'requests') renderRequests();
      else {
        renderList();
        if (rebuilt) renderOverview();
      }
      renderStatus();
      renderBadge();
    });
  }

  // ---- overview: messages per second and per event name -------------------------------------------

  const WINDOW_SECONDS = 60;
  const SPARK_BUCKETS = 20;
  const MAX_SERIES = 6;
  const MAX_COUNTS = 30;
  const PROBLEMS = 'problems';
  const OTHER = 'other';
  const PALETTE = ['#4e79a7', '#59a14f', '#f28e2b', '#76b7b2', '#edc948', '#af7aa1', '#9c755f'];
  const SVG = 'http://www.w3.org/2000/svg';
  const chartBox = $('chart');
  let chart = null;
  let chartLabels = '';

  const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const nameOf = (entry) => entry.what || entry.type || '(none)';

  /** The seconds the chart shows: the last WINDOW_SECONDS up to now (or the newest arrival, if the clocks differ). */
  function chartWindow(shown) {
    const newest = shown.length === 0 ? 0 : shown[shown.length - 1].second;
    const end = Math.max(Math.floor(Date.now() / 1000), Number.isFinite(newest) ? newest : 0);
    return { start: end - WINDOW_SECONDS + 1, end };
  }

  function renderOverview() {
    if (typeof uPlot === 'undefined') return;
    const shown = state.shown;
    const by = $('chart-by').value;
    const { start } = chartWindow(shown);
    const perGroup = new Map();
    const perName = new Map();
    const bucketSeconds = WINDOW_SECONDS / SPARK_BUCKETS;
    for (const entry of shown) {
      const name = nameOf(entry);
      let counted = perName.get(name);
      if (counted === undefined) perName.set(name, (counted = { count: 0, problems: 0, spark: new Array(SPARK_BUCKETS).fill(0) }));
      counted.count++;
      if (entry.problems.length > 0) counted.problems++;
      const offset = entry.second - start;
      if (!(offset >= 0 && offset < WINDOW_SECONDS)) continue;
      counted.spark[Math.floor(offset / bucketSeconds)]++;
      // A message with problems counts under problems only, so the stack adds up to the messages.
      const group = entry.problems.length > 0 ? PROBLEMS : by === 'event' ? name : entry.type || '(none)';
      let seconds = perGroup.get(group);
      if (seconds === undefined) perGroup.set(group, (seconds = new Array(WINDOW_SECONDS).fill(0)));
      seconds[offset]++;
    }
    drawChart(start, perGroup);
    renderCounts(perName);
  }

  function drawChart(start, perGroup) {
    const total = (counts) => counts.reduce((sum, n) => sum + n, 0);
    const ranked = [...perGroup.entries()].filter(([group]) => group !== PROBLEMS).sort((a, b) => total(b[1]) - total(a[1]));
    const kept = ranked.slice(0, MAX_SERIES);
    if (ranked.length > MAX_SERIES) {
      const other = new Array(WINDOW_SECONDS).fill(0);
      for (const [, counts] of ranked.slice(MAX_SERIES)) counts.forEach((n, i) => (other[i] += n));
      kept.push([OTHER, other]);
    }
    // Bottom to top: problems first, in their own colour, so they are never hidden under the rest.
    const layers = perGroup.has(PROBLEMS) ? [[PROBLEMS, perGroup.get(PROBLEMS)], ...kept] : kept;
    const xs = Array.from({ length: WINDOW_SECONDS }, (_, i) => start + i);
    const stacked = [];
    let running = new Array(WINDOW_SECONDS).fill(0);
    for (const [, counts] of layers) {
      running = running.map((n, i) => n + counts[i]);
      stacked.push(running);
    }
    // uPlot draws in series order: the tallest stack first, each lower one over it.
    const drawn = layers.map((layer, i) => ({ label: layer[0], raw: layer[1], values: stacked[i], colour: layer[0] === PROBLEMS ? cssVar('--warn') : PALETTE[i % PALETTE.length] })).reverse();
    chartBox.dataset.total = String(total(running));
    chartBox.dataset.series = drawn.map((series) => series.label).join('\n');
    const labels = drawn.map((series) => `${series.label}\u0000${series.colour}`).join('\n');
    const data = [xs, ...drawn.map((series) => series.values)];
    renderLegend(drawn);
    if (chart !== null && labels === chartLabels) {
      chart.setData(data);
      return;
    }
    chart?.destroy();
    chartLabels = labels;
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--line'), width: 1 }, ticks: { stroke: cssVar('--line'), width: 1 }, font: '11px system-ui, sans-serif' };
    const clock = (u, splits) => splits.map((seconds) => new Date(seconds * 1000).toISOString().slice(11, 19));
    chart = new uPlot(
      {
        ...chartSize(),
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        legend: { show: false },
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        axes: [{ ...axis, values: clock, size: 28 }, { ...axis, size: 36 }],
        series: [
          { label: 'UTC' },
          ...drawn.map((series) => ({
            label: series.label,
            stroke: series.colour,
            fill: series.colour,
            width: 0,
            points: { show: false },
            paths: uPlot.paths.bars({ size: [1, 100], gap: 1 }),
          })),
        ],
      },
      data,
      chartBox,
    );
  }

  function chartSize() {
    return { width: Math.max(200, chartBox.clientWidth), height: Math.max(60, chartBox.clientHeight) };
  }

  /** The series' names and colours, bottom of the stack first, with their counts in the window. */
  function renderLegend(drawn) {
    $('chart-legend').replaceChildren(
      ...drawn
        .slice()
        .reverse()
        .map((series) => {
          const item = document.createElement('span');
          const swatch = document.createElement('i');
          swatch.style.background = series.colour;
          item.append(swatch, `${series.label} ${series.raw.reduce((sum, n) => sum + n, 0)}`);
          return item;
        }),
    );
  }

  function sparkline(spark) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${SPARK_BUCKETS - 1} 16`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    const line = document.createElementNS(SVG, 'polyline');
    const top = Math.max(1, ...spark);
    line.setAttribute('points', spark.map((n, i) => `${i},${(15 - (n / top) * 14).toFixed(1)}`).join(' '));
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
    return svg;
  }

  function renderCounts(perName) {
    const ranked = [...perName.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, MAX_COUNTS);
    $('counts').replaceChildren(
      ...ranked.map(([name, { count, problems, spark }]) => {
        const li = document.createElement('li');
        li.dataset.name = name;
        li.className = problems > 0 ? 'bad' : '';
        li.title = `${name}: ${count} shown${problems > 0 ? `, ${problems} with problems` : ''}; the line is the last ${WINDOW_SECONDS} s. Click to filter.`;
        const label = document.createElement('span');
        label.className = 'name';
        label.textContent = name;
        const number = document.createElement('span');
        number.className = 'count';
        number.textContent = String(count);
        li.append(label, sparkline(spark), number);
        li.addEventListener('click', () => setField('event', name));
        return li;
      }),
    );
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

  /** A problem said once: its field path only when its own words do not start with it. */
  function problemText(problem) {
    const path = problem.path && problem.path !== '(message)' ? problem.path : '';
    return path === '' || problem.message.startsWith(path) ? problem.message : `${path}: ${problem.message}`;
  }

  /**
   * The paths to mark in the JSON: each problem's field, or the nearest field above it that the
   * message has (a missing property marks its object).
   */
  function markedPaths(entry) {
    const marked = new Set();
    for (const problem of entry.problems) {
      if (!problem.path || problem.path === '(message)') continue;
      const steps = problem.path.split('.');
      let value = entry.message;
      let depth = 0;
      while (depth < steps.length && value !== null && typeof value === 'object' && Object.hasOwn(value, steps[depth])) value = value[steps[depth++]];
      if (depth > 0) marked.add(steps.slice(0, depth).join('.'));
    }
    return marked;
  }

  /**
   * Pretty JSON with the fields in `marked` wrapped in <mark>: the same text as
   * JSON.stringify(value, null, 2), built from text nodes, never from markup.
   */
  function appendJson(parent, value, indent, path, marked) {
    if (value === null || typeof value !== 'object') {
      parent.append(JSON.stringify(value));
      return;
    }
    const isArray = Array.isArray(value);
    const keys = isArray ? value.map((_, index) => index) : Object.keys(value);
    if (keys.length === 0) {
      parent.append(isArray ? '[]' : '{}');
      return;
    }
    const inner = `${indent}  `;
    parent.append(isArray ? '[\n' : '{\n');
    keys.forEach((key, index) => {
      const childPath = path === '' ? String(key) : `${path}.${key}`;
      const holder = marked.has(childPath) ? document.createElement('mark') : parent;
      parent.append(inner);
      if (holder !== parent) {
        holder.dataset.path = childPath;
        parent.append(holder);
      }
      if (!isArray) holder.append(`${JSON.stringify(key)}: `);
      appendJson(holder, value[key], inner, childPath, marked);
      parent.append(index < keys.length - 1 ? ',\n' : '\n');
    });
    parent.append(`${indent}${isArray ? ']' : '}'}`);
  }

  /** A detail fact's value: text, or a link or button made here (never from payload markup). */
  function factValue(dd, value) {
    if (typeof value === 'function') value(dd);
    else dd.textContent = value;
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
        li.textContent = `${problemText(problem)} [${problem.source}, ${problem.code}]`;
        return li;
      }),
    );
    const r = entry.request;
    const requestLink = (dd) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'to-request';
      button.title = 'Show this request in Requests';
      button.textContent = `#${r.id}`;
      button.addEventListener('click', () => {
        state.currentRequest = r.id;
        setView('requests');
      });
      dd.append(button, `: ${r.count} message${r.count === 1 ? '' : 's'}, ${r.bytes} bytes${r.gzip ? ' gzip' : ''}`);
    };
    const facts = [
      ['time', entry.message.timestamp === undefined ? '(none)' : `${clockOf(entry.message.timestamp)} UTC (${text(entry.message.timestamp)})`],
      ['received', `${clockOf(entry.receivedAt)} UTC (${entry.receivedAt})`],
      ...(entry.service === '' ? [] : [['service', entry.service]]),
      ...(entry.trace === '' ? [] : [['trace', (dd) => traceCell(dd, entry.trace)]]),
      ['request', requestLink],
      ['sentAt', r.sentAt === undefined || r.sentAt === null ? '(none)' : `${text(r.sentAt)}${r.skewMillis === undefined || r.skewMillis === null ? '' : ` (received ${r.skewMillis} ms later)`}`],
      ['writeKey', r.writeKey === undefined || r.writeKey === null ? '(none)' : `${r.writeKey} (${r.writeKeySource})`],
      ['size', `${entry.bytes} bytes of JSON`],
    ];
    $('d-request').replaceChildren(
      ...facts.flatMap(([name, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        factValue(dd, value);
        dd.dataset.fact = name;
        return [dt, dd];
      }),
    );
    $('d-pretty').setAttribute('aria-selected', String(state.detailMode === 'pretty'));
    $('d-raw').setAttribute('aria-selected', String(state.detailMode === 'raw'));
    if (state.detailMode === 'raw') $('d-json').textContent = jsonText(entry);
    else {
      $('d-json').replaceChildren();
      appendJson($('d-json'), entry.message, '', '', markedPaths(entry));
    }
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
    $('overview').hidden = view === 'requests';
    if (view === 'requests') {
      // Seen now, not at the next frame: the tab the user just opened must not still count.
      state.unseenFailures = 0;
      renderBadge();
    }
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
    state.unseenFailures = 0;
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
  addEventListener('resize', () => {
    chart?.setSize(chartSize());
    schedule(false);
  });
  $('chart-by').addEventListener('change', renderOverview);
  // The chart's axes take their colours when it is made: a new scheme makes it anew.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    chartLabels = '';
    renderOverview();
  });
  // The chart's window moves with the clock even when nothing arrives.
  setInterval(() => {
    if (state.view !== 'requests') renderOverview();
  }, 1000);
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
    if (record.status >= 300 && state.view !== 'requests') state.unseenFailures++;
    if (state.requests.length > MAX_REQUESTS) state.requests.splice(0, state.requests.length - MAX_REQUESTS);
    schedule(false);
  }

  let stream = null;

  /** Loads the sink's state and follows its stream; again from nothing when the sink has restarted. */
  async function load() {
    const response = await fetch(withToken('/api/state'));
    if (!response.ok) {
      $('status').textContent = `cannot load: ${(await response.json()).error}`;
      return;
    }
    const initial = await response.json();
    Object.assign(state, {
      instance: initial.instance, entries: [], lastSeq: 0, requests: [], clearedSeq: 0, clearedRequest: 0,
      frozenSeq: state.frozenSeq === Infinity ? Infinity : 0, selectedSeq: null, unseenFailures: 0, currentRequest: null,
    });
    state.config = initial.config;
    renderDetail();
    receive(initial.entries);
    for (const record of initial.requests) addRequest(record);
    renderFault(initial.fault);
    stream?.close();
    stream = new EventSource(withToken(`/api/stream?after=${state.lastSeq}`));
    stream.addEventListener('hello', (event) => {
      // A new run of the sink numbers its messages from 1 again: what this page holds is another run's.
      if (JSON.parse(event.data).instance !== state.instance) {
        state.connection = 'sink restarted, reloading';
        schedule(false);
        load().catch((error) => ($('status').textContent = `cannot load: ${error.message}`));
        return;
      }
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

  async function start() {
    setView(state.view);
    await load();
  }

  start().catch((error) => ($('status').textContent = `cannot load: ${error.message}`));
})();
