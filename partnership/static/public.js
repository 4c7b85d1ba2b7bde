// The public report form: warn before sending a photo that is too big to be received.
// Progressive enhancement only: without this file the server refuses the photo with the
// same message and keeps every other answer.

const input = document.querySelector("input[type=file][data-max-bytes]");
const warning = document.getElementById("photo-size-warning");

function tooBig() {
  const limit = Number.parseInt(input.dataset.maxBytes, 10);
  const file = input.files && input.files[0];
  return Boolean(file && Number.isFinite(limit) && file.size > limit);
}

function show(message) {
  warning.textContent = message;
  warning.hidden = !message;
}

if (input && warning) {
  input.addEventListener("change", () => {
    show(tooBig() ? input.dataset.tooBig : "");
  });
  const form = input.form;
  if (form) {
    form.addEventListener("submit", (event) => {
      // Only sending the report carries the photo; "Change" and "Back" do not need it.
      const sending = event.submitter && event.submitter.value === "send";
      if (sending && tooBig()) {
        event.preventDefault();
        show(input.dataset.tooBig);
        input.focus();
      }
    });
  }
}
