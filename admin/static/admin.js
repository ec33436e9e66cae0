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
