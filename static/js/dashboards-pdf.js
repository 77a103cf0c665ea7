// Shows the progress of the committee PDF while a worker makes it, then the download link.
// Reads the status URL from data-status-url; polls only while data-polling="true".
(function () {
  "use strict";
  var box = document.getElementById("pdf-status");
  if (!box || box.getAttribute("data-polling") !== "true") {
    return;
  }
  var url = box.getAttribute("data-status-url");

  function paragraph(text) {
    var p = document.createElement("p");
    p.className = "govuk-body";
    p.textContent = text;
    return p;
  }

  function show(state) {
    box.textContent = "";
    if (state.status === "ready" && state.download) {
      var link = document.createElement("a");
      link.className = "govuk-button";
      link.id = "pdf-download";
      link.href = state.download;
      link.setAttribute("download", "");
      link.textContent = "Download the PDF";
      box.appendChild(link);
      box.appendChild(paragraph(state.pages + " page" + (state.pages === 1 ? "" : "s") +
        ", A4. Every download is the same file."));
    } else if (state.status === "failed") {
      var failed = paragraph(state.error || "The PDF could not be made.");
      failed.id = "pdf-error";
      box.appendChild(failed);
      box.appendChild(paragraph("Reload the page to try again."));
    } else {
      var progress = paragraph("The PDF is being made: " + (state.stage || state.label || "waiting") +
        " (" + state.progress + "%).");
      progress.id = "pdf-progress";
      box.appendChild(progress);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
