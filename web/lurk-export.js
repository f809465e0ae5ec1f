// Standalone HTML (docs/sharing.md): bytes packed as gzip + base64 text and
// unpacked again (CompressionStream / DecompressionStream), the template
// web/standalone.html filled in, and the open profile written with the whole
// viewer as one file (the "Export HTML" button, lurk-share.js). The CLI's
// `lurk export --html` fills the same template (collector/cli/html_export.cpp).
'use strict';

const lurkExport = (() => {
  // The page's scripts a template inlines (as <script id="lurk-js-NAME">):
  // its fields {{lurk-NAME.js}}, made from index.html's scripts
  // (cmake/standalone_html.cmake), but for the packed WebAssembly loader.
  const inlineScripts = (template) => [...template.matchAll(/\{\{(lurk-[a-z]+\.js)\}\}/g)]
    .map((m) => m[1]).filter((name) => name !== 'lurk-ui.js');
  const inlineId = (file) => 'lurk-js-' + file.slice('lurk-'.length, -'.js'.length);

  function base64FromBytes(bytes) {
    const parts = [];
    const chunk = 3 * 16384;  // a multiple of 3: the pieces join without padding
    for (let i = 0; i < bytes.length; i += chunk)
      parts.push(btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + chunk))));
    return parts.join('');
  }

  function bytesFromBase64(text) {
    const binary = atob(text.replace(/\s+/g, ''));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  async function pipe(bytes, stream) {
    const body = new Blob([bytes]).stream().pipeThrough(stream);
    return new Uint8Array(await new Response(body).arrayBuffer());
  }
  const pack = async (bytes) => base64FromBytes(await pipe(bytes, new CompressionStream('gzip')));
  const unpack = (text) => pipe(bytesFromBase64(text), new DecompressionStream('gzip'));
  // A packed block of a standalone page (<script type="application/x-lurk" id=...>).
  const unpackBlock = (id) => unpack(document.getElementById(id).textContent);

  const escapeHtml = (text) => String(text).replace(/[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  // Script and style text inline in the page: "</script" inside would end it
  // early, so every "</" becomes "<\/" (the same text in a JS string or
  // comment), as the CLI does. The page's own scripts must not end a regex
  // with "<" (write [<]).
  const inlineSafe = (text) => text.replace(/<\//g, '<\\/');
  // What the template puts around inline text ("\n" each side), taken off again.
  const inlineText = (element) => element.textContent.replace(/^\n/, '').replace(/\n$/, '');

  // Replaces each {{name}} of the template with values[name]; an unknown name is an error.
  function fillTemplate(template, values) {
    let out = '', at = 0;
    for (;;) {
      const open = template.indexOf('{{', at);
      if (open < 0) return out + template.slice(at);
      const close = template.indexOf('}}', open);
      const key = close < 0 ? template.slice(open) : template.slice(open + 2, close);
      if (close < 0 || !Object.hasOwn(values, key))
        throw new Error(`the standalone template has an unknown field {{${key}}}`);
      out += template.slice(at, open) + values[key];
      at = close + 2;
    }
  }

  async function fetchOk(name) {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return response;
  }

  // The viewer's files as the template takes them: from the server, or in a
  // standalone page from the page itself (its packed blocks as they are).
  async function viewerFiles() {
    const files = {};
    const standalone = document.getElementById('lurk-template');
    if (standalone) {
      files.template = new TextDecoder().decode(await unpack(standalone.textContent));
      files['lurk.css'] = inlineText(document.getElementById('lurk-css'));
      for (const name of inlineScripts(files.template))
        files[name] = inlineText(document.getElementById(inlineId(name)));
      files['lurk-ui.wasm'] = document.getElementById('lurk-wasm').textContent;
      files['lurk-ui.js'] = document.getElementById('lurk-glue').textContent;
      files['standalone.html'] = standalone.textContent;
      return files;
    }
    files.template = await (await fetchOk('standalone.html')).text();
    for (const name of ['lurk.css', ...inlineScripts(files.template)]) files[name] = await (await fetchOk(name)).text();
    for (const name of ['lurk-ui.wasm', 'lurk-ui.js', 'standalone.html'])
      files[name] = await pack(new Uint8Array(await (await fetchOk(name)).arrayBuffer()));
    return files;
  }

  // The standalone page of `profile` (a .lurk file's bytes) opening on `view` (a link's hash).
  async function standaloneHtml(name, profile, view) {
    const files = await viewerFiles();
    const values = {
      generator: 'lurk UI (Export HTML)',
      title: escapeHtml(name),
      name: escapeHtml(name),
      // Script text is not HTML-decoded: what could end the block is percent-encoded.
      view: view.replace(/[<]/g, '%3C').replace(/[>]/g, '%3E'),
      data: await pack(profile),
      'data-bytes': String(profile.length),
      'lurk.css': inlineSafe(files['lurk.css']),
      'lurk-ui.wasm': files['lurk-ui.wasm'],
      'lurk-ui.js': files['lurk-ui.js'],
      'standalone.html': files['standalone.html'],
    };
    for (const script of inlineScripts(files.template)) values[script] = inlineSafe(files[script]);
    return fillTemplate(files.template, values);
  }

  return { pack, unpack, unpackBlock, standaloneHtml };
})();
