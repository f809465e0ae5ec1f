// Sharing from lurk's page (docs/sharing.md): the address's hash follows the
// view (history entries for views the user chose, replaced in place while
// dragging or zooming; back/forward go between them), a link's view is
// opened with the profile, and the header's buttons copy the link, download
// the open profile as .lurk and export it with the viewer as one HTML file.
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
  function opened(name, { local }) {
    profileName = name;
    fromLocalFiles = local;
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

  // The open profile's bytes as a .lurk file (sqlite3_serialize in the module).
  function profileBytes() {
    const path = '/download.lurk';
    const error = Module.ccall('lurk_save_profile', 'string', ['string'], [path]);
    if (error) throw new Error(error);
    const bytes = Module.FS.readFile(path);
    Module.FS.unlink(path);
    return bytes;
  }

  // "a.pcap + b.ctf" -> "a"; "trace.lurk" -> "trace".
  const stem = () => (profileName || 'profile').split(' + ')[0].replace(/\.[^.]*$/, '') || 'profile';

  function download() {
    if (!profileName) return tell('No profile is open.');
    try {
      saveAs(stem() + '.lurk', new Blob([profileBytes()], { type: 'application/x-sqlite3' }));
      tell(`Downloading ${stem()}.lurk`);
    } catch (e) {
      tell(`Could not download the profile: ${e.message}`, 8000);
    }
  }

  async function exportHtml() {
    if (!profileName) return tell('No profile is open.');
    tell('Writing the HTML file…', 60000);
    try {
      const html = await lurkExport.standaloneHtml(profileName, profileBytes(), hashText());
      saveAs(stem() + '.html', new Blob([html], { type: 'text/html' }));
      tell(`Downloading ${stem()}.html: it opens offline, on this view (${(html.length / 1e6).toFixed(1)} MB)`);
    } catch (e) {
      tell(`Could not export HTML: ${e.message}`, 8000);
    }
  }

  button('copy-link', 'Copy link', 'Copy a link to this trace on this view (zoom, selection, filters, panels)', copyLink);
  button('download-profile', 'Download .lurk', 'Save the open profile as a .lurk file (also one built here from dropped files)', download);
  button('export-html', 'Export HTML', 'Save the profile and the viewer as one HTML file that opens offline, on this view', exportHtml);
  const open = document.getElementById('open-file');
  if (open) toolbar.append(open);
  document.body.append(toolbar, note);

  return { opened };
})();
