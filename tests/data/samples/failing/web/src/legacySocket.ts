// The pre-incident client: a 25 s heartbeat that races a proxy's idle timer,
// and a reconnect on every close, terminal or not.
const HEARTBEAT_MS = 25_000;

export function openLegacySocket(url: string): WebSocket {
  const ws = new WebSocket(url);
  const heartbeat = setInterval(() => ws.send("ping"), HEARTBEAT_MS);
  ws.onclose = () => {
    clearInterval(heartbeat);
    setTimeout(() => openLegacySocket(url), 1_000);
  };
  return ws;
}
