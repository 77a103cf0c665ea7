// Poll a forecast run's status and show its progress; reload the page when it has finished.
(function () {
  const box = document.getElementById("run-status");
  if (!box || !box.dataset.statusUrl) return;
  const url = box.dataset.statusUrl;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const run = await response.json();
        if (run.finished) {
          window.location.reload();
          return;
        }
        box.textContent = `${run.label} – ${run.stage || "waiting for a worker"} (${run.progress}%)`;
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 1500);
  }
  window.setTimeout(poll, 1000);
})();
