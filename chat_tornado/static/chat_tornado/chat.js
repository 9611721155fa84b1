// The chat page's client: the browser's own WebSocket, to Tornado's handler on the server that served the page.
(function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/chat/");

    socket.onopen = function () {
        chat.status("connected");
        socket.send("a browser joined");
    };
    socket.onmessage = function (event) {
        chat.show(event.data);
    };
    socket.onclose = function () {
        chat.status("disconnected");
    };
    chat.onSend(function (text) {
        socket.send(text);
    });
})();
