// The self-hosted captcha widget (insured registration; sign-in after many failed attempts):
// the PBKDF2 worker served locally, and the widget's texts from our catalogs.
(function () {
  'use strict';
  var widget = document.querySelector('altcha-widget[data-strings]');
  if (!widget) return;
  if (window.$altcha && window.$altcha.algorithms) {
    ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512'].forEach(function (name) {
      window.$altcha.algorithms.set(name, function () {
        return new Worker('/static/vendor/altcha-pbkdf2-worker.js');
      });
    });
  }
  var registry = window.$altcha && window.$altcha.i18n;
  if (!registry) return;
  try {
    var lang = document.documentElement.lang || 'fa';
    var base = registry.get(lang) || registry.get('en') || {};
    var strings = JSON.parse(widget.getAttribute('data-strings'));
    var merged = {};
    Object.keys(base).forEach(function (k) { merged[k] = base[k]; });
    Object.keys(strings).forEach(function (k) { merged[k] = strings[k]; });
    registry.set(lang, merged);
    widget.setAttribute('language', lang);
  } catch (e) {
    /* the widget keeps its own texts */
  }
})();
