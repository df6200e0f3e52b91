// Status lines under the form, as the sample shows them.
function addMessage(message) {
  const messages = document.querySelector('#messages');
  messages.style.display = 'block';
  messages.append(`> ${message}`, document.createElement('br'));
}
