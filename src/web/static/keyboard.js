// On-screen keyboard for password fields (progressive enhancement: the forms work
// without it). Latin letters, digits and the allowed symbols & % $ # !; every key is a
// real button, so it works with Tab/Enter/Space and screen readers; Escape closes it.
// Texts come from data-vk-* attributes rendered from the catalogs.
(function () {
  'use strict';
  var ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '&%$#!'];
  var persianDigits = '۰۱۲۳۴۵۶۷۸۹';

  function localDigits(s) {
    if (document.documentElement.lang !== 'fa') return s;
    return String(s).replace(/[0-9]/g, function (d) { return persianDigits[Number(d)]; });
  }

  function button(text, className, label) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    if (label) b.setAttribute('aria-label', label);
    return b;
  }

  function setup(mount) {
    var input = document.getElementById(mount.getAttribute('data-vk-for'));
    if (!input) return;
    var d = mount.dataset;
    var panelId = 'vk-' + input.id;
    var upper = false;

    var toggle = button(d.vkOpen, 'button secondary vk-toggle');
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', panelId);

    var panel = document.createElement('div');
    panel.id = panelId;
    panel.className = 'vk';
    panel.setAttribute('role', 'group');
    panel.setAttribute('aria-label', d.vkLabel);
    panel.setAttribute('dir', 'ltr');
    panel.hidden = true;

    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('aria-live', 'polite');

    function announce() {
      status.textContent = d.vkCount.replace('{count}', localDigits(input.value.length));
    }
    function changed() {
      input.dispatchEvent(new Event('input', { bubbles: true }));
      announce();
    }

    var letterKeys = [];
    ROWS.forEach(function (row) {
      var r = document.createElement('div');
      r.className = 'vk-row';
      row.split('').forEach(function (ch) {
        var k = button(ch, 'vk-key');
        k.setAttribute('data-char', ch);
        if (/[a-z]/.test(ch)) letterKeys.push(k);
        k.addEventListener('click', function () {
          var c = k.getAttribute('data-char');
          if (input.maxLength > 0 && input.value.length >= input.maxLength) return;
          input.value += c;
          changed();
        });
        r.appendChild(k);
      });
      panel.appendChild(r);
    });

    var controls = document.createElement('div');
    controls.className = 'vk-row vk-controls';
    var shift = button('⇧ Aa', 'vk-key vk-wide', d.vkShift);
    shift.setAttribute('aria-pressed', 'false');
    shift.addEventListener('click', function () {
      upper = !upper;
      shift.setAttribute('aria-pressed', String(upper));
      letterKeys.forEach(function (k) {
        var c = upper ? k.textContent.toUpperCase() : k.textContent.toLowerCase();
        k.textContent = c;
        k.setAttribute('data-char', c);
      });
    });
    var back = button('⌫', 'vk-key vk-wide', d.vkBackspace);
    back.addEventListener('click', function () {
      input.value = input.value.slice(0, -1);
      changed();
    });
    var clear = button('✕', 'vk-key vk-wide', d.vkClear);
    clear.addEventListener('click', function () {
      input.value = '';
      changed();
    });
    var close = button(d.vkClose, 'vk-key vk-close');
    close.addEventListener('click', function () { hide(true); });
    [shift, back, clear, close].forEach(function (b) { controls.appendChild(b); });
    panel.appendChild(controls);

    function show() {
      panel.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      var first = panel.querySelector('.vk-key');
      if (first) first.focus();
      announce();
    }
    function hide(returnFocus) {
      panel.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      if (returnFocus) toggle.focus();
    }
    toggle.addEventListener('click', function () {
      if (panel.hidden) show(); else hide(false);
    });
    panel.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); hide(true); }
    });

    mount.appendChild(toggle);
    mount.appendChild(panel);
    mount.appendChild(status);
  }

  var mounts = document.querySelectorAll('.vk-mount[data-vk-for]');
  for (var i = 0; i < mounts.length; i++) setup(mounts[i]);
})();
