/* DOM helpers: element lookup and creation, the page state, the status
 * line and the error box.
 */

export function $(id) { return document.getElementById(id); }

export function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k === 'style') e.setAttribute('style', v);
      else if (k.slice(0, 2) === 'on' && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    });
  }
  (children || []).forEach(function (c) {
    if (c === null || c === undefined) return;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return e;
}

export function setState(s) { document.body.dataset.state = s; }

export function setStatus(text) {
  var st = $('status');
  st.textContent = text;
  st.title = text; // the header may cut a long status short
}

// `title` defaults to a failure; settings the server refused (400) say so.
export function showError(message, title) {
  var box = $('error');
  box.textContent = '';
  box.appendChild(el('strong', { text: (title || 'Something went wrong.') + ' ' }));
  box.appendChild(document.createTextNode(String(message || 'Unknown error.')));
  box.hidden = false;
  setState('error');
}

export function clearError() {
  var box = $('error');
  box.hidden = true;
  box.textContent = '';
}

export function idFor(key) { return 'lever-' + String(key).replace(/[^A-Za-z0-9_-]/g, '-'); }
