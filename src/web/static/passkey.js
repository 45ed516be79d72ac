// Passkey ceremonies over the WebAuthn browser library (/static/webauthn/index.umd.min.js,
// global SimpleWebAuthnBrowser). Forms marked data-passkey-ceremony ask their
// data-options-url for options (JSON, CSRF token of the form), run the browser's passkey
// prompt, put the answer in their hidden `flowId` and `credential` fields and submit; the
// server answers with a redirect like any form. Without this file (no JavaScript) the
// pages say that passkeys need JavaScript and offer the other ways in.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  var supported = !!(lib && lib.browserSupportsWebAuthn());
  var forms = Array.prototype.slice.call(document.querySelectorAll('form[data-passkey-ceremony]'));
  if (forms.length === 0) return;
  var texts = forms[0];

  Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-needs-js]'), function (el) {
    if (supported) {
      el.hidden = true;
      return;
    }
    var message = el.querySelector('[data-passkey-message]');
    if (message) message.textContent = texts.getAttribute('data-msg-unsupported');
  });
  if (!supported) return;
  Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-js]'), function (el) {
    el.hidden = false;
  });

  function say(form, text, busy) {
    var line = form.querySelector('[data-passkey-status]');
    if (line) {
      line.textContent = text || '';
      line.hidden = !text;
      line.className = busy ? 'hint' : 'error-message';
    }
    Array.prototype.forEach.call(form.querySelectorAll('button[type="submit"]'), function (b) {
      b.disabled = !!busy;
    });
  }

  function fetchOptions(form) {
    var csrf = form.querySelector('input[name="_csrf"]');
    return fetch(form.getAttribute('data-options-url'), {
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
          var e = new Error(data && data.error ? data.error.message : form.getAttribute('data-msg-failed'));
          e.name = 'PortalError';
          throw e;
        });
    });
  }

  function run(form, conditional) {
    if (!conditional) say(form, form.getAttribute('data-msg-working'), true);
    return fetchOptions(form)
      .then(function (data) {
        if (!data) return;
        var registration = form.getAttribute('data-passkey-ceremony') === 'registration';
        var prompt = registration
          ? lib.startRegistration({ optionsJSON: data.options })
          : lib.startAuthentication({ optionsJSON: data.options, useBrowserAutofill: !!conditional });
        return prompt.then(function (credential) {
          form.querySelector('input[name="flowId"]').value = data.flowId;
          form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
          HTMLFormElement.prototype.submit.call(form);
        });
      })
      .catch(function (e) {
        // A conditional request is aborted whenever a button starts another: not an error.
        if (conditional || (e && e.name === 'AbortError')) return;
        var cancelled = e && (e.name === 'NotAllowedError' || e.code === 'ERROR_CEREMONY_ABORTED');
        var message = e && e.name === 'PortalError' ? e.message : cancelled ? form.getAttribute('data-msg-cancelled') : (e && e.message) || form.getAttribute('data-msg-failed');
        say(form, message, false);
      });
  }

  forms.forEach(function (form) {
    if (form.getAttribute('data-conditional') === 'true') return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      run(form, false);
    });
  });

  // The selector's passkey button starts the prompt here when this page can run it.
  var signinForm = document.getElementById('passkey-signin-form') || document.getElementById('passkey-autofill-form');
  if (signinForm) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-method="passkey"]'), function (button) {
      button.addEventListener('click', function (event) {
        if (button.getAttribute('aria-current') === 'page') return;
        event.preventDefault();
        var details = button.closest('details');
        if (details) details.open = false;
        run(signinForm, false);
      });
    });
  }

  // Conditional UI: passkeys offered in the username field's autofill where supported.
  var autofill = document.getElementById('passkey-autofill-form');
  if (autofill && lib.browserSupportsWebAuthnAutofill) {
    lib.browserSupportsWebAuthnAutofill().then(function (yes) {
      if (yes) run(autofill, true);
    });
  }
})();
