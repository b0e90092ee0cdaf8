// The live page: every 2 seconds, fetch this replica's figures (same origin) and update the tiles in place.
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
          var tile = document.getElementById("live-" + key);
          if (tile) { tile.textContent = figures[key]; }
        });
        root.setAttribute("data-refreshed", new Date().toISOString());
      })
      .catch(function () { root.setAttribute("data-stale", "true"); });
  }
  setInterval(refresh, 2000);
  refresh();
})();
