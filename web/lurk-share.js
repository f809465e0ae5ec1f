// Sharing from lurk's page (docs/sharing.md): the address's hash follows the
// view (history entries for views the user chose, replaced in place while
// dragging or zooming; back/forward go between them), a link's view is
// opened with the profile, and the header's buttons copy the link, download
// the open profile as .lurk and export it with the viewer as one HTML file,
// anonymised when the "Anonymise" panel says so (the module runs the same
// anonymiser as `lurk export --anonymize`, collector/export).
// The view itself is the module's (wasm-ui/core/view_state.h); this file only
// moves it between the module and the address. Builds on lurk-page.js and
// lurk-export.js; moves lurk-drop.js's "Open file…" button into its toolbar.
'use strict';

const lurkShare = (() => {
  const toolbar = document.createElement('div');
  toolbar.id = 'toolbar';
  const note = document.createElement('div');
  note.id = 'share-note';
  note.className = 'hidden';
  note.setAttribute('role', 'status');

  function button(id, text, title, onClick) {
    const b = document.createElement('button');
    b.id = id;
    b.type = 'button';
    b.textContent = text;
    b.title = title;
    b.addEventListener('click', onClick);
    toolbar.append(b);
    return b;
  }

  let noteTimer = null;
  function tell(text, ms = 4000) {
    note.textContent = text;
    note.className = '';
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { note.className = 'hidden'; }, ms);
  }

  let profileName = null;   // of the open profile
  let fromLocalFiles = false;  // opened from dropped or picked files: no address brings them back
  let native = false;  // kept by lurk view (server-backed): the page holds its outline only
  let polling = null;

  // The hash as it is: its values stay percent-encoded for the module to read.
  const hashText = () => location.hash.replace(/^#/, '');
  const addressWith = (hash) => location.pathname + location.search + (hash ? '#' + hash : '');

  // Applies the address's view to the module; returns the notice ('' when all applied).
  function applyAddress() {
    return Module.ccall('lurk_apply_view', 'string', ['string'], [hashText()]);
  }

  // Asks the module whether the view changed; records it in the history.
  function follow() {
    const update = Module.ccall('lurk_view_update', 'string', [], []);
    if (!update) return;
    const hash = update.slice(1);
    if (hash === hashText()) return;
    if (update[0] === '1') history.pushState(null, '', addressWith(hash));
    else history.replaceState(null, '', addressWith(hash));
  }

  // Called by lurk-page.js / lurk-drop.js once a profile is open. A trace
  // fetched by address (or a standalone page's own) takes the view of the
  // link; files dropped in start from their own opening view.
  function opened(name, { local, native: serverBacked = false }) {
    profileName = name;
    fromLocalFiles = local;
    native = serverBacked;
    document.getElementById('download-profile').textContent = native ? 'Download window .lurk' : 'Download .lurk';
    document.getElementById('download-profile').title = native
      ? 'Save the window shown as a .lurk file: lurk view cuts it out of the profile it keeps (lurk export --window)'
      : 'Save the open profile as a .lurk file (also one built here from dropped files)';
    document.getElementById('export-html').title = native
      ? 'Save the window shown and the viewer as one HTML file that opens offline'
      : 'Save the profile and the viewer as one HTML file that opens offline, on this view';
    if (local) history.replaceState(null, '', addressWith(''));
    else if (hashText()) applyAddress();
    if (!polling) polling = setInterval(follow, 150);
    reserveHeader();
  }

  // The module's header wraps before the toolbar rather than under it.
  function reserveHeader() {
    if (moduleReady) Module.ccall('lurk_set_header_reserve', null, ['number'], [toolbar.offsetWidth + 20]);
  }
  window.addEventListener('resize', reserveHeader);

  window.addEventListener('popstate', () => {
    if (profileName && moduleReady) applyAddress();
  });

  // The link's view without the keys that hold text typed by the user (the
  // search, the connections filter): they may name an address.
  function viewWithoutText() {
    const params = new URLSearchParams(hashText());
    params.delete('q');
    params.delete('cfilter');
    return params.toString();
  }

  // The "Anonymise" panel under its button: whether Download .lurk and
  // Export HTML anonymise, and how (lurk export's --keep-text, --map-ports, --key).
  function anonymizePanel() {
    const panel = document.createElement('div');
    panel.id = 'anonymize-panel';
    panel.className = 'hidden';
    panel.innerHTML = `
      <label><input type="checkbox" id="anonymize-on"> Anonymise <b>Download .lurk</b> and <b>Export HTML</b></label>
      <label><input type="checkbox" id="anonymize-map-ports"> Map ports too</label>
      <label><input type="checkbox" id="anonymize-keep-text"> Keep free text (logs, exceptions, argument strings, comments; addresses in it still mapped)</label>
      <label>Key <input type="text" id="anonymize-key" spellcheck="false" maxlength="32" placeholder="none: a fresh random key for each file"></label>
      <p>Addresses are mapped keyed and prefix-preserving (subnets stay subnets); payload, free
      text and file names are dropped; timings, sizes, TCP analysis and findings stay. With no key
      each file gets a fresh random one, used once and kept nowhere, so two files do not map an
      address alike; give the same 32 hex digits to make files comparable, and keep them secret.
      An HTML export leaves out the view's search and filter text.</p>`;
    const toggle = button('anonymize', '', 'Choose whether Download .lurk and Export HTML anonymise the profile',
                          () => { panel.classList.toggle('hidden'); });
    toggle.setAttribute('aria-expanded', 'false');
    const on = panel.querySelector('#anonymize-on');
    const label = () => {
      toggle.textContent = on.checked ? 'Anonymise: on ▾' : 'Anonymise: off ▾';
      toggle.classList.toggle('active', on.checked);
      toggle.setAttribute('aria-expanded', String(!panel.classList.contains('hidden')));
    };
    panel.addEventListener('change', label);
    toggle.addEventListener('click', label);
    label();
    return panel;
  }

  // What the panel says: null (plain) or { key ('' for random), keepText, mapPorts }.
  function anonymizeChoice() {
    if (!document.getElementById('anonymize-on').checked) return null;
    const key = document.getElementById('anonymize-key').value.trim();
    if (key && !/^[0-9a-fA-F]{32}$/.test(key)) throw new Error('the anonymisation key must be 32 hex digits (or empty: random)');
    return { key, keepText: document.getElementById('anonymize-keep-text').checked,
             mapPorts: document.getElementById('anonymize-map-ports').checked };
  }

  async function copyLink() {
    const link = location.href;
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      const area = Object.assign(document.createElement('textarea'), { value: link });
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    window.lurkLastCopiedLink = link;
    tell(fromLocalFiles
      ? 'Link copied. This profile was opened from local files: the link shows this view only where they are served; share the .lurk or the HTML export instead.'
      : 'Link copied: it opens this trace on this view.');
  }

  function saveAs(fileName, blob) {
    const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: fileName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  }

  // The open profile's bytes as a .lurk file (sqlite3_serialize in the
  // module), or anonymised as the panel says (a fresh random key each time
  // unless one is given).
  function profileBytes() {
    const path = '/download.lurk';
    const a = anonymizeChoice();
    const error = a
      ? Module.ccall('lurk_save_anonymized_profile', 'string', ['string', 'string', 'number', 'number'],
                     [path, a.key, a.keepText ? 1 : 0, a.mapPorts ? 1 : 0])
      : Module.ccall('lurk_save_profile', 'string', ['string'], [path]);
    if (error) throw new Error(error);
    const bytes = Module.FS.readFile(path);
    Module.FS.unlink(path);
    return bytes;
  }

  // "a.pcap + b.ctf" -> "a"; "trace.lurk" -> "trace".
  const plainStem = () => (profileName || 'profile').split(' + ')[0].replace(/\.[^.]*$/, '') || 'profile';
  const stem = () => plainStem() + (anonymizeChoice() ? '-anonymised' : '');

  // Server-backed: the window shown, cut out of the profile by lurk view
  // (GET /window.lurk, docs/server.md), anonymised there when the panel says so.
  async function windowBytes() {
    const t = new URLSearchParams(hashText()).get('t');
    // (No t=: the view shows the whole profile, which is the .lurk lurk view was given.)
    if (!t) throw new Error('the view shows the whole profile: zoom to the window to download; the whole profile is the file lurk view was given');
    const query = new URLSearchParams({ t });
    const a = anonymizeChoice();
    if (a) {
      query.set('anon', '1');
      if (a.key) query.set('key', a.key);
      if (a.keepText) query.set('keep', '1');
      if (a.mapPorts) query.set('ports', '1');
    }
    const response = await fetch('window.lurk?' + query.toString(), { cache: 'no-store' });
    if (!response.ok) throw new Error((await response.text()).trim() || `lurk view answered ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  // The window's cut opens on itself: the view's window, scroll, selection
  // and findings are the whole profile's; its folds, panels, clocks and theme stay.
  function viewOfTheCut(hash) {
    const params = new URLSearchParams(hash);
    for (const key of ['t', 'y', 'sel', 'finding', 'fkind']) params.delete(key);
    return params.toString();
  }

  async function download() {
    if (!profileName) return tell('No profile is open.');
    try {
      if (native) {
        tell('lurk view is cutting the window shown out of the profile…', 60000);
        const bytes = await windowBytes();
        saveAs(stem() + '-window.lurk', new Blob([bytes], { type: 'application/x-sqlite3' }));
        tell(`Downloading ${stem()}-window.lurk: the window shown (${(bytes.length / 1e6).toFixed(1)} MB)` +
             (anonymizeChoice() ? ', anonymised' : ''));
        return;
      }
      saveAs(stem() + '.lurk', new Blob([profileBytes()], { type: 'application/x-sqlite3' }));
      tell(`Downloading ${stem()}.lurk` + (anonymizeChoice() ? ' (anonymised)' : ''));
    } catch (e) {
      tell(`Could not download the profile: ${e.message}`, 8000);
    }
  }

  async function exportHtml() {
    if (!profileName) return tell('No profile is open.');
    tell('Writing the HTML file…', 60000);
    try {
      // An anonymised file carries no name, search or filter text of the original.
      const name = anonymizeChoice() ? 'anonymised profile' : profileName;
      const view = anonymizeChoice() ? viewWithoutText() : hashText();
      const html = native
        ? await lurkExport.standaloneHtml(name + ' (window)', await windowBytes(), viewOfTheCut(view))
        : await lurkExport.standaloneHtml(name, profileBytes(), view);
      const file = stem() + (native ? '-window' : '') + '.html';
      saveAs(file, new Blob([html], { type: 'text/html' }));
      tell(`Downloading ${file}: it opens offline, on ${native ? 'the window shown' : 'this view'} ` +
           `(${(html.length / 1e6).toFixed(1)} MB)`);
    } catch (e) {
      tell(`Could not export HTML: ${e.message}`, 8000);
    }
  }

  button('copy-link', 'Copy link', 'Copy a link to this trace on this view (zoom, selection, filters, panels)', copyLink);
  button('download-profile', 'Download .lurk', 'Save the open profile as a .lurk file (also one built here from dropped files)', download);
  button('export-html', 'Export HTML', 'Save the profile and the viewer as one HTML file that opens offline, on this view', exportHtml);
  const anonymize = anonymizePanel();
  const open = document.getElementById('open-file');
  if (open) toolbar.append(open);
  document.body.append(toolbar, anonymize, note);

  return { opened };
})();
