// Passkey ceremonies over the WebAuthn browser library (/static/webauthn/index.umd.min.js,
// global SimpleWebAuthnBrowser). A form marked data-passkey-ceremony (or a button marked
// data-passkey-button inside a form) asks its data-options-url for options (JSON, with the
// form's CSRF token), runs the browser's passkey prompt, puts the answer in the form's
// hidden `flowId` and `credential` fields and submits the form; the server answers with
// a redirect like any form. Without this file (no JavaScript) the pages say that passkeys
// need JavaScript and offer the other ways in.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var supported = !!(lib && lib.browserSupportsWebAuthn());
  var each = function (selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  };
  /** A text of the catalogs, from the nearest element carrying it. */
  var text = function (el, name) {
    var holder = (el && el.closest('[data-msg-' + name + ']')) || document.querySelector('[data-msg-' + name + ']');
    return holder ? holder.getAttribute('data-msg-' + name) : '';
  };

  each('[data-passkey-needs-js]', function (el) {
    if (supported) {
      el.hidden = true;
      return;
    }
    var message = el.querySelector('[data-passkey-message]');
    if (message) message.textContent = text(el, 'unsupported');
  });
  if (!supported) return;
  each('[data-passkey-js]', function (el) {
    el.hidden = false;
  });

  function say(form, where, message, busy) {
    var line = (where && where.parentNode && where.parentNode.querySelector('[data-passkey-status]')) || form.querySelector('[data-passkey-status]');
    if (line) {
      line.textContent = message || '';
      line.hidden = !message;
      line.className = busy ? 'hint' : 'error-message';
    }
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) {
      b.disabled = !!busy;
    });
  }

  function fetchOptions(form, url) {
    var csrf = form.querySelector('input[name="_csrf"]');
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ _csrf: csrf ? csrf.value : '' }),
    }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (res.ok && data && data.options && data.flowId) return data;
          if (data && data.redirect) {
            window.location.assign(data.redirect);
            return null;
          }
          var e = new Error(data && data.error ? data.error.message : text(form, 'failed'));
          e.name = 'PortalError';
          throw e;
        });
    });
  }

  /** One ceremony: `how` = { url, registration, conditional, from (the element that started it) }. */
  function run(form, how) {
    if (!how.conditional) say(form, how.from, text(how.from || form, 'working'), true);
    return fetchOptions(form, how.url)
      .then(function (data) {
        if (!data) return;
        var prompt = how.registration
          ? lib.startRegistration({ optionsJSON: data.options })
          : lib.startAuthentication({ optionsJSON: data.options, useBrowserAutofill: !!how.conditional });
        return prompt.then(function (credential) {
          form.querySelector('input[name="flowId"]').value = data.flowId;
          form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
          HTMLFormElement.prototype.submit.call(form);
        });
      })
      .catch(function (e) {
        // A conditional request is aborted whenever a button starts another: not an error.
        if (how.conditional || (e && e.name === 'AbortError')) return;
        var cancelled = e && (e.name === 'NotAllowedError' || e.code === 'ERROR_CEREMONY_ABORTED');
        var from = how.from || form;
        var message = e && e.name === 'PortalError' ? e.message : cancelled ? text(from, 'cancelled') : (e && e.message) || text(from, 'failed');
        say(form, how.from, message, false);
      });
  }

  each('form[data-passkey-ceremony]', function (form) {
    if (form.getAttribute('data-conditional') === 'true') return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      run(form, { url: form.getAttribute('data-options-url'), registration: form.getAttribute('data-passkey-ceremony') === 'registration' });
    });
  });

  // A button that answers part of a larger form with a passkey (staff: instead of the code).
  each('button[data-passkey-button]', function (button) {
    button.addEventListener('click', function (event) {
      event.preventDefault();
      if (button.form) run(button.form, { url: button.getAttribute('data-options-url'), from: button });
    });
  });

  // The selector's passkey button starts the prompt here when this page can run it.
  var signinForm = document.getElementById('passkey-signin-form') || document.getElementById('passkey-autofill-form');
  if (signinForm) {
    each('[data-method="passkey"]', function (button) {
      button.addEventListener('click', function (event) {
        if (button.getAttribute('aria-current') === 'page') return;
        event.preventDefault();
        var details = button.closest('details');
        if (details) details.open = false;
        run(signinForm, { url: signinForm.getAttribute('data-options-url') });
      });
    });
  }

  // Conditional UI: passkeys offered in the username field's autofill where supported.
  var autofill = document.getElementById('passkey-autofill-form');
  if (autofill && lib.browserSupportsWebAuthnAutofill) {
    lib.browserSupportsWebAuthnAutofill().then(function (yes) {
      if (yes) run(autofill, { url: autofill.getAttribute('data-options-url'), conditional: true });
    });
  }
})();
