// The chat page's client: socket.io-client's io(), connecting to the server that served the page.
(function () {
    var status = document.getElementById("status");
    var list = document.getElementById("messages");
    var socket = io();

    function show(text) {
        var item = document.createElement("li");
        item.textContent = typeof text === "string" ? text : JSON.stringify(text);
        list.appendChild(item);
    }

    socket.on("connect", function () {
        status.textContent = "connected";
        socket.emit("chat", "a browser joined");
    });
    socket.on("chat", show);
    socket.on("disconnect", function () {
        status.textContent = "disconnected";
    });
    document.getElementById("send").onsubmit = function (event) {
        event.preventDefault();
        socket.emit("chat", document.getElementById("text").value);
    };
})();
