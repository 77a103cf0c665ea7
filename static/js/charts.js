// Draws every chart of the page with plotly.js (served from our own static files) from the
// figure JSON that the server wrote next to it with json_script. No inline script, no eval:
// the content security policy stays strict. The committee PDF uses the same script; it sets
// data-charts-ready on <body> when every chart has drawn so the PDF renderer knows when to print.
(function () {
  "use strict";

  // On a phone the house's 14 px type and 70 px left margin leave little room for the plot:
  // smaller type and margins (plotly.js still widens a margin for long labels).
  function narrow(layout) {
    layout.font = Object.assign({}, layout.font || {}, { size: 12 });
    // The right margin keeps the last tick label ("30%", "Mar 2020") whole.
    layout.margin = Object.assign({}, layout.margin || {}, { l: 10, r: layout.yaxis2 ? 50 : 30 });
    // Twelve level month labels do not fit: show every third month (Apr, Jul, Oct, Jan).
    if (layout.xaxis && layout.xaxis.tickangle === 0 && !layout.xaxis.tickvals) {
      layout.xaxis = Object.assign({}, layout.xaxis, { nticks: 4 });
    }
  }

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
        if (!printing && node.clientWidth < 520) {
          narrow(spec.layout);
        }
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
