// Following a growing profile (lurk view --follow; docs/live.md): after the
// profile is open, the page asks the server for the rows committed since the
// open copy's state (its cursor) every kPollMs, hands each answer (a small
// SQLite delta) to the module, which applies it to its copy and redraws
// keeping the view. The toggle (L) and the live indicator are the module's;
// this file only moves bytes. A "reset" answer (the profile changed other
// than by appends) fetches the profile whole again, keeping the view.
'use strict';

const lurkFollow = (() => {
  const kPollMs = 100;       // between answered polls
  const kRetryMs = 1000;     // after a failed one (server busy, network)
  const kDeltaPath = '/follow-delta.sqlite';
  let endpoint = null;
  let traceUrl = null;
  let timer = null;
  let reloads = 0;
  let reloadedPath = null;  // the copy a reload made, open in the module

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function polled(problem) {
    Module.ccall('lurk_follow_polled', null, ['number', 'string'], [performance.now(), problem]);
  }

  // Applies one delta; returns when to poll next.
  function apply(bytes) {
    Module.FS.writeFile(kDeltaPath, bytes);
    const result = Module.ccall('lurk_follow_apply', 'string', ['string', 'number'],
                                [kDeltaPath, performance.now()]);
    Module.FS.unlink(kDeltaPath);
    if (result === 'reset') return reload();
    if (result === 'more') return 0;
    if (result) console.warn(`lurk: ${result}`);
    return result ? kRetryMs : kPollMs;
  }

  // The whole profile again (after a reset), opened keeping the view.
  async function reload() {
    const response = await fetch(traceUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status} reloading the profile`);
    // A new name each time: the copy open now stays whole until the new one is open.
    const path = `/follow-reload-${++reloads}.lurk`;
    Module.FS.writeFile(path, new Uint8Array(await response.arrayBuffer()), { canOwn: true });
    const error = Module.ccall('lurk_follow_reopen', 'string', ['string', 'number'], [path, performance.now()]);
    if (error) {
      Module.FS.unlink(path);
      throw new Error(error);
    }
    if (reloadedPath) Module.FS.unlink(reloadedPath);
    reloadedPath = path;
    return kPollMs;
  }

  async function poll() {
    if (!Module.ccall('lurk_follow_wanted', 'number', [], [])) {
      schedule(250);
      return;
    }
    const cursor = Module.ccall('lurk_follow_cursor', 'string', [], []);
    let next = kPollMs;
    try {
      const response = await fetch(`${endpoint}?cursor=${encodeURIComponent(cursor)}`);
      if (response.status === 204) {
        polled('');
      } else if (response.ok) {
        next = await apply(new Uint8Array(await response.arrayBuffer()));
      } else {
        polled((await response.text()).trim() || `HTTP ${response.status}`);
        next = kRetryMs;
      }
    } catch (e) {
      polled(`the server did not answer: ${e.message}`);
      next = kRetryMs;
    }
    schedule(next);
  }

  return {
    // `path`: the endpoint the server named (X-Lurk-Follow); `url`: the profile's.
    start(path, url) {
      if (endpoint) return;
      endpoint = path.startsWith('/') ? path.slice(1) : path;  // relative: keeps a path prefix
      traceUrl = url;
      Module.ccall('lurk_follow_available', null, ['number'], [1]);
      schedule(0);
    },
  };
})();
