/* A watchdog for the page's own loading, run as a classic script before
 * the modules. A busy server refuses a connection (503, the limit per
 * address), and a browser does not retry a script module it could not
 * load: the page then never starts and would stay "Loading…" without a
 * word. If a script fails to load, or the modules have not started 15 s
 * after the page, say so and offer a reload. main.js marks its start on
 * <body data-started>.
 */
(function () {
  var shown = false;
  function stuck() {
    if (shown || document.body.dataset.started) return;
    shown = true;
    var box = document.getElementById('error');
    var status = document.getElementById('status');
    if (status) status.textContent = 'The page did not load.';
    if (!box) return;
    box.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = 'The page did not finish loading. ';
    box.appendChild(strong);
    box.appendChild(document.createTextNode(
      'The server may be busy with other users or browser tabs. '));
    var again = document.createElement('a');
    again.href = window.location.href;
    again.textContent = 'Reload the page';
    box.appendChild(again);
    box.appendChild(document.createTextNode(' in a moment.'));
    box.hidden = false;
    document.body.dataset.state = 'error';
  }
  // A script that fails to load fires `error` on its element, seen here
  // in the capture phase (it does not bubble).
  window.addEventListener('error', function (e) {
    var t = e && e.target;
    if (t && t.tagName === 'SCRIPT') setTimeout(stuck, 0);
  }, true);
  window.addEventListener('load', function () { setTimeout(stuck, 15000); });
})();
