// cofinance: refresh the live parts of a page (the session screen) every few seconds.
(function () {
  "use strict";
  document.querySelectorAll("[data-refresh-url]").forEach(function (zone) {
    var url = zone.getAttribute("data-refresh-url");
    var every = parseInt(zone.getAttribute("data-refresh-seconds") || "5", 10) * 1000;
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null && html !== zone.innerHTML) {
            zone.innerHTML = html;
            zone.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* try again at the next tick */ });
    }
    window.setInterval(refresh, every);
  });
})();
