// cofinance, the holder's form: the commune picker and the "add a row" buttons. Without
// JavaScript the page works the same: communes are typed by name or code, and the add buttons
// post the form, which comes back with one more row.
(function () {
  "use strict";

  // --- Commune picker: suggestions from /api/v1/communes, the choice appended to the list.
  document.querySelectorAll("[data-commune-picker]").forEach(function (picker) {
    var id = picker.getAttribute("data-commune-picker");
    var target = document.getElementById(id);
    var search = document.getElementById(id + "-recherche");
    var list = document.getElementById(id + "-suggestions");
    var live = document.getElementById(id + "-annonce");
    var button = picker.querySelector("[data-commune-add]");
    var timer = null;
    var labels = [];
    picker.hidden = false;

    function suggest() {
      var query = search.value.trim();
      if (query.length < 2) { return; }
      fetch("/api/v1/communes?limit=10&q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (communes) {
          labels = communes.map(function (c) { return c.label; });
          list.innerHTML = "";
          labels.forEach(function (label) {
            var option = document.createElement("option");
            option.value = label;
            list.appendChild(option);
          });
          live.textContent = labels.length + " commune" + (labels.length > 1 ? "s" : "") + " proposée" + (labels.length > 1 ? "s" : "");
        })
        .catch(function () { /* the holder may still type the name in the list */ });
    }

    function add() {
      var value = search.value.trim();
      if (!value) { return; }
      var current = target.value.trim();
      target.value = current ? current.replace(/[,;\s]+$/, "") + ", " + value : value;
      search.value = "";
      live.textContent = value + " ajoutée";
      search.focus();
    }

    search.addEventListener("input", function () {
      if (labels.indexOf(search.value) !== -1) { add(); return; }  // picked in the list
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); add(); }
    });
    button.addEventListener("click", add);
  });

  // --- Enter in a field simulates, as before the "add a row" buttons came first in the form
  // (the browser would press the first submit button of the form).
  document.querySelectorAll("form").forEach(function (form) {
    var simulate = form.querySelector('button[name="action"][value="simuler"]');
    if (!simulate || !form.querySelector("[data-add-row]")) { return; }
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit" &&
          !target.hasAttribute("list")) {
        event.preventDefault();
        simulate.click();
      }
    });
  });

  // --- Repeated rows (groups, mediators): a copy of the last row, emptied and renumbered.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var group = button.getAttribute("data-add-row");
    button.addEventListener("click", function (event) {
      var rows = document.querySelectorAll('.cf-group-row[data-group="' + group + '"]');
      if (!rows.length) { return; }
      event.preventDefault();
      var last = rows[rows.length - 1];
      var index = parseInt(last.getAttribute("data-row"), 10);
      var next = index + 1;
      var copy = last.cloneNode(true);
      copy.setAttribute("data-row", String(next));
      function renumber(value) {
        return value
          .replace("." + index + ".", "." + next + ".")
          .replace("-" + index + "-", "-" + next + "-");
      }
      copy.querySelectorAll("[name], [id], [for], [aria-describedby], [aria-labelledby]").forEach(function (node) {
        ["name", "id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attribute) {
          if (node.hasAttribute(attribute)) {
            node.setAttribute(attribute, renumber(node.getAttribute(attribute)));
          }
        });
        if (node.tagName === "INPUT") {
          if (node.type === "radio" || node.type === "checkbox") { node.checked = false; }
          else { node.value = ""; }
          node.removeAttribute("aria-invalid");
          node.classList.remove("fr-input--error");
        }
      });
      copy.querySelectorAll(".fr-error-text").forEach(function (node) { node.remove(); });
      copy.querySelectorAll(".fr-input-group--error").forEach(function (node) {
        node.classList.remove("fr-input-group--error");
      });
      var title = copy.querySelector(".fr-text--bold");
      if (title) { title.textContent = title.textContent.replace(/\d+\s*$/, String(next + 1)); }
      last.parentNode.insertBefore(copy, last.nextSibling);
      var first = copy.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
