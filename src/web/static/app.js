// Progressive enhancement only: every form works without this file.
(function () {
  'use strict';
  // Bring the error summary into view and focus so screen readers announce it.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Registration: the province narrows the grouped city list; the country shows the
  // place fields that apply (Iran: province and city; abroad: the typed city).
  var province = document.getElementById('province');
  var city = document.getElementById('city');
  if (province && city) {
    var groups = Array.prototype.slice.call(city.querySelectorAll('optgroup'));
    var narrow = function () {
      var chosen = province.value;
      groups.forEach(function (g) {
        var show = !chosen || g.getAttribute('data-province') === chosen;
        g.hidden = !show;
        g.disabled = !show;
      });
      var selected = city.options[city.selectedIndex];
      if (selected && selected.parentNode && selected.parentNode.disabled) city.value = '';
    };
    province.addEventListener('change', narrow);
    narrow();
  }
  var country = document.getElementById('country');
  if (country && document.querySelector('[data-place]')) {
    var places = function () {
      var inIran = country.value === 'IR';
      Array.prototype.forEach.call(document.querySelectorAll('[data-place]'), function (el) {
        el.hidden = (el.getAttribute('data-place') === 'iran') !== inIran;
      });
    };
    country.addEventListener('change', places);
    places();
  }
})();
