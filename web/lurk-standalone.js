// Starts lurk inside a standalone page (web/standalone.html, docs/sharing.md):
// puts the view the file was exported with in the address (unless it already
// names one), unpacks the WebAssembly and its JavaScript from the page and
// starts them. lurk-page.js then opens the profile from the page's data
// block instead of fetching a trace. Nothing is fetched: it runs offline.
'use strict';

(async () => {
  const view = document.getElementById('lurk-view').textContent.trim();
  if (!location.hash && view) history.replaceState(null, '', '#' + view);
  try {
    showStatus('Unpacking the lurk viewer…', 0);
    Module.wasmBinary = await lurkExport.unpackBlock('lurk-wasm');
    const glue = new TextDecoder().decode(await lurkExport.unpackBlock('lurk-glue'));
    const script = document.createElement('script');
    script.textContent = glue;
    document.body.append(script);
  } catch (e) {
    showError(`This file could not unpack the lurk viewer: ${e.message}`);
  }
})();
