// The chat page's client: the browser's own WebSocket, which is Channels' client.
(function () {
    var status = document.getElementById("status");
    var list = document.getElementById("messages");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/chat/");

    function show(text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
    }

    socket.onopen = function () {
        status.textContent = "connected";
        socket.send("a browser joined");
    };
    socket.onmessage = function (event) {
        show(event.data);
    };
    socket.onclose = function () {
        status.textContent = "disconnected";
    };
    document.getElementById("send").onsubmit = function (event) {
        event.preventDefault();
        socket.send(document.getElementById("text").value);
    };
})();
