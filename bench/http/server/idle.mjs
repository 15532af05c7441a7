// Opens N keep-alive connections to 127.0.0.1:PORT, sends one request on each and reads its
// response, then holds them all open. Prints "ready <N>" once every connection has its answer, and
// closes everything when stdin ends. Usage: node idle.mjs PORT N
import net from "node:net";

const port = Number(process.argv[2]);
const n = Number(process.argv[3] ?? 10000);
const BATCH = 500;
const socks = [];

function open() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let got = "";
    s.setNoDelay(true);
    s.on("connect", () => s.write("GET / HTTP/1.1\r\nHost: bench\r\n\r\n"));
    s.on("data", (d) => {
      got += d;
      if (got.includes("Hello, World!")) resolve(s);
    });
    s.on("error", reject);
    s.on("close", () => reject(new Error("closed by the server")));
    socks.push(s);
  });
}

for (let i = 0; i < n; i += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, open));
console.log(`ready ${socks.length}`);
process.stdin.resume();
process.stdin.on("end", () => {
  for (const s of socks) s.destroy();
  process.exit(0);
});
