// The page side of lurk's UI: fetches the trace (with progress), hands its
// bytes to the WebAssembly module, shows loading and error messages in HTML
// (readable even when WebGL fails), and exposes window.lurkSnapshot() for
// tests and tools. The module itself is lurk-ui.js / lurk-ui.wasm. In a
// standalone page (web/standalone.html) the profile comes from the page.
'use strict';

// The canvas has its own context menu (right-click is a UI gesture). Set here,
// not as an inline attribute: the server's Content-Security-Policy runs no
// inline script (docs/server.md).
document.getElementById('canvas').addEventListener('contextmenu', (event) => event.preventDefault());

const statusBox = document.getElementById('status');
const statusText = document.getElementById('status-text');
const statusFill = document.getElementById('status-fill');

function showStatus(text, fraction) {
  statusBox.className = '';
  statusText.textContent = text;
  statusFill.style.width = fraction == null ? '0' : Math.round(fraction * 100) + '%';
}

// Errors are shown by the page (only here: the module's status screen does not
// repeat them) and recorded in the module, so the snapshot reports them. With a
// profile shown, the profile stays open: the message sits above it, closable.
function showError(text) {
  pageError = text;
  if (moduleReady) Module.ccall('lurk_set_error', null, ['string'], [text]);
  const overProfile = moduleReady && window.lurkSnapshot().ready;
  statusBox.className = overProfile ? 'error over-profile' : 'error';
  statusText.textContent = text;
}

document.getElementById('status-close').addEventListener('click', () => {
  statusBox.className = 'hidden';
});

let moduleReady = false;
let pageError = null;

function traceUrl() {
  const params = new URLSearchParams(location.search);
  return params.get('trace') || 'trace.lurk';
}

// Sizes for the progress line: "12.3 MB".
function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; ++i; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

function formatSeconds(s) {
  if (!isFinite(s)) return '';
  if (s < 60) return `${Math.max(1, Math.round(s))} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

// What a fetch has done so far: bytes, rate over the whole transfer, time
// left (when the size is known). Also kept in window.lurkLoadProgress for
// tests and tools (docs/ui-snapshot.md).
function progressText(name, received, total, elapsedMs) {
  const rate = elapsedMs > 0 ? received / (elapsedMs / 1000) : 0;
  const parts = [total ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received)];
  if (elapsedMs >= 250 && rate > 0) parts.push(`${formatBytes(rate)}/s`);
  if (total && elapsedMs >= 250 && rate > 0 && received < total)
    parts.push(`${formatSeconds((total - received) / rate)} left`);
  window.lurkLoadProgress = { name, received, total, bytesPerSecond: rate,
                              secondsLeft: total && rate > 0 ? (total - received) / rate : null };
  return `Loading ${name}… ${parts.join(' · ')}`;
}

async function fetchWithProgress(url, onProgress, onResponse) {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  if (onResponse) onResponse(response);
  const total = Number(response.headers.get('Content-Length')) || 0;
  const chunks = [];
  const bytes = total ? new Uint8Array(total) : null;
  const reader = response.body ? response.body.getReader() : null;
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  let received = 0, lastShown = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes) {
      if (received + value.length > bytes.length) throw new Error('more bytes than announced');
      bytes.set(value, received);
    } else {
      chunks.push(value);
    }
    received += value.length;
    const now = performance.now();
    // The status line at most every 100 ms: a fast transfer is not slowed by it.
    if (now - lastShown >= 100 || received === total) {
      lastShown = now;
      onProgress(received, total, now - started);
    }
  }
  if (bytes) return bytes.subarray(0, received);
  const all = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) { all.set(chunk, at); at += chunk.length; }
  return all;
}

// Hands a whole .lurk (or raw capture) to the module, which opens it from its
// in-memory file system. The file system takes the bytes without a copy
// (canOwn): the caller lets go of them. With `lanes` ({ ptr, size }: its
// lane store in the module's heap, which the module then owns), the lanes
// are views of it. Returns the module's error text, or '' on success.
function openInModule(name, bytes, lanes) {
  const path = '/' + name.replace(/[^A-Za-z0-9._-]/g, '_');
  Module.FS.writeFile(path, bytes, { canOwn: true });
  if (lanes)
    return Module.ccall('lurk_open_file_with_lanes', 'string', ['string', 'string', 'number', 'number'],
                        [path, name, lanes.ptr, lanes.size]);
  return Module.ccall('lurk_open_file', 'string', ['string', 'string'], [path, name]);
}

// Several raw captures and traces at once, ingested into one profile.
function openAllInModule(files) {
  const paths = files.map(({ name, bytes }, i) => {
    const path = `/${i}-` + name.replace(/[^A-Za-z0-9._-]/g, '_');
    Module.FS.writeFile(path, bytes, { canOwn: true });
    return path;
  });
  return Module.ccall('lurk_open_files', 'string', ['string', 'string'],
                      [paths.join('\n'), files.map((f) => f.name.replace(/\n/g, ' ')).join('\n')]);
}

// The profile's lane store (lurk view in the in-browser mode serves it at
// /trace.lanes beside /trace.lurk; docs/server.md): fetched straight into
// the module's heap, so the model takes its lanes as views of those bytes
// instead of reading them out of SQLite. Resolves to { ptr, size } (the
// module frees ptr), or null when the server offers none (404) or the
// transfer fails (said on the console: the lanes are then read from the
// profile, as before). onProgress(received, size) as fetchWithProgress's.
async function fetchLanesIntoHeap(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    console.warn(`lurk: ${url}: ${e.message}; lanes are read from the profile`);
    return null;
  }
  if (response.status === 404) {
    // None is coming (the server says why): the lanes are read from the profile.
    const why = (await response.text().catch(() => '')).trim();
    if (why && !/^not found/.test(why)) console.info(`lurk: ${why}`);
    return null;
  }
  const size = Number(response.headers.get('Content-Length'));
  if (!response.ok || !size || !response.body) {
    console.warn(`lurk: ${url}: HTTP ${response.status}; lanes are read from the profile`);
    return null;
  }
  const ptr = Module._malloc(size);
  if (!ptr) {
    console.warn(`lurk: ${url}: no room for ${formatBytes(size)} in the page; lanes are read from the profile`);
    return null;
  }
  const reader = response.body.getReader();
  let received = 0, lastShown = performance.now();
  onProgress(0, size);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received + value.length > size) throw new Error('more bytes than announced');
      Module.HEAPU8.set(value, ptr + received);  // HEAPU8 anew each time: the heap may have grown
      received += value.length;
      const now = performance.now();
      if (now - lastShown >= 100 || received === size) {
        lastShown = now;
        onProgress(received, size);
      }
    }
    if (received !== size) throw new Error(`${received} of ${size} bytes`);
  } catch (e) {
    Module._free(ptr);
    console.warn(`lurk: ${url}: ${e.message}; lanes are read from the profile`);
    return null;
  }
  return { ptr, size };
}

// Server-backed viewing (lurk view --native, lurk-native.js): the server
// keeps the profile and draws the timeline; the page opens its outline.
async function loadNative(info, name) {
  let error;
  try {
    error = await lurkNative.open(info, name, (received, total, elapsedMs) => {
      showStatus(progressText(`${name} (outline)`, received, total, elapsedMs), total ? received / total : null);
    });
  } catch (e) {
    error = `Could not load the outline of ${name}: ${e.message}`;
  }
  if (error) {
    showError(error);
    return;
  }
  statusBox.className = 'hidden';
  lurkShare.opened(name, { local: false, native: true });
  lurkNative.followBackground(info);
}

async function loadTrace(url) {
  const name = url.split('/').pop().split('?')[0] || 'trace.lurk';
  showStatus(`Loading ${name}…`, 0);
  Module.ccall('lurk_set_loading', null, ['string', 'number'], [name, 0]);
  // The server's own profile may be kept by the server (a ?trace= is not).
  if (!new URLSearchParams(location.search).get('trace') && typeof lurkNative !== 'undefined') {
    const info = await lurkNative.probe();
    if (info) return loadNative(info, name);
  }
  let bytes;
  let followPath = null;  // lurk view --follow offers the deltas' endpoint (lurk-follow.js)
  // One progress line for both transfers: the profile and, beside it, its
  // lane store (as large again for a big profile, so the line would stop at
  // "0 s left" while half the bytes are still coming).
  const started = performance.now();
  const transfer = { profile: { received: 0, total: 0 }, lanes: null };
  const showTransfer = () => {
    if (transfer.failed) return;  // the error stays on the line
    const lanes = transfer.lanes || { received: 0, total: 0 };
    const received = transfer.profile.received + lanes.received;
    const total = transfer.profile.total && (transfer.lanes === null || lanes.total)
      ? transfer.profile.total + lanes.total : 0;
    const fraction = total ? received / total : 0;
    // The store's answer may come later (lurk view is making it): until then
    // the total is the profile's alone, and the line says why.
    const label = transfer.lanes ? `${name} and its lanes`
      : transfer.lanesAwaited ? `${name} (its lane store is being made)` : name;
    showStatus(progressText(label, received, total, performance.now() - started), total ? fraction : null);
    Module.ccall('lurk_set_loading', null, ['string', 'number'], [name, fraction]);
  };
  // The server's own profile: its lane store is fetched beside it, in
  // parallel, once the profile's answer says one is offered (X-Lurk-Lanes:
  // making or ready), so that a page with none asks for nothing that is not
  // there (no 404 on the console of every load); "failed" (one was offered
  // and none is coming) is asked too, for the reason /trace.lanes gives.
  let offerLanes = () => {};
  const lanesOffered = new Promise((resolve) => { offerLanes = resolve; });
  const lanes = new URLSearchParams(location.search).get('trace') ? Promise.resolve(null)
    : lanesOffered.then((offered) => !offered ? null
      : fetchLanesIntoHeap('trace.lanes', (received, total) => {
        transfer.lanes = { received, total };
        showTransfer();
      }));
  // Waited for (and said on the line) only when the profile's answer says a
  // store is being made (X-Lurk-Lanes: making); "failed" or "none" when none
  // is coming (it could not be made, the profile changed, or none is
  // offered): the page then says nothing of it and reads its lanes from the
  // profile.
  let lanesSettled = false;
  transfer.lanesAwaited = false;
  lanes.then(() => { lanesSettled = true; transfer.lanesAwaited = false; });
  try {
    bytes = await fetchWithProgress(url, (received, total) => {
      transfer.profile = { received, total };
      showTransfer();
    }, (response) => {
      followPath = response.headers.get('X-Lurk-Follow');
      const offered = response.headers.get('X-Lurk-Lanes');
      offerLanes(offered === 'making' || offered === 'ready' || offered === 'failed');
      transfer.lanesAwaited = !lanesSettled && offered === 'making';
    });
  } catch (e) {
    offerLanes(false);
    transfer.failed = true;
    // A shared link whose trace is gone: say so, and that its view needs the trace.
    const view = location.hash.length > 1 ? ' (the link\'s view cannot be shown without its trace)' : '';
    showError(`Could not load ${url}: ${e.message}${view}`);
    const store = await lanes;
    if (store) Module._free(store.ptr);
    return;
  }
  // The store may still be in the making (lurk view makes it beside the
  // server, and answers /trace.lanes once it is ready): say what the page waits for.
  if (!lanesSettled && transfer.lanes === null && transfer.lanesAwaited)
    showStatus(`${name} loaded; waiting for its lane store (lurk view is making it)…`, null);
  // A followed profile's model takes deltas of its rows: no store (the
  // server offers none with --follow).
  offerLanes(false);  // an answer without the header (not lurk view): none
  let store = await lanes;
  if (store && followPath) {
    Module._free(store.ptr);
    store = null;
  }
  showStatus(`Opening ${name} (${formatBytes(bytes.length)})…`, 1);
  // Let the page paint the line before the module opens the profile (which
  // holds the main thread for as long as the load takes).
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  if (openFetched(name, bytes, store) && followPath && typeof lurkFollow !== 'undefined')
    lurkFollow.start(followPath, url);
}

// A trace fetched by address, or a standalone page's own: the view in the
// address (a shared link) is opened with it (lurk-share.js).
function openFetched(name, bytes, lanes) {
  const error = openInModule(name, bytes, lanes);
  if (error) {
    showError(error);
    return false;
  }
  statusBox.className = 'hidden';
  lurkShare.opened(name, { local: false });
  return true;
}

// A standalone page (web/standalone.html) carries its profile packed in a block.
async function loadEmbedded(block) {
  const name = block.dataset.name || 'profile.lurk';
  showStatus(`Unpacking ${name}…`, 0);
  Module.ccall('lurk_set_loading', null, ['string', 'number'], [name, 0]);
  let bytes;
  try {
    bytes = await lurkExport.unpack(block.textContent);
  } catch (e) {
    showError(`Could not unpack ${name} from this page: ${e.message}`);
    return;
  }
  showStatus(`Opening ${name}…`, 1);
  openFetched(name, bytes);
}

window.lurkSnapshot = function () {
  if (!moduleReady) {
    return { ready: false, error: pageError, counts: { connections: 0, packets: 0, threads: 0, events: 0 },
             visibleRange: null, selection: null, lastFrameMs: null };
  }
  return JSON.parse(Module.ccall('lurk_snapshot_json', 'string', [], []));
};

// Shows [t0, t1] (ns from the snapshot's originNs) on the timeline.
window.lurkSetWindow = function (t0, t1) {
  if (moduleReady) Module.ccall('lurk_set_window', null, ['number', 'number'], [t0, t1]);
};

var Module = {
  canvas: document.getElementById('canvas'),
  print: (text) => console.log(text),
  printErr: (text) => console.warn(text),
  onRuntimeInitialized() {
    moduleReady = true;
    // A file dropped or picked before the module started wins over the default trace.
    const pending = typeof lurkDrop !== 'undefined' ? lurkDrop.takePending() : null;
    if (pending) lurkDrop.openRead(pending);
    else if (pageError) Module.ccall('lurk_set_error', null, ['string'], [pageError]);
    else if (document.getElementById('lurk-data')) loadEmbedded(document.getElementById('lurk-data'));
    else loadTrace(traceUrl());
  },
  onAbort(what) { showError(`lurk stopped: ${what}`); },
};

window.addEventListener('error', (event) => {
  if (!moduleReady && String(event.filename || '').endsWith('lurk-ui.js'))
    showError('The lurk UI failed to start: ' + event.message);
});
