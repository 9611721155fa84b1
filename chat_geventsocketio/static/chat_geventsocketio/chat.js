// The chat page's client: socket.io-client 0.9's io.connect() to the namespace /chat of the server that served the page.
(function () {
    var socket = io.connect("/chat");

    socket.on("connect", function () {
        chat.status("connected");
        socket.emit("chat", "a browser joined");
    });
    socket.on("chat", chat.show);
    socket.on("disconnect", function () {
        chat.status("disconnected");
    });
    chat.onSend(function (text) {
        socket.emit("chat", text);
    });
})();
