// Opening local files in lurk's page: drag and drop anywhere on the page, or
// the "Open file" button (a file picker). A .lurk profile is opened as it
// is; a raw capture or trace (pcap, pcapng, CTF, Chrome JSON, JSON lines) is
// ingested in the browser by the same C++ core the CLI uses (lurk_open_file
// does both). Builds on lurk-page.js (openInModule, showStatus, showError).
'use strict';

const lurkDrop = (() => {
  const accepted = '.lurk,.pcap,.pcapng,.cap,.ctf,.json,.jsonl,.ndjson,.trace';

  const picker = document.createElement('input');
  picker.type = 'file';
  picker.id = 'file-input';
  picker.accept = accepted;
  picker.multiple = true;  // several captures and traces open as one profile
  picker.hidden = true;

  const button = document.createElement('button');
  button.id = 'open-file';
  button.type = 'button';
  button.textContent = 'Open file…';
  button.title = 'Open a .lurk profile, or pcap, pcapng, CTF, JSON or JSONL files (several open as one profile; or drop them on the page)';

  const overlay = document.createElement('div');
  overlay.id = 'drop-overlay';
  overlay.className = 'hidden';
  overlay.textContent = 'Drop a .lurk profile, or pcap, pcapng, CTF, JSON or JSONL files (several open as one profile)';

  document.body.append(picker, button, overlay);

  // Reads the files, then opens them in the module once the module is running:
  // one as it is, several ingested into one profile.
  async function openLocalFiles(fileList) {
    const files = Array.from(fileList);
    const label = files.map((f) => f.name).join(' + ');
    showStatus(`Reading ${label}…`, 0);
    const read = [];
    for (const file of files) {
      try {
        read.push({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
      } catch (e) {
        showError(`Could not read ${file.name}: ${e.message}`);
        return;
      }
    }
    if (!moduleReady) {
      pendingFile = read;
      showStatus(`Waiting for the lurk UI to start…`, 1);
      return;
    }
    openRead(read);
  }

  const openLocalFile = (file) => openLocalFiles([file]);

  function openRead(read) {
    pageError = null;
    const name = read.map((f) => f.name).join(' + ');
    const size = read.reduce((sum, f) => sum + f.bytes.length, 0);
    showStatus(`Opening ${name}…`, 1);
    // Let the page paint the status before the (synchronous) ingest runs.
    setTimeout(() => {
      const started = performance.now();
      const error = read.length === 1 ? openInModule(read[0].name, read[0].bytes) : openAllInModule(read);
      window.lurkLastOpen = { name, bytes: size, ms: performance.now() - started, error };
      if (error) {
        showError(error);
      } else {
        statusBox.className = 'hidden';
        lurkShare.opened(name, { local: true });
      }
    }, 0);
  }

  const openBytes = (name, bytes) => openRead([{ name, bytes }]);

  let pendingFile = null;
  button.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    if (picker.files.length) openLocalFiles(picker.files);
    picker.value = '';
  });

  // dragenter/dragleave fire for every child element: count them.
  let depth = 0;
  const hasFiles = (event) => Array.from(event.dataTransfer?.types || []).includes('Files');
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (depth++ === 0) overlay.className = '';
  });
  window.addEventListener('dragleave', () => {
    if (depth > 0 && --depth === 0) overlay.className = 'hidden';
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    overlay.className = 'hidden';
    const files = event.dataTransfer?.files;
    if (!files || !files.length) return;
    openLocalFiles(files);
  });

  return {
    openLocalFile,
    openLocalFiles,
    openRead,
    // Called by lurk-page.js when the module is up: a file dropped before is opened now.
    takePending() {
      const file = pendingFile;
      pendingFile = null;
      return file;
    },
    openBytes,
  };
})();
