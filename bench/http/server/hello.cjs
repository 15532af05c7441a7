// The HTTP server bench's Node peer: node:http answering "Hello, World!" (same headers as the
// others); prints its port.
const http = require("http");
const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("Hello, World!");
});
server.keepAliveTimeout = 600000;
server.headersTimeout = 610000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
