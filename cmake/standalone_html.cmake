# Derives the standalone page's template (docs/sharing.md "One HTML file")
# from web/index.html at build time, so the two pages have one source of
# markup: a button or element added to index.html is in every exported HTML
# file too. Run as `cmake -DINDEX=web/index.html -DOUT=.../standalone.html -P`.
# The template's {{fields}} are filled by collector/cli/html_export.cpp (lurk
# export --html) and web/lurk-export.js (the page's Export HTML):
#  - the stylesheet link becomes the style inline ({{lurk.css}});
#  - each <script src="lurk-NAME.js"> becomes that script inline
#    (<script id="lurk-js-NAME">{{lurk-NAME.js}}</script>);
#  - the WebAssembly's loader (lurk-ui.js, async) becomes the packed blocks
#    (view, profile, WebAssembly, its JavaScript, this template) and
#    lurk-standalone.js, which unpacks and starts them.
# Every rewrite must apply exactly once: an index.html this script no longer
# understands fails the build instead of writing a broken page.
cmake_minimum_required(VERSION 3.20)
file(READ "${INDEX}" page)

function(replace_once from to)
  string(FIND "${page}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${INDEX}: no '${from}' to make the standalone page from")
  endif()
  string(REPLACE "${from}" "${to}" replaced "${page}")
  string(LENGTH "${from}" from_length)
  math(EXPR after "${at} + ${from_length}")
  string(SUBSTRING "${page}" ${after} -1 rest)
  string(FIND "${rest}" "${from}" again)
  if(NOT again EQUAL -1)
    message(FATAL_ERROR "${INDEX}: '${from}' more than once")
  endif()
  set(page "${replaced}" PARENT_SCOPE)
endfunction()

replace_once("<!doctype html>\n" "<!doctype html>
<!-- A lurk profile and its viewer in one file (docs/sharing.md), made from
     lurk's web/index.html (cmake/standalone_html.cmake) and filled in by
     `lurk export --html` (collector/cli/html_export.cpp) or the UI's
     \"Export HTML\" button (web/lurk-export.js). It opens from file:// with no
     server and no network: the profile, the WebAssembly and its JavaScript
     are gzip-compressed, base64 text in the blocks below; the page's own
     scripts and style are inline. Names in double braces are filled in. -->\n")
replace_once("<title>lurk</title>" "<meta name=\"generator\" content=\"{{generator}}\">
<title>{{title}} · lurk</title>")
replace_once("<link rel=\"stylesheet\" href=\"lurk.css\">" "<style id=\"lurk-css\">
{{lurk.css}}
</style>")
replace_once("Starting lurk…" "Unpacking lurk…")
# The packed blocks before the first script, which may look for them.
replace_once("<script src=\"lurk-page.js\"></script>" "<script type=\"application/x-lurk\" id=\"lurk-view\">{{view}}</script>
<script type=\"application/x-lurk\" id=\"lurk-data\" data-name=\"{{name}}\" data-bytes=\"{{data-bytes}}\">{{data}}</script>
<script type=\"application/x-lurk\" id=\"lurk-wasm\">{{lurk-ui.wasm}}</script>
<script type=\"application/x-lurk\" id=\"lurk-glue\">{{lurk-ui.js}}</script>
<script type=\"application/x-lurk\" id=\"lurk-template\">{{standalone.html}}</script>
<script src=\"lurk-page.js\"></script>")
replace_once("<script src=\"lurk-ui.js\" async></script>" "<script src=\"lurk-standalone.js\"></script>")
string(REGEX REPLACE "<script src=\"lurk-([a-z]+)\\.js\"></script>"
       "<script id=\"lurk-js-\\1\">\n{{lurk-\\1.js}}\n</script>" page "${page}")
string(FIND "${page}" "src=" left)
if(NOT left EQUAL -1)
  message(FATAL_ERROR "${INDEX}: a script or resource the standalone page cannot inline is left")
endif()
file(WRITE "${OUT}.tmp" "${page}")
file(RENAME "${OUT}.tmp" "${OUT}")
