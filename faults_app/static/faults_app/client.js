// dtws faults: the page's client, which talks to a socket server that never answers.
document.getElementById("status").textContent = "waiting";
