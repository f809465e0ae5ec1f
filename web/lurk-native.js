// Server-backed viewing on the page side (`lurk view --native`,
// docs/server.md): when the server answers GET /native, the page opens the
// profile's small outline (/outline.lurk: sources, connections, threads'
// names, findings) instead of the whole profile, and the module's timeline
// asks for frames (GET /frame?...), items' details (GET /item?...), a
// measured range's counts (GET /measure?...) and the mark `]` / `[` step to
// (GET /mark?...), the graphed connection's packets (GET /samples?...) and
// where a finding takes the timeline (GET /finding?...) through askFrame
// and ask(path, query). Answers
// are fetched here, asynchronously, and handed to the module; it draws the
// last frame received meanwhile, so the page never waits on the network.
'use strict';

const lurkNative = (() => {
  const asked = new Map();  // frame serial -> when it was asked (performance.now())

  // The server's /native answer, or null when the profile is viewed in-browser
  // (404) or the server is not lurk view (a static copy of the page).
  async function probe() {
    try {
      const response = await fetch('native', { cache: 'no-store' });
      if (!response.ok) return null;
      const info = await response.json();
      return info && info.native === true ? info : null;
    } catch (e) {
      return null;
    }
  }

  // Opens the outline on the native profile's axis; returns the module's
  // problem text, '' when open.
  async function open(info, name, onProgress) {
    const bytes = await fetchWithProgress('outline.lurk', onProgress);
    const path = '/native-outline.lurk';
    Module.FS.writeFile(path, bytes, { canOwn: true });
    const c = info.counts || {};
    return Module.ccall('lurk_open_native', 'string',
                        ['string', 'string', 'string', 'number', 'number', 'number', 'number', 'number', 'number',
                         'string', 'string'],
                        [path, name, String(info.originNsText), Number(info.durationNs), c.connections || 0,
                         c.packets || 0, c.threads || 0, c.events || 0, Number(info.groups),
                         JSON.stringify(info.minimap || []), JSON.stringify(info.laneShapes || null)]);
  }

  // A cold open's lane store being made, said at the bottom of the page:
  // until it is in, a frame that shows lanes not stored yet reads them from
  // the profile's rows and can take a few hundred ms at 100M events (lanes
  // already stored are as fast as from the store: docs/server.md). `events`: [stored, of],
  // from /native; `rate`: events a second seen between two answers.
  const note = document.getElementById('background-note');
  function showBackground(events, rate) {
    if (!note) return;
    const [stored, total] = Array.isArray(events) && events.length === 2 ? events.map(Number) : [0, 0];
    let text = 'Making the lane store';
    if (total > 0) {
      text += `: ${Math.min(99, Math.floor((100 * stored) / total))}%`;
      if (rate > 0 && stored < total) text += `, about ${formatSeconds((total - stored) / rate)} left`;
    }
    note.textContent = `${text} (lanes not in it yet are read from the profile, slower)`;
    note.className = '';
  }

  // A cold open (docs/server.md): lurk view answers the first frames before
  // its background work is done (the flows and periods, then the lane store
  // and the minimap). Asks /native again every second until it is; each
  // step done, the module takes the minimap and asks the shown view again.
  function followBackground(info) {
    let flowsPending = info.flowsPending === true;
    if (!flowsPending && info.backgroundPending !== true) return;
    if (info.backgroundPending === true) showBackground(info.backgroundEvents, 0);
    let first = null;  // [performance.now(), events stored] when the first events were stored
    const timer = setInterval(async () => {
      let now;
      try {
        const response = await fetch('native', { cache: 'no-store' });
        if (!response.ok) return;
        now = await response.json();
      } catch (e) {
        return;
      }
      const done = now.backgroundPending !== true;
      if (!done) {
        const stored = Array.isArray(now.backgroundEvents) ? Number(now.backgroundEvents[0]) : 0;
        const at = performance.now();
        // The mean rate since the first answer that had stored any (lanes
        // differ in size: one poll's step says little).
        const rate = first && stored > first[1] ? ((stored - first[1]) * 1000) / (at - first[0]) : 0;
        if (!first && stored > 0) first = [at, stored];
        showBackground(now.backgroundEvents, rate);
      } else if (note) {
        note.className = 'hidden';
      }
      if ((flowsPending && now.flowsPending !== true) || done) {
        flowsPending = now.flowsPending === true;
        Module.ccall('lurk_native_update', null, ['string'], [done ? JSON.stringify(now.minimap || []) : '[]']);
      }
      if (done) {
        clearInterval(timer);
        // The store could not be made (frames go on from the profile's rows): say why.
        if (now.backgroundProblem) console.warn(`lurk: lane store: ${now.backgroundProblem}`);
      }
    }, 1000);
  }

  // Called by the module (one frame in flight at a time, RemoteFrameSource).
  function askFrame(query, serial) {
    asked.set(serial, performance.now());
    fetch('frame?' + query, { cache: 'no-store' }).then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const path = `/frame-${serial}.bin`;
      Module.FS.writeFile(path, bytes, { canOwn: true });
      const ms = performance.now() - asked.get(serial);
      asked.delete(serial);
      Module.ccall('lurk_frame_received', null, ['number', 'string', 'number'], [serial, path, ms]);
    }).catch((e) => {
      asked.delete(serial);
      Module.ccall('lurk_frame_failed', null, ['number', 'string'], [serial, e.message]);
    });
  }

  // Every other GET the module asks (`path`: item, measure, mark, samples,
  // finding; core/remote_answers.h): the answer's bytes (JSON, or a
  // connection's packets) or the problem go to the module through a file.
  let answers = 0;
  function ask(path, query) {
    const file = `/answer-${++answers}.bin`;
    const hand = (ok, bytes) => {
      Module.FS.writeFile(file, bytes, { canOwn: true });
      Module.ccall('lurk_remote_answer', null, ['string', 'string', 'number', 'string'], [path, query, ok ? 1 : 0, file]);
    };
    // Handed once, outside the fetch's catch: a failure of the module's own
    // is not taken for the network's (which would answer the query twice).
    fetch(path + '?' + query, { cache: 'no-store' }).then(async (response) => {
      const bytes = new Uint8Array(await response.arrayBuffer());
      return response.ok ? [true, bytes]
        : [false, new TextEncoder().encode(`HTTP ${response.status}: ${new TextDecoder().decode(bytes).slice(0, 300)}`)];
    }, (e) => [false, new TextEncoder().encode(e.message)]).then(([ok, bytes]) => hand(ok, bytes));
  }

  return { probe, open, followBackground, askFrame, ask };
})();

// The drawn timeline frame's records, one a line (tests compare the two modes).
window.lurkFrameRecords = function () {
  return moduleReady ? Module.ccall('lurk_frame_records', 'string', [], []) : '';
};
