// @ts-check
// The page at /: polls api/groups at the exporter's page interval and renders the host totals and the
// table of groups, systemd units or containers (sortable by click and keyboard, filterable); an opened
// row shows its processes and, for a group, its charts (uPlot) and PromQL. View, sort, filter, open row,
// CPU base and empty rows are kept in the URL. The JSON's shapes are in src/page/api.ts (GroupsJson,
// ProcessesJson); a null figure is unknown and shown as "n/a". Only same-origin requests; no inline code.
'use strict';
(function () {
  /** @typedef {import('../page/api').GroupsJson} GroupsJson */
  /** @typedef {import('../page/api').RowJson} RowJson */
  /** @typedef {import('../page/api').HostTotalsJson} HostTotalsJson */
  /** @typedef {import('../page/api').ProcessesJson} ProcessesJson */
  /** @typedef {import('../page/api').ProcessJson} ProcessJson */
  /** @typedef {import('../page/api').HistoryJson} HistoryJson */

  /** An element of index.html by id (the page's markup, not checked here). @type {(id: string) => any} */
  const $ = (id) => document.getElementById(id);
  /** uPlot's build, loaded before this script (ui/uPlot.iife.min.js) */
  const uPlot = /** @type {any} */ (window).uPlot;
  const SVG = 'http://www.w3.org/2000/svg';
  const VIEWS = ['group', 'service', 'container'];
  const VIEW_NAMES = { group: ['Group', 'groups'], service: ['Service', 'services'], container: ['Container', 'containers'] };
  const NONE_ROW = { group: '(no group)', service: '(in no service)', container: '(in no container)' };

  // ---- formatting
  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  function bytes(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    let i = 0;
    while (Math.abs(v) >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + UNITS[i];
  }
  const rate = (v) => bytes(v) + '/s';
  const percent = (v) => (v === null || v === undefined || !isFinite(v) ? '–' : (v >= 100 ? v.toFixed(0) : v.toFixed(1)) + '%');
  function age(seconds) {
    if (seconds === null || !isFinite(seconds)) return '–';
    const s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + (s % 60) + 's';
    return s + 's';
  }
  const count = (v) => (v === null || v === undefined ? '–' : String(v));
  const shortId = (id) => (/^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id);

  // why a figure is missing: no process could give it, or (service and container views) no two readings yet
  const WHY_NA = 'Unknown: the exporter could not read this for any process of the row (other users\' processes need root, or the capabilities CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).';
  const WHY_WAIT = 'Not measured yet: a rate needs two readings; it appears at the next refresh.';

  /** A cell's text and, when the figure is unknown, why. kind: 'io' or 'pss'. */
  function unknownOr(g, v, fmt, kind) {
    if (v !== null && v !== undefined) return { text: fmt(v) };
    const unread = kind === 'io' ? g.ioUnreadableProcs : g.proportionalUnreadableProcs;
    if (g.procs > 0 && unread >= g.procs) return { text: 'n/a', title: WHY_NA, na: true };
    if (kind === 'pss' && state.data && !state.data.gatherSmaps) return { text: 'off', title: 'Proportional memory is not read (-gather-smaps=false).', na: true };
    return { text: '…', title: WHY_WAIT, na: true };
  }

  /** "2 of 5 unread": some processes of the row could not be read, the figure covers the others. */
  function partial(g, kind) {
    const unread = kind === 'io' ? g.ioUnreadableProcs : g.proportionalUnreadableProcs;
    if (!(unread > 0) || unread >= g.procs) return null;
    return { partial: true, text: unread + ' of ' + g.procs + ' unread', title: 'Partial: ' + unread + ' of the row\'s ' + g.procs + ' processes could not be read (other users\' processes, without root or the capabilities); the figure counts the others only.' };
  }

  const hostMemory = () => (state.data && state.data.host ? state.data.host.memoryTotalBytes : 0);
  const cores = () => (state.data && state.data.host ? state.data.host.cores : 1);
  /** CPU percent of one core, or of the host when the toggle says so */
  const cpuShown = (v) => (v === null || v === undefined ? null : state.cpuBase === 'host' ? v / cores() : v);
  function shareOfHost(v) {
    const total = hostMemory();
    if (!(total > 0) || v === null || v === undefined) return null;
    const p = (100 * v) / total;
    return { text: (p < 0.1 && p > 0 ? '<0.1' : p.toFixed(1)) + '% of RAM' };
  }

  // ---- columns: key, header, tooltip (also the glossary's text), how a row shows it
  const COLUMNS = [
    { key: 'name', label: 'Group', text: true },
    {
      key: 'cpuPercent', label: 'CPU', query: 'cpu',
      tip: () => state.cpuBase === 'host'
        ? 'CPU: processor time used per second, as % of the whole host (100% = every core busy). Below: the user and system (kernel) parts.'
        : 'CPU: processor time used per second, as % of one core (100% = one core busy, so a row can exceed 100% on several cores). Below: the user and system (kernel) parts.',
      cell: (g) => (g.cpuPercent === null ? { text: '…', title: WHY_WAIT, na: true } : { text: percent(cpuShown(g.cpuPercent)) }),
      sub: (g) => (g.cpuPercent === null ? null : { text: 'user ' + percent(cpuShown(g.cpuUserPercent)) + ' · sys ' + percent(cpuShown(g.cpuSystemPercent)) }),
    },
    {
      key: 'residentBytes', label: 'Resident', query: 'resident',
      tip: () => 'Resident: RAM in use, shared pages counted in full (in every process that maps them), in bytes. Below: its share of the host\'s RAM.',
      cell: (g) => ({ text: bytes(g.residentBytes) }), sub: (g) => shareOfHost(g.residentBytes),
    },
    {
      key: 'proportionalResidentBytes', label: 'Proportional', opt: true, smaps: true, query: 'proportionalResident',
      tip: () => 'Proportional (PSS): RAM in use with each shared page divided among the processes that share it, in bytes, so the rows add up to what is really in use. Below: its share of the host\'s RAM.',
      cell: (g) => unknownOr(g, g.proportionalResidentBytes, bytes, 'pss'),
      sub: (g) => partial(g, 'pss') || (g.proportionalResidentBytes === null ? null : shareOfHost(g.proportionalResidentBytes)),
    },
    {
      key: 'swappedBytes', label: 'Swap', opt: true, query: 'swapped',
      tip: () => 'Swap: memory of these processes moved out to swap space, in bytes.',
      cell: (g) => ({ text: bytes(g.swappedBytes) }),
    },
    {
      key: 'readBytesPerSecond', label: 'Read', query: 'readBps', hideOnPhone: true,
      tip: () => 'Read: bytes per second these processes caused to be read from storage (reads served from the page cache do not count).',
      cell: (g) => unknownOr(g, g.readBytesPerSecond, rate, 'io'), sub: (g) => partial(g, 'io'),
    },
    {
      key: 'writeBytesPerSecond', label: 'Write', query: 'writeBps', hideOnPhone: true,
      tip: () => 'Write: bytes per second these processes caused to be written to storage.',
      cell: (g) => unknownOr(g, g.writeBytesPerSecond, rate, 'io'), sub: (g) => partial(g, 'io'),
    },
    {
      key: 'openFds', label: 'FDs', opt: true, query: 'openFds',
      tip: () => 'FDs: open file descriptors (files, sockets, pipes), a count. Below, "worst": the largest share of its open-files limit that any one process uses (at 100% that process can open nothing more).',
      cell: (g) => ({ text: count(g.openFds) }),
      sub: (g) => (g.worstFdRatio === null ? null : { text: 'worst ' + percent(g.worstFdRatio * 100), title: 'The process closest to its open-files limit uses ' + percent(g.worstFdRatio * 100) + ' of it.' }),
    },
    { key: 'threads', label: 'Threads', opt: true, query: 'numThreads', tip: () => 'Threads: the number of threads of these processes.', cell: (g) => ({ text: count(g.threads) }) },
    { key: 'procs', label: 'Procs', query: 'numProcs', hideOnPhone: true, tip: () => 'Procs: the number of processes.', cell: (g) => ({ text: count(g.procs) }) },
    {
      key: 'age', label: 'Running', opt: true, query: 'oldest',
      tip: () => 'Running: how long the oldest of these processes has been running (days, hours, minutes, seconds).',
      cell: (g) => ({ text: age(g.age) }),
    },
    { key: 'spark', label: 'CPU trend', nosort: true, groupOnly: true, tip: () => 'CPU trend: the group\'s CPU over the last minutes (up to 40 points of its history).' },
  ];
  const QUERY_LABELS = [
    ['cpu', 'CPU %'], ['cpuUser', 'CPU % user'], ['cpuSystem', 'CPU % system'], ['resident', 'Resident memory'],
    ['proportionalResident', 'Proportional memory'], ['swapped', 'Swap'], ['readBps', 'Read bytes/s'], ['writeBps', 'Write bytes/s'],
    ['openFds', 'Open file descriptors'], ['worstFdRatio', 'Worst fd ratio (open / limit)'], ['numThreads', 'Threads'],
    ['numProcs', 'Processes'], ['oldest', 'Seconds since the oldest started'],
  ];

  const state = {
    data: /** @type {GroupsJson | null} */ (null),
    view: 'group',
    sortKey: 'cpuPercent',
    sortDesc: true,
    filter: '',
    selected: /** @type {string | null} */ (null),
    cpuBase: 'core',
    showEmpty: false,
    timer: 0,
    charts: /** @type {any} */ (null),
    inFlight: false,
    /** bumped when the view changes: an answer for the old view is dropped */
    gen: 0,
    /** Date.now() of the last good answer, and the last error */
    okAt: 0,
    error: '',
  };

  // ---- the URL keeps view, sort, filter, open row, CPU base and empty rows
  function readUrl() {
    const q = new URLSearchParams(location.search);
    const v = q.get('view');
    state.view = VIEWS.includes(v) ? v : 'group';
    const sort = q.get('sort');
    if (sort && COLUMNS.some((c) => c.key === sort && !c.nosort)) state.sortKey = sort;
    state.sortDesc = q.has('order') ? q.get('order') !== 'asc' : state.sortKey !== 'name';
    state.filter = q.get('q') || '';
    state.selected = q.get('open');
    state.cpuBase = q.get('cpu') === 'host' ? 'host' : 'core';
    state.showEmpty = q.get('empty') === '1';
  }

  function writeUrl() {
    const q = new URLSearchParams();
    if (state.view !== 'group') q.set('view', state.view);
    if (state.sortKey !== 'cpuPercent' || !state.sortDesc) {
      q.set('sort', state.sortKey);
      q.set('order', state.sortDesc ? 'desc' : 'asc');
    }
    if (state.filter) q.set('q', state.filter);
    if (state.selected !== null) q.set('open', state.selected);
    if (state.cpuBase === 'host') q.set('cpu', 'host');
    if (state.showEmpty) q.set('empty', '1');
    const s = q.toString();
    history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
  }

  // ---- fetching
  /**
   * @template T
   * @param {string} url
   * @returns {Promise<T>} the answer, typed by the caller from src/page/api.ts
   */
  async function getJson(url) {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), 30000);
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', signal: ctl.signal });
      if (!res.ok) throw new Error(res.status + ' ' + (await res.text()).trim());
      return await res.json();
    } catch (e) {
      throw new Error(e.name === 'AbortError' ? 'no answer in 30 s' : e.message);
    } finally {
      clearTimeout(t);
    }
  }

  async function refresh() {
    clearTimeout(state.timer);
    if (state.inFlight) return;
    state.inFlight = true;
    let wait = 3000;
    const view = state.view;
    const gen = state.gen;
    try {
      /** @type {GroupsJson} */
      const data = await getJson('api/groups?view=' + view);
      if (gen !== state.gen) return; // the view changed meanwhile: its own refresh is on its way
      state.data = data;
      state.okAt = Date.now();
      state.error = '';
      wait = Math.max(500, data.intervalSeconds * 1000);
      render();
      if (state.selected !== null) await refreshDetail();
      $('status').textContent = 'Updated ' + new Date(data.updatedAt).toLocaleTimeString() + ', every ' + data.intervalSeconds + ' s';
    } catch (e) {
      state.error = e.message;
      wait = Math.max(1000, state.data ? state.data.intervalSeconds * 1000 : 3000);
    } finally {
      if (gen === state.gen) {
        state.inFlight = false;
        checkStale();
        if (!document.hidden) state.timer = setTimeout(refresh, wait);
      }
    }
  }

  /** Dims the table and says how old its figures are when the exporter has not answered for a while. */
  function checkStale() {
    const d = state.data;
    const interval = d ? d.intervalSeconds * 1000 : 3000;
    const silentMs = state.okAt === 0 ? 0 : Date.now() - state.okAt;
    const stale = (state.okAt !== 0 && silentMs > 2 * interval + 2000) || (d !== null && d.cycleOk === false) || (state.okAt === 0 && state.error !== '');
    document.body.classList.toggle('stale', stale);
    const b = $('stale');
    b.hidden = !stale;
    if (!stale) return;
    if (d === null) b.textContent = 'The exporter does not answer (' + state.error + '). Retrying…';
    else if (d.cycleOk === false && silentMs <= 2 * interval + 2000) b.textContent = 'The exporter could not read the process list in its last cycle: the figures below are from its last good cycle. Its log says why.';
    else {
      b.textContent = 'Last update ' + age((Date.now() - d.updatedAt) / 1000) + ' ago (' + new Date(d.updatedAt).toLocaleTimeString() + '): the exporter has not answered for ' +
        age(silentMs / 1000) + (state.error ? ' (' + state.error + ')' : '') + ', so the figures below are old. Retrying…';
    }
  }
  setInterval(checkStale, 1000);

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
      const label = c.key === 'name' ? VIEW_NAMES[state.view][0] : c.label;
      const tip = c.key === 'name' ? nameTip() : c.tip();
      if (c.nosort) {
        th.textContent = label;
        th.title = tip;
      } else {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.key = c.key;
        b.textContent = label;
        b.title = tip;
        b.addEventListener('click', () => sortBy(c.key));
        th.appendChild(b);
      }
      if (c.groupOnly && state.view !== 'group') th.hidden = true;
      if (c.smaps && state.data && !state.data.gatherSmaps) th.hidden = true;
      tr.appendChild(th);
    }
    markSort();
    buildGlossary();
  }

  function nameTip() {
    if (state.view === 'service') return 'Service: the systemd unit (.service or .scope) the processes run in, from their cgroup.';
    if (state.view === 'container') return 'Container: the first 12 digits of the container\'s id, from the processes\' cgroup; below, the Kubernetes pod\'s UID when there is one.';
    return 'Group: the name the exporter\'s rules give these processes, as in /metrics.';
  }

  /** The columns' tooltips as the glossary's entries, after its first (the views) and before the rest. */
  function buildGlossary() {
    const dl = $('glossary');
    for (const el of dl.querySelectorAll('.col')) el.remove();
    const at = dl.children[2];
    for (const c of COLUMNS) {
      if (c.groupOnly && state.view !== 'group') continue;
      const tip = c.key === 'name' ? nameTip() : c.tip();
      const i = tip.indexOf(': ');
      const dt = document.createElement('dt');
      dt.textContent = tip.slice(0, i);
      const dd = document.createElement('dd');
      dd.textContent = tip.charAt(i + 2).toUpperCase() + tip.slice(i + 3);
      dt.className = dd.className = 'col';
      dl.insertBefore(dt, at);
      dl.insertBefore(dd, at);
    }
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
    writeUrl();
    render();
  }

  function sortValue(g, key) {
    const v = g[key];
    return v === null || v === undefined ? -Infinity : v;
  }

  function allRows() {
    const data = state.data;
    if (!data) return [];
    const now = data.updatedAt / 1000;
    return data.groups.map((g) => Object.assign({}, g, { age: g.oldestStartTime === null ? null : now - g.oldestStartTime }));
  }

  function visibleRows(rows) {
    const f = state.filter.toLowerCase();
    const out = rows.filter((g) => (state.showEmpty || g.procs > 0 || g.name === state.selected) && (f === '' || displayName(g).toLowerCase().includes(f) || g.name.toLowerCase().includes(f)));
    const k = state.sortKey;
    const dir = state.sortDesc ? -1 : 1;
    out.sort((a, b) => {
      if (k === 'name') return dir * (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      const d = sortValue(a, k) - sortValue(b, k);
      return d !== 0 ? dir * d : a.name < b.name ? -1 : 1;
    });
    return out;
  }

  function displayName(g) {
    if (g.name === '') return NONE_ROW[state.view];
    return state.view === 'container' ? shortId(g.name) : g.name;
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

  function subSpan(s) {
    const el = document.createElement('span');
    el.className = 'sub';
    el.textContent = s.text;
    if (s.title) el.title = s.title;
    if (s.partial) el.classList.add('partial');
    return el;
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
    const all = allRows();
    const rows = visibleRows(all);
    const body = $('rows');
    const focused = /** @type {HTMLElement | null} */ (document.activeElement && document.activeElement.closest && document.activeElement.closest('#rows tr'));
    const focusedName = focused ? focused.dataset.group : null;
    const frag = document.createDocumentFragment();
    for (const g of rows) {
      const tr = document.createElement('tr');
      tr.dataset.group = g.name;
      tr.tabIndex = 0;
      tr.setAttribute('aria-selected', String(g.name === state.selected));
      if (g.procs === 0) tr.classList.add('empty');
      for (const c of COLUMNS) {
        const td = document.createElement('td');
        if (c.key === 'name') {
          td.className = 'name';
          td.textContent = displayName(g);
          td.title = g.name === '' ? NONE_ROW[state.view] : g.name;
          if (g.name === '') td.classList.add('none');
          const sub = g.podUid ? 'pod ' + g.podUid : g.groups && state.view !== 'group' ? 'in ' + g.groups.join(', ') : '';
          if (sub) td.appendChild(subSpan({ text: sub }));
        } else if (c.key === 'spark') {
          td.appendChild(sparkline(g.spark.map(cpuShown)));
        } else {
          td.className = 'n';
          const v = c.cell(g);
          td.textContent = v.text;
          if (v.title) td.title = v.title;
          if (v.na) td.classList.add('na');
          const s = c.sub ? c.sub(g) : null;
          if (s) td.appendChild(subSpan(s));
        }
        if (c.opt) td.classList.add('opt');
        if (c.hideOnPhone) td.classList.add('opt-phone');
        if ((c.smaps && !showSmaps) || (c.groupOnly && state.view !== 'group')) td.hidden = true;
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    body.textContent = '';
    body.appendChild(frag);
    if (focusedName !== null) {
      // keep the focus without scrolling to it: an opened row's details may be what is in view
      for (const tr of body.children) if (tr.dataset.group === focusedName) tr.focus({ preventScroll: true });
    }
    const live = all.filter((g) => g.procs > 0).length;
    const noun = VIEW_NAMES[state.view][1];
    const shown = rows.length;
    const total = state.showEmpty ? all.length : live;
    $('count').textContent = (shown === total ? '' : shown + ' shown · ') + (live === all.length ? all.length + ' ' + noun : live + ' live of ' + all.length + ' ' + noun);
    $('empty-toggle').hidden = live === all.length && !state.showEmpty;
    if (state.selected !== null) $('detail-title').textContent = detailTitle(state.selected);
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
    writeUrl();
    render();
  });
  for (const b of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.seg button'))) b.addEventListener('click', () => setView(b.dataset.view));
  $('cpu-base').addEventListener('change', (ev) => {
    state.cpuBase = ev.target.value === 'host' ? 'host' : 'core';
    writeUrl();
    buildHead();
    render();
  });
  $('show-empty').addEventListener('change', (ev) => {
    state.showEmpty = ev.target.checked;
    writeUrl();
    render();
  });
  $('detail-close').addEventListener('click', () => {
    const name = state.selected;
    select(null);
    for (const tr of $('rows').children) {
      if (tr.dataset.group === name) {
        tr.focus();
        tr.scrollIntoView({ block: 'center' });
      }
    }
  });

  function syncControls() {
    for (const b of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.seg button'))) b.setAttribute('aria-pressed', String(b.dataset.view === state.view));
    $('filter').value = state.filter;
    $('cpu-base').value = state.cpuBase;
    $('show-empty').checked = state.showEmpty;
  }

  function setView(view) {
    if (view === state.view) return;
    state.view = view;
    state.data = null;
    select(null);
    syncControls();
    writeUrl();
    buildHead();
    $('rows').textContent = '';
    $('count').textContent = 'Loading…';
    state.gen++;
    state.inFlight = false;
    refresh();
  }

  // ---- the opened row
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function detailTitle(name) {
    const kind = VIEW_NAMES[state.view][0];
    return kind + ' ' + (name === '' ? NONE_ROW[state.view] : name);
  }

  function select(name, scroll = true) {
    state.selected = name;
    for (const tr of $('rows').children) tr.setAttribute('aria-selected', String(tr.dataset.group === name));
    destroyCharts();
    writeUrl();
    if (name === null) {
      $('detail').hidden = true;
      return;
    }
    $('detail').hidden = false;
    $('detail-title').textContent = detailTitle(name);
    $('group-only').hidden = state.view !== 'group';
    $('detail-note').textContent = state.view === 'group' ? '' : 'Charts and PromQL are kept per group; open a group in the Groups view for them.';
    $('procs').tBodies[0].textContent = '';
    $('procs-title').textContent = 'Processes';
    if (state.view === 'group') renderQueries(name);
    // the details come into view: under the table, scrolled to (the table can be thousands of pixels long)
    if (scroll) $('detail').scrollIntoView({ block: 'start' });
    // again once its processes and charts are in: the page may have been too short to scroll that far
    refreshDetail().then(() => {
      if (scroll && state.selected === name) $('detail').scrollIntoView({ block: 'start' });
    });
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
    const view = state.view;
    if (view === 'group') await refreshHistory(name);
    await refreshProcesses(name, view);
  }

  async function refreshHistory(name) {
    const showSmaps = state.data.gatherSmaps;
    /** @type {HistoryJson | null} */
    let h = null;
    try {
      h = await getJson('api/history?group=' + encodeURIComponent(name));
    } catch (e) {
      $('history-note').textContent = 'No history for this group yet (' + e.message + ').';
    }
    if (state.selected !== name || state.view !== 'group') return;
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
  }

  /** @typedef {[string, string, (r: ProcessJson) => { text: string, title?: string, na?: boolean }, string]} ProcessColumn */
  /**
   * The processes table's columns: [header, tooltip, cell(row) -> {text, title?, na?}, class]
   * @returns {ProcessColumn[]}
   */
  function processColumns(view, cmdlines) {
    const na = (v, fmt) => (v === null ? { text: 'n/a', title: 'Unknown: not readable by the exporter (another user\'s process), or not measured yet.', na: true } : { text: fmt(v) });
    /** @type {ProcessColumn[]} */
    const cols = [
      ['PID', 'Process id.', (r) => ({ text: String(r.pid) }), ''],
      ['Name', 'The process\'s command name (comm).', (r) => ({ text: r.comm }), ''],
      ['User', 'The user the process runs as.', (r) => ({ text: r.user || '–' }), 'opt-phone'],
    ];
    if (view !== 'group') cols.push(['Group', 'The group the exporter\'s rules put it in.', (r) => ({ text: r.group }), 'opt']);
    if (view !== 'service') cols.push(['Service', 'Its systemd unit, from its cgroup.', (r) => ({ text: r.service || '–', title: r.service }), 'opt']);
    if (view !== 'container') cols.push(['Container', 'Its container (first 12 digits of the id), from its cgroup.', (r) => ({ text: r.containerId ? shortId(r.containerId) : '–', title: r.containerId + (r.podUid ? ' (pod ' + r.podUid + ')' : '') }), 'opt']);
    cols.push(
      ['CPU', state.cpuBase === 'host' ? 'CPU as % of the whole host.' : 'CPU as % of one core.', (r) => (r.cpuPercent === null ? { text: '…', title: WHY_WAIT, na: true } : { text: percent(cpuShown(r.cpuPercent)) }), 'n'],
      ['Resident', 'RAM in use, shared pages counted in full.', (r) => ({ text: bytes(r.residentBytes) }), 'n'],
      ['Read', 'Bytes per second read from storage.', (r) => na(r.readBytesPerSecond, rate), 'n opt-phone'],
      ['Write', 'Bytes per second written to storage.', (r) => na(r.writeBytesPerSecond, rate), 'n opt-phone'],
    );
    if (cmdlines) cols.push(['Command line', 'Shown because the exporter runs with -web.page-expose-cmdlines.', (r) => ({ text: r.cmdline || '[' + r.comm + ']' }), 'cmd']);
    return cols;
  }

  async function refreshProcesses(name, view) {
    /** @type {ProcessesJson} */
    let p;
    try {
      p = await getJson('api/processes?view=' + view + '&group=' + encodeURIComponent(name));
    } catch (e) {
      $('procs-title').textContent = 'Processes: ' + e.message;
      return;
    }
    if (state.selected !== name || state.view !== view) return;
    $('procs-title').textContent = p.total > p.processes.length ? 'Processes: the busiest ' + p.processes.length + ' of ' + p.total : 'Processes (' + p.total + ')';
    const cols = processColumns(view, p.cmdlines);
    const head = $('procs-head');
    head.textContent = '';
    for (const [label, tip, , cls] of cols) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = label;
      th.title = tip;
      if (cls) th.className = cls.replace('cmd', '');
      head.appendChild(th);
    }
    const body = $('procs').tBodies[0];
    body.textContent = '';
    for (const r of p.processes) {
      const tr = document.createElement('tr');
      for (const [, , cell, cls] of cols) {
        const td = document.createElement('td');
        const v = cell(r);
        td.textContent = v.text;
        if (v.title) td.title = v.title;
        if (cls) td.className = cls;
        if (v.na) td.classList.add('na');
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

  readUrl();
  syncControls();
  buildHead();
  if (state.selected !== null) {
    // opened from the URL: show the details once the first data is in
    const name = state.selected;
    state.selected = null;
    refresh().then(() => select(name));
  } else {
    refresh();
  }
})();
