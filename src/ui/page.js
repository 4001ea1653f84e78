// The page at /: polls api/groups at the exporter's page interval, renders the host totals and the
// table (sortable by click and keyboard, filterable), and for a selected group its charts (uPlot), its
// PromQL and, when the exporter allows it, its processes. Only same-origin requests; no inline code.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  // ---- formatting
  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  function bytes(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    let i = 0;
    while (Math.abs(v) >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + UNITS[i];
  }
  const rate = (v) => (v === 0 ? '0' : bytes(v) + '/s');
  const percent = (v) => (v === null || v === undefined ? '–' : (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + '%');
  function age(seconds) {
    if (seconds === null || !isFinite(seconds)) return '–';
    const s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + (s % 60) + 's';
    return s + 's';
  }
  const count = (v) => String(v);

  // ---- columns: key, header, how a row shows it, how it sorts
  const COLUMNS = [
    { key: 'name', label: 'Group', text: true },
    { key: 'cpuPercent', label: 'CPU', fmt: (g) => percent(g.cpuPercent), sub: (g) => 'user ' + percent(g.cpuUserPercent) + ' · sys ' + percent(g.cpuSystemPercent), query: 'cpu' },
    { key: 'residentBytes', label: 'Resident', fmt: (g) => bytes(g.residentBytes), query: 'resident' },
    { key: 'proportionalResidentBytes', label: 'Proportional', fmt: (g) => bytes(g.proportionalResidentBytes), opt: true, smaps: true, query: 'proportionalResident' },
    { key: 'swappedBytes', label: 'Swap', fmt: (g) => bytes(g.swappedBytes), opt: true, query: 'swapped' },
    { key: 'readBytesPerSecond', label: 'Read', fmt: (g) => rate(g.readBytesPerSecond), query: 'readBps', hideOnPhone: true },
    { key: 'writeBytesPerSecond', label: 'Write', fmt: (g) => rate(g.writeBytesPerSecond), query: 'writeBps', hideOnPhone: true },
    { key: 'openFds', label: 'FDs', fmt: (g) => count(g.openFds), sub: (g) => 'worst ' + percent(g.worstFdRatio * 100), opt: true, query: 'openFds' },
    { key: 'threads', label: 'Threads', fmt: (g) => count(g.threads), opt: true, query: 'numThreads' },
    { key: 'procs', label: 'Procs', fmt: (g) => count(g.procs), query: 'numProcs', hideOnPhone: true },
    { key: 'age', label: 'Running', fmt: (g) => age(g.age), opt: true, query: 'oldest' },
    { key: 'spark', label: 'CPU trend', nosort: true },
  ];
  const QUERY_LABELS = [
    ['cpu', 'CPU %'], ['cpuUser', 'CPU % user'], ['cpuSystem', 'CPU % system'], ['resident', 'Resident memory'],
    ['proportionalResident', 'Proportional memory'], ['swapped', 'Swap'], ['readBps', 'Read bytes/s'], ['writeBps', 'Write bytes/s'],
    ['openFds', 'Open file descriptors'], ['worstFdRatio', 'Worst fd ratio (open / limit)'], ['numThreads', 'Threads'],
    ['numProcs', 'Processes'], ['oldest', 'Seconds since the oldest started'],
  ];

  const state = {
    data: null,
    sortKey: 'cpuPercent',
    sortDesc: true,
    filter: '',
    selected: null,
    timer: 0,
    charts: null,
    inFlight: false,
  };

  // ---- fetching
  async function getJson(url) {
    const res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!res.ok) throw new Error(res.status + ' ' + (await res.text()).trim());
    return res.json();
  }

  async function refresh() {
    clearTimeout(state.timer);
    if (state.inFlight) return;
    state.inFlight = true;
    let wait = 3000;
    try {
      const data = await getJson('api/groups');
      state.data = data;
      wait = Math.max(500, data.intervalSeconds * 1000);
      render();
      if (state.selected !== null) await refreshDetail();
      $('status').textContent = 'Updated ' + new Date(data.updatedAt).toLocaleTimeString() + ', every ' + data.intervalSeconds + ' s';
    } catch (e) {
      $('status').textContent = 'Cannot read the exporter: ' + e.message;
    } finally {
      state.inFlight = false;
      if (!document.hidden) state.timer = setTimeout(refresh, wait);
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refresh();
    else clearTimeout(state.timer);
  });

  // ---- header and table
  function buildHead() {
    const tr = $('head');
    tr.textContent = '';
    for (const c of COLUMNS) {
      const th = document.createElement('th');
      th.scope = 'col';
      if (!c.text) th.className = 'n';
      if (c.opt) th.classList.add('opt');
      if (c.hideOnPhone) th.classList.add('opt-phone');
      th.dataset.key = c.key;
      if (c.nosort) {
        th.textContent = c.label;
      } else {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.key = c.key;
        b.textContent = c.label;
        b.addEventListener('click', () => sortBy(c.key));
        th.appendChild(b);
      }
      tr.appendChild(th);
    }
    markSort();
  }

  function markSort() {
    for (const th of $('head').children) {
      if (th.dataset.key === state.sortKey) th.setAttribute('aria-sort', state.sortDesc ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
  }

  function sortBy(key) {
    if (state.sortKey === key) state.sortDesc = !state.sortDesc;
    else { state.sortKey = key; state.sortDesc = key !== 'name'; }
    markSort();
    render();
  }

  function sortValue(g, key) {
    const v = g[key];
    return v === null || v === undefined ? -Infinity : v;
  }

  function visibleRows() {
    const data = state.data;
    if (!data) return [];
    const now = data.updatedAt / 1000;
    const f = state.filter.toLowerCase();
    const rows = data.groups
      .filter((g) => f === '' || g.name.toLowerCase().includes(f))
      .map((g) => Object.assign({}, g, { age: g.oldestStartTime === null ? null : now - g.oldestStartTime }));
    const k = state.sortKey;
    const dir = state.sortDesc ? -1 : 1;
    rows.sort((a, b) => {
      if (k === 'name') return dir * (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      const d = sortValue(a, k) - sortValue(b, k);
      return d !== 0 ? dir * d : a.name < b.name ? -1 : 1;
    });
    return rows;
  }

  function sparkline(values) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 90 22');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('aria-hidden', 'true');
    const base = document.createElementNS(SVG, 'line');
    base.setAttribute('x1', '0'); base.setAttribute('x2', '90'); base.setAttribute('y1', '21'); base.setAttribute('y2', '21');
    svg.appendChild(base);
    if (values.length >= 2) {
      const max = Math.max(10, ...values);
      const step = 90 / (values.length - 1);
      const pts = values.map((v, i) => (i * step).toFixed(1) + ',' + (21 - (v / max) * 19).toFixed(1)).join(' ');
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', pts);
      svg.appendChild(line);
    }
    return svg;
  }

  function render() {
    const data = state.data;
    if (!data) return;
    renderHost(data.host);
    $('metrics-link').href = data.telemetryPath;
    const showSmaps = data.gatherSmaps;
    for (const th of $('head').children) {
      if (th.dataset.key === 'proportionalResidentBytes') th.hidden = !showSmaps;
    }
    const rows = visibleRows();
    const body = $('rows');
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('#rows tr');
    const focusedName = focused ? focused.dataset.group : null;
    const frag = document.createDocumentFragment();
    for (const g of rows) {
      const tr = document.createElement('tr');
      tr.dataset.group = g.name;
      tr.tabIndex = 0;
      tr.setAttribute('aria-selected', String(g.name === state.selected));
      for (const c of COLUMNS) {
        const td = document.createElement('td');
        if (c.key === 'name') {
          td.className = 'name';
          td.textContent = g.name;
          td.title = g.name;
        } else if (c.key === 'spark') {
          td.appendChild(sparkline(g.spark));
        } else {
          td.className = 'n';
          td.textContent = c.fmt(g);
          if (c.sub) {
            const s = document.createElement('span');
            s.className = 'sub';
            s.textContent = c.sub(g);
            td.appendChild(s);
          }
        }
        if (c.opt) td.classList.add('opt');
        if (c.hideOnPhone) td.classList.add('opt-phone');
        if (c.smaps && !showSmaps) td.hidden = true;
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    if (focusedName !== null) {
      for (const tr of body.children) if (tr.dataset.group === focusedName) tr.focus();
    }
    $('count').textContent = rows.length === data.groups.length ? data.groups.length + ' groups' : rows.length + ' of ' + data.groups.length + ' groups';
  }

  function renderHost(h) {
    if (!h) {
      $('host-cpu').textContent = 'unavailable';
      $('host-mem').textContent = 'unavailable';
      return;
    }
    $('host-cpu').textContent = h.cpuBusyPercent === null ? '…' : percent(h.cpuBusyPercent) + ' of ' + h.cores + (h.cores === 1 ? ' core' : ' cores');
    $('host-cpu-bar').style.width = (h.cpuBusyPercent || 0).toFixed(1) + '%';
    $('host-mem').textContent = bytes(h.memoryUsedBytes) + ' of ' + bytes(h.memoryTotalBytes);
    $('host-mem-bar').style.width = (h.memoryTotalBytes > 0 ? (100 * h.memoryUsedBytes) / h.memoryTotalBytes : 0).toFixed(1) + '%';
  }

  $('rows').addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr');
    if (tr) select(tr.dataset.group);
  });
  $('rows').addEventListener('keydown', (ev) => {
    const tr = ev.target.closest('tr');
    if (!tr) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      select(tr.dataset.group);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const next = ev.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
      if (next) next.focus();
    }
  });
  $('filter').addEventListener('input', (ev) => {
    state.filter = ev.target.value;
    render();
  });
  $('detail-close').addEventListener('click', () => select(null));

  // ---- the selected group
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function select(name) {
    state.selected = name;
    for (const tr of $('rows').children) tr.setAttribute('aria-selected', String(tr.dataset.group === name));
    destroyCharts();
    if (name === null) {
      $('detail').hidden = true;
      return;
    }
    $('detail').hidden = false;
    $('detail-title').textContent = name;
    renderQueries(name);
    refreshDetail();
  }

  function promqlString(v) {
    return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  }

  function renderQueries(name) {
    const body = $('queries').tBodies[0];
    body.textContent = '';
    const q = state.data ? state.data.queries : {};
    for (const [key, label] of QUERY_LABELS) {
      if (!q[key]) continue;
      if (key === 'proportionalResident' && state.data && !state.data.gatherSmaps) continue;
      const expr = q[key].split('{{group}}').join(promqlString(name));
      const tr = document.createElement('tr');
      const l = document.createElement('td');
      l.textContent = label;
      const c = document.createElement('td');
      const code = document.createElement('code');
      code.textContent = expr;
      c.appendChild(code);
      const b = document.createElement('td');
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = 'Copy';
      btn.setAttribute('aria-label', 'Copy the PromQL for ' + label);
      btn.addEventListener('click', () => copy(expr, code, btn));
      b.appendChild(btn);
      tr.append(l, c, b);
      body.appendChild(tr);
    }
  }

  function copy(text, code, btn) {
    const done = () => {
      btn.textContent = 'Copied';
      setTimeout(() => (btn.textContent = 'Copy'), 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => selectText(code));
    } else {
      selectText(code);
    }
  }

  function selectText(el) {
    const r = document.createRange();
    r.selectNodeContents(el);
    const s = window.getSelection();
    s.removeAllRanges();
    s.addRange(r);
  }

  function destroyCharts() {
    if (state.charts) {
      state.charts.cpu.destroy();
      state.charts.mem.destroy();
      state.charts = null;
    }
  }

  function chartWidth(el) {
    return Math.max(240, Math.floor(el.getBoundingClientRect().width));
  }

  function makeCharts(showSmaps) {
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--line'), width: 1 }, ticks: { stroke: cssVar('--line'), width: 1 } };
    const bytesAxis = Object.assign({}, axis, { size: 70, values: (u, vals) => vals.map(bytes) });
    const pctAxis = Object.assign({}, axis, { size: 50, values: (u, vals) => vals.map((v) => v + '%') });
    const cpuEl = $('chart-cpu');
    const memEl = $('chart-mem');
    const cpu = new uPlot({
      width: chartWidth(cpuEl), height: 200,
      scales: { y: { range: (u, min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [axis, pctAxis],
      series: [{}, { label: 'user', stroke: cssVar('--user'), width: 1.5, value: (u, v) => percent(v) }, { label: 'system', stroke: cssVar('--system'), width: 1.5, value: (u, v) => percent(v) }],
    }, [[], [], []], cpuEl);
    const memSeries = [{}, { label: 'resident', stroke: cssVar('--mem'), width: 1.5, value: (u, v) => bytes(v) }];
    if (showSmaps) memSeries.push({ label: 'proportional', stroke: cssVar('--mem2'), width: 1.5, value: (u, v) => bytes(v) });
    memSeries.push({ label: 'swap', stroke: cssVar('--mem3'), width: 1.5, value: (u, v) => bytes(v) });
    const mem = new uPlot({
      width: chartWidth(memEl), height: 200,
      scales: { y: { range: (u, min, max) => [0, Math.max(1024, max * 1.1)] } },
      axes: [axis, bytesAxis],
      series: memSeries,
    }, memSeries.map(() => []), memEl);
    return { cpu, mem, smaps: showSmaps };
  }

  async function refreshDetail() {
    const name = state.selected;
    if (name === null || !state.data) return;
    const showSmaps = state.data.gatherSmaps;
    let h = null;
    try {
      h = await getJson('api/history?group=' + encodeURIComponent(name));
    } catch (e) {
      $('history-note').textContent = 'No history for this group yet (' + e.message + ').';
    }
    if (state.selected !== name) return;
    if (!state.charts || state.charts.smaps !== showSmaps) {
      destroyCharts();
      state.charts = makeCharts(showSmaps);
    }
    if (h) {
      const t = h.t.map((ms) => ms / 1000);
      state.charts.cpu.setData([t, h.cpuUserPercent, h.cpuSystemPercent]);
      const mem = [t, h.residentBytes];
      if (showSmaps) mem.push(h.proportionalResidentBytes);
      mem.push(h.swappedBytes);
      state.charts.mem.setData(mem);
      $('history-note').textContent = t.length < 2
        ? 'History builds up as the page and Prometheus trigger cycles; up to ' + state.data.historySeconds / 60 + ' minutes are kept.'
        : 'The last ' + age(t[t.length - 1] - t[0]) + ' (up to ' + state.data.historySeconds / 60 + ' minutes are kept).';
    }
    if (state.data.processRows) await refreshProcesses(name);
  }

  async function refreshProcesses(name) {
    let p;
    try {
      p = await getJson('api/processes?group=' + encodeURIComponent(name));
    } catch (e) {
      return;
    }
    if (state.selected !== name) return;
    $('procs-title').hidden = false;
    $('procs').hidden = false;
    $('procs-title').textContent = p.total > p.processes.length ? 'Processes (' + p.processes.length + ' of ' + p.total + ')' : 'Processes';
    const body = $('procs').tBodies[0];
    body.textContent = '';
    p.processes.sort((a, b) => (b.cpuPercent || 0) - (a.cpuPercent || 0) || b.residentBytes - a.residentBytes);
    for (const r of p.processes) {
      const tr = document.createElement('tr');
      const cells = [[String(r.pid), ''], [r.user, ''], [percent(r.cpuPercent), 'n'], [bytes(r.residentBytes), 'n'], [r.cmdline || '[' + r.comm + ']', 'cmd']];
      for (const [text, cls] of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  // charts pick their colours from the scheme: rebuild them when it changes, resize with the window
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (state.charts) {
      destroyCharts();
      refreshDetail();
    }
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (!state.charts) return;
      state.charts.cpu.setSize({ width: chartWidth($('chart-cpu')), height: 200 });
      state.charts.mem.setSize({ width: chartWidth($('chart-mem')), height: 200 });
    }, 150);
  });

  buildHead();
  refresh();
})();
