// What the pages used to do in onchange/onsubmit attributes, which the Content-Security-Policy
// refuses (security_headers.py): a <select data-autosubmit> sends its form when changed, a
// <form data-confirm="…"> asks before it is sent.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
// The check before publishing runs as a job: its page asks how far it is every two seconds and
// shows the result page when it is done (admin/check_views.py, faq_check_progress).
const checkProgress = document.querySelector("[data-poll]");
if (checkProgress) {
  const bar = checkProgress.querySelector("progress");
  const count = checkProgress.querySelector(".check-count");
  const state = document.getElementById("check-state");
  const poll = async () => {
    try {
      const response = await fetch(checkProgress.dataset.poll, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.finished) { window.location.reload(); return; }
        if (state) state.textContent = job.label;
        if (job.total) {
          bar.max = job.total;
          bar.value = job.done;
          count.textContent = `${job.done} / ${job.total} 問`;
        }
      }
    } catch (error) {
      // the server restarting or the network away for a moment: ask again at the next tick
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
}
