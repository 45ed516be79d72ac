// Insured registration form, progressive enhancement only (the form works without it):
// branch suggestions as one types (an ARIA combobox fed by GET /api/v1/branches), and the
// national-code / foreign-identifier switch.
(function () {
  'use strict';
  // English pages show a branch's English name when the list has one.
  var nameOf = function (b) {
    return (document.documentElement.lang === 'en' && b.nameEn) || b.name;
  };
  var form = document.querySelector('[data-insured-form]');
  if (!form) return;

  // The captcha widget's texts and worker: /static/captcha.js (shared with sign-in).

  // ---- national code or foreign national identifier
  var toggle = form.querySelector('[data-foreign-toggle]');
  var national = form.querySelector('[data-when-national]');
  var foreign = form.querySelector('[data-when-foreign]');
  function syncForeign() {
    var on = toggle.checked;
    national.hidden = on;
    foreign.hidden = !on;
  }
  if (toggle && national && foreign) {
    toggle.addEventListener('change', syncForeign);
    syncForeign();
  }

  // ---- branch suggestions
  var field = form.querySelector('[data-branch-field]');
  if (!field) return;
  var input = field.querySelector('[data-branch-input]');
  var list = field.querySelector('[data-branch-list]');
  var searchButton = field.querySelector('[data-branch-search]');
  var results = field.querySelector('[data-branch-results]');
  var code = field.querySelector('[data-branch-code]');
  var selectedNote = field.querySelector('[data-branch-selected]');
  if (!input || !list) return;
  // With suggestions the search button is not needed, and Enter must not trigger it.
  if (searchButton) searchButton.hidden = true;
  if (!code) {
    code = document.createElement('input');
    code.type = 'hidden';
    code.name = 'branchCode';
    code.setAttribute('data-branch-code', '');
    field.appendChild(code);
  }
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');

  var items = [];
  var active = -1;
  var timer = null;
  var lastQuery = '';
  var chosenName = input.value;

  function close() {
    list.hidden = true;
    list.textContent = '';
    items = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }
  function choose(branch) {
    code.value = branch.code;
    input.value = nameOf(branch);
    chosenName = nameOf(branch);
    if (results) results.remove();
    results = null;
    if (selectedNote) {
      selectedNote.hidden = false;
      selectedNote.textContent = (selectedNote.getAttribute('data-template') || '') + nameOf(branch) + ' (' + branch.city + ')';
    }
    close();
  }
  function highlight(i) {
    items.forEach(function (li, j) {
      li.setAttribute('aria-selected', j === i ? 'true' : 'false');
    });
    active = i;
    if (i >= 0) input.setAttribute('aria-activedescendant', items[i].id);
  }
  function show(branches) {
    list.textContent = '';
    items = branches.map(function (b, i) {
      var li = document.createElement('li');
      li.id = 'branch-option-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = nameOf(b) + ' — ' + b.city;
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        choose(b);
      });
      li.branch = b;
      list.appendChild(li);
      return li;
    });
    if (items.length === 0) return close();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  }
  function search() {
    var q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (q.length < 1) return close();
    fetch('/api/v1/branches?q=' + encodeURIComponent(q), { headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : { branches: [] };
      })
      .then(function (data) {
        if (input.value.trim() === q) show(data.branches || []);
      })
      .catch(close);
  }
  input.addEventListener('input', function () {
    // Typing again means the earlier choice no longer holds.
    if (input.value !== chosenName) code.value = '';
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      highlight((active + 1) % items.length);
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === 'Enter') {
      if (items.length) {
        e.preventDefault();
        choose(items[active >= 0 ? active : 0].branch);
      }
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', function () {
    setTimeout(close, 100);
  });
})();
