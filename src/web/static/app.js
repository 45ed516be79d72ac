// Progressive enhancement only: every form works without this file.
(function () {
  'use strict';
  // Bring the error summary into view and focus so screen readers announce it.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
