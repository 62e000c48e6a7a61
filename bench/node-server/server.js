// Reference: a bare socket.io 4.8 server, every setting at its default (perMessageDeflate: false).
//
// A client emits `join` ({thread_id: 1}) and is put into the room `thread:1`;
// `POST /publish` with a JSON body broadcasts that body to the room its `stream` field names
// (`thread:<id>`, as the forum's envelope; `thread:1` without one) as one `post_created` event.
// Defaults also mean: HTTP long-polling and the upgrade to websocket are both accepted, and a
// request's Origin header is not checked (no `cors` option), so browser-like clients, which send
// the server's own origin, are accepted as before. Any other path (the clients' page GET) is 404.
//
//   HOST=127.0.0.1 PORT=5102 node bench/node-server/server.js
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 5102);

const httpServer = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/publish") {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      let data;
      try {
        data = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch (err) {
        res.writeHead(400).end("bad json");
        return;
      }
      // The event's own stream names the room (the forum's envelope), thread:1 if it has none.
      const room = typeof data.stream === "string" ? data.stream : "thread:1";
      io.to(room).emit("post_created", data);
      res.writeHead(204).end();
    });
    return;
  }
  if (req.method === "GET" && req.url === "/health") {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    return;
  }
  // socket.io answers its own path (/socket.io/) before this handler runs.
  res.writeHead(404).end("not found");
});

const io = new Server(httpServer);

io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    const channel = `thread:${Number(data && data.thread_id)}`;
    socket.join(channel);
    if (typeof ack === "function") ack({ channel });
  });
});

httpServer.listen(port, host, () => {
  console.log(`node socket.io reference on http://${host}:${port}/`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(0));
}
