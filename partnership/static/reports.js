// A long report's status page: ask how far it has got every two seconds, say so, and open
// the report when it is ready. Progressive enhancement only: without this file the page's
// "Check again" button does the same.

const panel = document.querySelector("[data-run-progress]");

if (panel) {
  const status = panel.querySelector("[data-run-status]");
  const bar = panel.querySelector("progress");

  const check = async () => {
    let found;
    try {
      const response = await fetch(panel.dataset.runProgress, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        return;
      }
      found = await response.json();
    } catch {
      return; // offline for a moment: try again at the next tick
    }
    if (found.state === "done" || found.state === "failed") {
      clearInterval(timer);
      if (status) {
        status.textContent = found.state === "done" ? panel.dataset.doneText : panel.dataset.failedText;
      }
      window.location.reload();
      return;
    }
    if (bar) {
      bar.value = found.step;
    }
    if (status && found.text && status.textContent.trim() !== found.text) {
      status.textContent = found.text; // in the reader's language, from the server
    }
  };

  const timer = setInterval(check, 2000);
}
