// Follows an import running in a worker: asks the server for its progress every two seconds
// and reloads the page when it has finished. Without JavaScript the page offers a refresh link.
const box = document.querySelector("[data-progress-url]");
if (box) {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { credentials: "same-origin" });
      if (response.ok) {
        const state = await response.json();
        if (bar) bar.value = state.progress;
        if (text) text.textContent = `${state.progress}%`;
        if (state.done) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
