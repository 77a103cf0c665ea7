// Draws every chart of the page with plotly.js (served from our own static files) from the
// figure JSON that the server wrote next to it with json_script. No inline script, no eval:
// the content security policy stays strict. The committee PDF uses the same script; it sets
// data-charts-ready on <body> when every chart has drawn so the PDF renderer knows when to print.
(function () {
  "use strict";

  function draw() {
    var body = document.body;
    var printing = body.classList.contains("ot-print");
    var failures = [];
    var jobs = [];
    var nodes = document.querySelectorAll("[data-chart]");
    if (nodes.length && !window.Plotly) {
      failures.push("plotly.js did not load");
      nodes = [];
    }
    Array.prototype.forEach.call(nodes, function (node) {
      var id = node.getAttribute("data-chart");
      var source = document.getElementById(id);
      if (!source) {
        failures.push(id + ": no figure data");
        return;
      }
      try {
        var spec = JSON.parse(source.textContent);
        var config = {
          displayModeBar: false,
          displaylogo: false,
          // On screen the chart follows the window; in print it is fixed and needs no hover layer.
          responsive: !printing,
          staticPlot: printing,
        };
        jobs.push(
          window.Plotly.newPlot(node, spec.data, spec.layout, config).catch(function (error) {
            failures.push(id + ": " + error.message);
          })
        );
      } catch (error) {
        failures.push(id + ": " + error.message);
      }
    });
    Promise.all(jobs).then(function () {
      if (failures.length) {
        body.setAttribute("data-charts-failed", failures.join("; "));
      }
      body.setAttribute("data-charts-ready", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
