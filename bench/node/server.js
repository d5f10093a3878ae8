// The reference for bench/fanout.py: a plain socket.io server (its defaults: no
// permessage-deflate) that lets phones "follow" a room and broadcasts one message to it
// when POST /emit is called with the message as JSON. Prints its port on stdout.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/emit") {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      io.to("public").emit("dialogue", JSON.parse(body));
      res.end("{\"ok\":true}");
    });
    return;
  }
  if (req.url === "/cpu") {  // CPU seconds used so far, for the CPU-per-phone figures
    const u = process.cpuUsage();
    res.end(JSON.stringify({ cpu: (u.user + u.system) / 1e6 }));
    return;
  }
  res.statusCode = 404;
  res.end();
});
const io = new Server(server, { cors: { origin: false } });
io.on("connection", (socket) => {
  socket.on("follow", (data, ack) => {
    socket.join("public");
    if (typeof ack === "function") ack({ ok: true });
  });
});
server.listen(0, "127.0.0.1", () => { console.log(server.address().port); });
