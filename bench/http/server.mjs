// HTTP bench server: a keep-alive loopback server answering every request with a small body.
// Prints its port on stdout, then serves until killed.
import http from "node:http";
const body = "hello from the bench server\n";
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
