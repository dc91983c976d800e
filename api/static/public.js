// cofinance, the public catalogue: suggestions of communes while typing (from /api/v1/communes).
// Without JavaScript the search works the same: the commune is typed by name or INSEE code.
(function () {
  "use strict";
  document.querySelectorAll("[data-public-commune]").forEach(function (group) {
    var input = group.querySelector("input[list]");
    var list = document.getElementById(input.getAttribute("list"));
    var live = document.getElementById(input.id + "-annonce");
    var timer = null;
    var labels = [];

    function suggest() {
      var query = input.value.trim();
      if (query.length < 2 || labels.indexOf(input.value) !== -1) { return; }
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
        .catch(function () { /* the visitor may still type the name or the code */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, 200);
    });
  });
})();
