// Gestly panel: copy buttons, confirmations and the "all events" checkbox.
// Everything works without this file; it only makes the panel quicker to use.
(function () {
  "use strict";

  function announce(message) {
    var region = document.getElementById("aviso-copia");
    if (region) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = message; }, 50);
    }
  }

  function copyFrom(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    // Older browsers, or a page served over plain http from another machine.
    field.focus();
    field.select();
    var copied = document.execCommand("copy");
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    copyFrom(field).then(function () {
      var original = button.getAttribute("data-original") || button.textContent;
      button.setAttribute("data-original", original);
      button.textContent = "Copiado ✓";
      button.classList.add("copied");
      announce(button.getAttribute("data-copy-label") || "Copiado");
      window.setTimeout(function () {
        button.textContent = original;
        button.classList.remove("copied");
      }, 2000);
    }, function () {
      field.focus();
      field.select();
      announce("Não foi possível copiar. O texto está selecionado: use Ctrl+C.");
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var box = event.target;
    var group = box.closest("[data-events]");
    if (!group) {
      return;
    }
    var all = group.querySelector("[data-all-events]");
    var each = group.querySelectorAll("[data-event]");
    if (box === all) {
      each.forEach(function (item) { item.checked = all.checked; });
    } else if (!box.checked && all) {
      all.checked = false;
    }
  });

  // After htmx puts new content in (a revealed secret), move the focus to it.
  document.addEventListener("htmx:afterSettle", function () {
    var focus = document.querySelector("[data-focus-after-swap]");
    if (focus) {
      focus.removeAttribute("data-focus-after-swap");
      focus.focus();
      focus.select();
    }
  });
})();
