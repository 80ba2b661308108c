// netdash network map. Reads the JSON data block, never evaluates or parses
// user text as HTML: tooltips are DOM elements whose text is set with
// textContent, and vis-network shows an element title as it is.
(function () {
  "use strict";
  // Milestones (ms since navigation start) for the benchmarks.
  var timings = (window.netdashTimings = { start: performance.now() });
  var data = JSON.parse(document.getElementById("netdash-data").textContent);
  timings.parsed = performance.now();

  function tip(lines) {
    var box = document.createElement("div");
    box.className = "nd-tip";
    lines.forEach(function (line, i) {
      var row = document.createElement("div");
      row.className = i === 0 ? "nd-tip-head" : "nd-tip-line";
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  function withTips(items) {
    items.forEach(function (item) {
      if (item.tip) {
        item.title = tip(item.tip);
        delete item.tip;
      }
    });
    return items;
  }

  var container = document.getElementById("netdash-map");
  var network = new vis.Network(
    container,
    { nodes: new vis.DataSet(withTips(data.nodes)), edges: new vis.DataSet(withTips(data.edges)) },
    data.options
  );
  timings.built = performance.now();
  // With physics off vis-network keeps its default view; frame the whole drawing.
  network.fit({ animation: false });
  network.once("afterDrawing", function () {
    window.netdashDrawnAt = timings.drawn = performance.now();
    window.netdashReady = true;
    container.setAttribute("data-drawn", "true");
  });
  window.netdashNetwork = network;
})();
