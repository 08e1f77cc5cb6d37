// Cascade dashboard: live pipelines, each pipeline's causal tree, build logs, the dependency graph with
// the blast radius of an image, and the watched base images. Plain ES module; the APIs it reads are the
// services' own REST endpoints.

const state = { endpoints: null, pipelines: new Map(), selected: null, pipelineEvents: null, logAbort: null, session: null,
  watchedTimer: null, queueTimer: null };
const $ = (selector) => document.querySelector(selector);

// ---- the API: every call carries the API token the person signed in with -------------------------

const TOKEN_KEY = 'cascade.token';

class Unauthorized extends Error {}

function authHeaders(extra = {}) {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function api(url, init = {}) {
  const response = await fetch(url, { ...init, headers: authHeaders(init.headers) });
  if (response.status === 401) {
    signIn('That token was not accepted; sign in with an API token (viewer or operator).');
    throw new Unauthorized(`${url} answered 401`);
  }
  if (!response.ok) {
    throw Object.assign(new Error(`${url} answered ${response.status}`), { status: response.status });
  }
  return response;
}

async function getJson(url) {
  return (await api(url, { headers: { Accept: 'application/json' } })).json();
}

// Server-sent events over fetch (EventSource cannot send an Authorization header): calls on[event](data, id)
// for each event, reconnects with Last-Event-ID after a dropped connection, until signal aborts.
async function streamEvents(url, on, signal, onState = () => {}) {
  let lastId = null;
  while (!signal.aborted) {
    try {
      const headers = { Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const response = await api(url, { headers, signal });
      onState(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let event = { type: 'message', data: [] };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (event.data.length) on[event.type]?.(event.data.join('\n'), event.id);
            if (event.id) lastId = event.id;
            event = { type: 'message', data: [] };
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.type = text;
            else if (field === 'data') event.data.push(text);
            else if (field === 'id') event.id = text;
          }
        }
      }
    } catch (e) {
      if (signal.aborted || e instanceof Unauthorized) return;
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function signIn(message) {
  const form = $('#sign-in');
  form.hidden = false;
  $('#sign-in-message').textContent = message;
  $('#sign-out').hidden = true;
  $('#token').focus();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => (k === 'class' ? (node.className = v) : node.setAttribute(k, v)));
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c ?? '')));
  return node;
}

function duration(ms) {
  if (ms == null) return '';
  return ms < 1000 ? `${ms} ms` : ms < 120000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60000)} min`;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

function live(on) {
  const badge = $('#live');
  badge.textContent = on ? 'live' : 'reconnecting…';
  badge.classList.toggle('on', on);
}

// ---- pipelines --------------------------------------------------------------------------------

function total(counts) {
  return Object.values(counts || {}).reduce((a, b) => a + b, 0);
}

function renderPipelines() {
  const body = $('#pipelines tbody');
  const rows = [...state.pipelines.values()].sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''));
  body.replaceChildren(...rows.map((p) => {
    const row = el('tr', { 'data-id': p.id, 'data-testid': 'pipeline-row' },
      el('td', {}, p.trigger?.summary || p.id),
      el('td', { class: `status ${p.status}` }, p.status),
      el('td', {}, time(p.createdAt)),
      el('td', {}, String(total(p.counts?.builds))),
      el('td', {}, String(total(p.counts?.rollouts))));
    if (p.id === state.selected) row.classList.add('selected');
    row.addEventListener('click', () => { location.hash = `#pipeline/${p.id}`; });
    return row;
  }));
}

async function loadPipelines() {
  const list = await getJson('/api/pipelines?limit=100');
  list.forEach((p) => state.pipelines.set(p.id, p));
  renderPipelines();
}

function watchPipelines() {
  streamEvents('/api/pipelines/stream', {
    pipeline: (data) => {
      const p = JSON.parse(data);
      state.pipelines.set(p.id, p);
      renderPipelines();
    },
  }, state.session.signal, live);
}

// ---- one pipeline's tree ----------------------------------------------------------------------

function nodeItem(node) {
  const timing = node.durationMs != null ? duration(node.durationMs) : time(node.at || node.startedAt || node.queuedAt);
  const label = el('span', { class: `node ${node.kind}`, 'data-testid': `node-${node.kind}`, 'data-status': node.status },
    el('span', { class: 'kind' }, node.kind),
    el('span', { class: 'name' }, node.name || ''),
    el('span', { class: `status ${node.status}` }, node.status || ''),
    el('span', { class: 'timing' }, timing));
  if (node.kind === 'build' && node.fields?.buildId) {
    label.title = 'show the build log';
    label.addEventListener('click', () => followLog(node.fields.buildId, node.name));
  }
  const item = el('li', {}, label);
  if (node.children?.length) {
    item.append(el('ul', {}, node.children.map(nodeItem)));
  }
  return item;
}

// A pipeline a failed canary holds waits for a person: deploy-service, which holds its rollouts, resumes or aborts it.
function holdControls(id, detail) {
  if (detail.status !== 'held') return [];
  const decide = (action) => async (event) => {
    event.target.disabled = true;
    try {
      await api(`${state.endpoints.deployUrl}/api/pipelines/${id}/${action}`, { method: 'POST' });
    } catch (e) {
      event.target.disabled = false;
      event.target.title = e.status === 403 ? 'an operator’s token is needed' : e.message;
    }
  };
  const resume = el('button', { type: 'button', 'data-testid': 'pipeline-resume' }, 'Resume');
  const abort = el('button', { type: 'button', 'data-testid': 'pipeline-abort' }, 'Abort');
  resume.addEventListener('click', decide('resume'));
  abort.addEventListener('click', decide('abort'));
  return [' ', resume, ' ', abort];
}

async function showPipeline(id) {
  state.selected = id;
  renderPipelines();
  state.pipelineEvents?.abort();
  const render = async () => {
    const detail = await getJson(`/api/pipelines/${id}`);
    state.pipelines.set(id, { ...state.pipelines.get(id), ...detail });
    $('#pipeline-title').replaceChildren(`Pipeline ${id.slice(0, 8)} · `, el('span', { class: `status ${detail.status}` }, detail.status),
      ...holdControls(id, detail));
    $('#tree').replaceChildren(el('ul', { class: 'tree' }, nodeItem(detail.root)));
  };
  await render().catch(() => $('#tree').replaceChildren('Waiting for the pipeline’s first event…'));
  let pending = null;
  state.pipelineEvents = new AbortController();
  const again = () => {
    clearTimeout(pending);
    pending = setTimeout(() => render().catch(() => {}), 100);
  };
  streamEvents(`/api/pipelines/${id}/events`, { node: again, pipeline: again }, state.pipelineEvents.signal);
}

async function followLog(buildId, name) {
  state.logAbort?.abort();
  const abort = new AbortController();
  state.logAbort = abort;
  $('#log-panel').hidden = false;
  $('#log-title').textContent = `Log of ${name}`;
  const pre = $('#log');
  pre.textContent = '';
  try {
    const response = await api(`${state.endpoints.buildUrl}/api/builds/${buildId}/log?follow=true`, { signal: abort.signal });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      pre.textContent += decoder.decode(value, { stream: true });
      pre.scrollTop = pre.scrollHeight;
    }
  } catch (e) {
    if (e.name !== 'AbortError') pre.textContent += `\n(log unavailable: ${e.message})`;
  }
}

// ---- dependency graph -------------------------------------------------------------------------

function shortImage(image) {
  const slash = image.indexOf('/');
  return slash > 0 && /[.:]/.test(image.slice(0, slash)) ? image.slice(slash + 1) : image;
}

/** Images, the images built FROM them (by a config) and the workloads following them, in layers. */
function graphModel(graph, workloads) {
  const nodes = new Map();
  const edges = [];
  const image = (ref) => {
    if (!nodes.has(ref)) nodes.set(ref, { id: ref, kind: 'image', label: shortImage(ref), image: ref });
    return nodes.get(ref);
  };
  graph.configs.forEach((c) => {
    const out = image(c.output);
    out.kind = 'built';
    out.label = `${c.name} · ${shortImage(c.output)}`;
    c.inputs.forEach((i) => { image(i.image); edges.push([i.image, c.output]); });
  });
  workloads.forEach((w) => w.follows.forEach((f) => {
    const id = `${w.namespace}/${w.kind}/${w.name}`;
    nodes.set(id, { id, kind: 'workload', label: `${w.namespace}/${w.name}` });
    image(f.from);
    edges.push([f.from, id]);
  }));
  const parents = new Map();
  edges.forEach(([a, b]) => parents.set(b, [...(parents.get(b) || []), a]));
  const layer = (id, seen = new Set()) => {
    if (seen.has(id)) return 0;
    seen.add(id);
    return Math.max(0, ...(parents.get(id) || []).map((p) => layer(p, seen) + 1));
  };
  nodes.forEach((n) => { n.layer = layer(n.id); });
  return { nodes, edges };
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
  return node;
}

function renderGraph(model) {
  const root = $('#graph');
  const byLayer = new Map();
  [...model.nodes.values()].sort((a, b) => a.label.localeCompare(b.label)).forEach((n) => {
    byLayer.set(n.layer, [...(byLayer.get(n.layer) || []), n]);
  });
  const w = 230;
  const h = 56;
  byLayer.forEach((list, l) => list.forEach((n, i) => { n.x = 20 + l * (w + 60); n.y = 20 + i * h; }));
  const width = 40 + Math.max(1, byLayer.size) * (w + 60);
  const height = 40 + Math.max(1, ...[...byLayer.values()].map((l) => l.length)) * h;
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.style.height = `${height}px`;
  root.replaceChildren();
  model.edges.forEach(([a, b]) => {
    const from = model.nodes.get(a);
    const to = model.nodes.get(b);
    const x1 = from.x + w - 20;
    const y1 = from.y + 18;
    const x2 = to.x;
    const y2 = to.y + 18;
    root.append(svg('path', { class: 'edge', 'data-from': a, 'data-to': b,
      d: `M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}` }));
  });
  model.nodes.forEach((n) => {
    const g = svg('g', { class: `node ${n.kind}`, 'data-id': n.id, 'data-testid': `graph-${n.kind}`, transform: `translate(${n.x},${n.y})` });
    g.append(svg('rect', { width: w - 20, height: 36 }));
    const text = svg('text', { x: 8, y: 22 });
    text.textContent = n.label.length > 34 ? `${n.label.slice(0, 33)}…` : n.label;
    g.append(text);
    const title = svg('title', {});
    title.textContent = n.image || n.id;
    g.append(title);
    if (n.kind !== 'workload') g.addEventListener('click', () => chooseImage(n.image));
    root.append(g);
  });
}

async function loadGraph() {
  const [graph, workloads] = await Promise.all([
    getJson(`${state.endpoints.buildUrl}/api/graph`),
    getJson(`${state.endpoints.deployUrl}/api/workloads`).catch(() => []),
  ]);
  const model = graphModel(graph, workloads);
  renderGraph(model);
  const select = $('#impact-image');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, '(choose an image)'),
    ...[...model.nodes.values()].filter((n) => n.kind !== 'workload').sort((a, b) => a.id.localeCompare(b.id))
      .map((n) => el('option', { value: n.id }, n.id)));
  select.value = chosen;
  if (chosen) await showImpact(chosen);
}

function chooseImage(image) {
  $('#impact-image').value = image;
  showImpact(image);
}

/** Marks what a new digest of {@code image} would rebuild and roll out, as build-service's dry run answers. */
async function showImpact(image) {
  document.querySelectorAll('#graph .hit, #graph .chosen').forEach((n) => n.classList.remove('hit', 'chosen'));
  if (!image) {
    $('#impact-summary').textContent = '';
    return;
  }
  const impact = await getJson(`${state.endpoints.buildUrl}/api/impact?image=${encodeURIComponent(image)}`);
  const hit = new Set([image]);
  impact.waves.forEach((wave) => wave.configs.forEach((c) => hit.add(c.image)));
  impact.rollouts.forEach((r) => hit.add(`${r.namespace}/${r.kind}/${r.name}`));
  document.querySelectorAll('#graph g.node').forEach((g) => {
    const id = g.getAttribute('data-id');
    if (id === image) g.classList.add('chosen');
    else if (hit.has(id)) g.classList.add('hit');
  });
  document.querySelectorAll('#graph path.edge').forEach((p) => {
    if (hit.has(p.getAttribute('data-from')) && hit.has(p.getAttribute('data-to'))) p.classList.add('hit');
  });
  const waves = impact.waves.map((w) => w.configs.map((c) => c.config).join(', ')).join(' → ');
  $('#impact-summary').textContent = `${impact.builds} build(s)${waves ? `: ${waves}` : ''}; `
    + `${impact.rollouts.length} rollout(s)${impact.rolloutsUnavailable ? ' (workloads unknown: deploy-service unreachable)' : ''}`;
}

// ---- watched base images ---------------------------------------------------------------------

const WATCHED_REFRESH_MS = 30000;

function ago(iso) {
  return `${duration(Math.max(0, Date.now() - new Date(iso).getTime()))} ago`;
}

function until(iso, passed) {
  const ms = new Date(iso).getTime() - Date.now();
  return ms > 0 ? `in ${duration(ms)}` : passed;
}

/** An ISO-8601 duration such as PT10M or PT6H, as people say it. */
function every(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso || '');
  if (!m) return iso || '';
  return [[m[1], 'h'], [m[2], 'min'], [m[3], 's']].filter(([n]) => n).map(([n, unit]) => `${n} ${unit}`).join(' ');
}

function watchedFor(by = {}) {
  return ['configs', 'builders', 'workloads'].filter((kind) => by[kind]?.length)
    .map((kind) => `${by[kind].length === 1 ? kind.slice(0, -1) : kind} ${by[kind].join(', ')}`).join(' · ');
}

function renderWatched(list) {
  $('#watched tbody').replaceChildren(...list.map((w) => {
    const row = el('tr', { 'data-testid': 'watched-row', 'data-image': w.image },
      el('td', {}, w.image),
      el('td', { class: 'wrap' }, watchedFor(w.watchedFor)),
      el('td', { title: w.lastDigest || '' }, w.lastDigest ? w.lastDigest.slice(0, 19) : '–'),
      el('td', { title: w.lastCheckedAt || '' }, w.lastCheckedAt ? ago(w.lastCheckedAt) : 'never'),
      el('td', { title: `every ${every(w.interval)}${w.webhooks ? ' (the registry sends webhooks)' : ''}` },
        w.nextCheckAt ? until(w.nextCheckAt, 'due') : '–'),
      el('td', { class: 'error wrap' }, w.lastError || ''));
    row.classList.toggle('failing', w.lastError != null);
    return row;
  }));
  const registries = new Map();
  list.forEach((w) => { if (!registries.has(w.registry)) registries.set(w.registry, w.registryState || {}); });
  $('#registries tbody').replaceChildren(...[...registries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, r]) => {
    const backoff = r.backoffUntil && new Date(r.backoffUntil).getTime() > Date.now();
    const row = el('tr', { 'data-testid': 'registry-row', 'data-registry': name },
      el('td', {}, name),
      el('td', {}, `${r.remaining ?? '?'} / ${r.budgetPerHour ?? '?'} per hour`),
      el('td', { title: r.backoffUntil || '' }, backoff ? time(r.backoffUntil) : ''),
      el('td', { class: 'error wrap' }, r.lastError || ''));
    row.classList.toggle('failing', backoff || r.lastError != null);
    return row;
  }));
}

/** The watched tags as build-service answers them; what went wrong, in the summary line, when it cannot. */
async function loadWatched() {
  const summary = $('#watched-summary');
  try {
    const list = await getJson(`${state.endpoints.buildUrl}/api/watched-images`);
    renderWatched(list);
    const failing = list.filter((w) => w.lastError != null).length;
    summary.textContent = list.length === 0 ? 'No images are watched.'
      : `${list.length} watched image(s), ${failing} failing · updated ${time(new Date().toISOString())}`;
    summary.classList.toggle('failing', failing > 0);
  } catch (e) {
    if (e instanceof Unauthorized) {
      clearInterval(state.watchedTimer);
      return;
    }
    renderWatched([]);
    summary.textContent = e.status === 404 ? 'This build-service does not watch base images (no /api/watched-images).'
      : `Watched images unavailable: ${e.message}`;
    summary.classList.add('failing');
  }
}

// ---- the build queue ---------------------------------------------------------------------------

const QUEUE_REFRESH_MS = 5000;

function renderQueue(q) {
  $('#queue-classes tbody').replaceChildren(...['interactive', 'cascade'].map((c) => {
    const cls = q[c] || {};
    const w = cls.oldestWaiting;
    return el('tr', { 'data-testid': 'queue-class', 'data-class': c },
      el('td', {}, c),
      el('td', {}, String(cls.running ?? 0)),
      el('td', {}, String(cls.queued ?? 0)),
      w ? el('td', {}, el('a', { href: `#pipeline/${w.pipelineId}` }, `${w.config} #${w.number}`)) : el('td', {}, '–'),
      el('td', { title: w?.queuedAt || '' }, w ? duration(w.waitingSeconds * 1000) : '–'),
      el('td', { class: 'wrap' }, w?.why || ''));
  }));
  const pace = q.cascadeMaxBuildsPerMinute;
  $('#queue-cascades tbody').replaceChildren(...(q.cascades || []).map((c) => el('tr', { 'data-testid': 'queue-cascade' },
    el('td', {}, el('a', { href: `#pipeline/${c.pipelineId}` }, c.pipelineId.slice(0, 8))),
    el('td', {}, c.triggerImage || ''),
    el('td', {}, String(c.running)),
    el('td', {}, String(c.queued)),
    el('td', {}, pace > 0 ? `${c.startedLastMinute} of ${pace}` : String(c.startedLastMinute)))));
}

/** The queue as build-service answers it, every few seconds while the view is open. */
async function loadQueue() {
  const summary = $('#queue-summary');
  try {
    const q = await getJson(`${state.endpoints.buildUrl}/api/queue`);
    renderQueue(q);
    summary.textContent = `${q.capacity} build slot(s); cascades use ${q.cascadeSlotsInUse} of the ${q.cascadeSlotsAllowed} they may hold now `
      + `(share ${q.cascadeShare}: ${q.cascadeSlots} while interactive builds run or wait)`
      + `${q.cascadeMaxBuildsPerMinute > 0 ? `; each cascade starts at most ${q.cascadeMaxBuildsPerMinute} builds a minute` : ''}`
      + `${q.executorUnavailable ? ` · no build starts: ${q.executorUnavailable}` : ''} · updated ${time(new Date().toISOString())}`;
    summary.classList.toggle('failing', q.executorUnavailable != null);
  } catch (e) {
    if (e instanceof Unauthorized) {
      clearInterval(state.queueTimer);
      return;
    }
    summary.textContent = e.status === 404 ? 'This build-service has no queue view (no /api/queue).' : `Build queue unavailable: ${e.message}`;
    summary.classList.add('failing');
  }
}

// ---- navigation -------------------------------------------------------------------------------

async function route() {
  const hash = location.hash || '#pipelines';
  const view = hash.startsWith('#graph') ? 'graph' : hash.startsWith('#watched') ? 'watched'
    : hash.startsWith('#queue') ? 'queue' : 'pipelines';
  document.querySelectorAll('.view').forEach((v) => { v.hidden = v.id !== `view-${view}`; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === view));
  clearInterval(state.watchedTimer);
  clearInterval(state.queueTimer);
  if (view === 'queue') {
    state.queueTimer = setInterval(loadQueue, QUEUE_REFRESH_MS);
    await loadQueue();
  } else if (view === 'watched') {
    state.watchedTimer = setInterval(loadWatched, WATCHED_REFRESH_MS);
    await loadWatched();
  } else if (view === 'graph') {
    await loadGraph();
  } else if (hash.startsWith('#pipeline/')) {
    await showPipeline(hash.slice('#pipeline/'.length));
  }
}

async function start() {
  state.session?.abort();
  state.session = new AbortController();
  if (!localStorage.getItem(TOKEN_KEY)) {
    signIn('Sign in with an API token (viewer or operator).');
    return;
  }
  $('#sign-in').hidden = true;
  $('#sign-out').hidden = false;
  try {
    state.endpoints = await getJson('/api/dashboard');
    watchPipelines();
    await loadPipelines();
    await route();
  } catch (e) {
    if (!(e instanceof Unauthorized)) throw e;
  }
}

$('#impact-image').addEventListener('change', (e) => showImpact(e.target.value));
window.addEventListener('hashchange', () => { if (state.endpoints) route(); });
$('#sign-in').addEventListener('submit', (e) => {
  e.preventDefault();
  localStorage.setItem(TOKEN_KEY, $('#token').value.trim());
  $('#token').value = '';
  start();
});
$('#sign-out').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  state.session?.abort();
  state.pipelineEvents?.abort();
  clearInterval(state.watchedTimer);
  clearInterval(state.queueTimer);
  state.endpoints = null;
  live(false);
  start();
});

start();
