// The live page: every 2 seconds, fetch this replica's figures (same origin) and update the tiles and charts in place.
(function () {
  var root = document.getElementById("live");
  if (!root) { return; }
  var source = root.getAttribute("data-source");
  function refresh() {
    fetch(source, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (figures) {
        if (!figures) { return; }
        Object.keys(figures).forEach(function (key) {
          var element = document.getElementById("live-" + key);
          if (!element) { return; }
          // The history charts are SVG rendered by this dashboard's server (same origin, values encoded there).
          if (key === "history") { element.innerHTML = figures[key]; } else { element.textContent = figures[key]; }
        });
        root.setAttribute("data-refreshed", new Date().toISOString());
      })
      .catch(function () { root.setAttribute("data-stale", "true"); });
  }
  setInterval(refresh, 2000);
  refresh();
})();
