// A TCP proxy that adds latency, for measuring remote reads as over a network (scripts/remote-scale.sh with
// LATENCY_MS): every chunk is forwarded half the round trip later in each direction, in order. Loopback has no
// latency, and this VM's kernel has no netem.
//   node scripts/latency-proxy.js LISTEN_PORT TARGET_PORT RTT_MS
const net = require("net");
const [listen, target, rtt] = process.argv.slice(2).map(Number);
const half = rtt / 2;
const forward = (from, to) => from.on("data", chunk => setTimeout(() => to.write(chunk), half));
net.createServer(client => {
  const server = net.connect(target, "127.0.0.1");
  forward(client, server);
  forward(server, client);
  const close = () => setTimeout(() => { client.destroy(); server.destroy(); }, half);
  client.on("close", close); server.on("close", close);
  client.on("error", close); server.on("error", close);
}).listen(listen, "127.0.0.1");
