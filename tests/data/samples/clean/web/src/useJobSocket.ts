// A job-status socket that follows every client rule of the contract: a
// 20 s heartbeat cleared on close, the full terminal close-code set with no
// reconnect on it, terminal closes surfaced to the caller, a token guard and
// the token in the effect's dependencies, and a valid close code.
import { useEffect, useRef } from "react";

const HEARTBEAT_MS = 20_000;
const RECONNECT_DELAY_MS = 2_000;

// Close codes after which reconnecting cannot help.
const TERMINAL_CLOSE_CODES = new Set([1000, 4001, 4003, 4004, 4403]);

export function useJobSocket(
  url: string,
  accessToken: string | null,
  onMessage: (data: string) => void,
  onTerminalClose: (code: number, reason: string) => void,
) {
  const socketRef = useRef<WebSocket | null>(null);

  useEffect(() => {
    if (!accessToken) return;

    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const stopHeartbeat = () => {
      if (heartbeat !== undefined) clearInterval(heartbeat);
      heartbeat = undefined;
    };

    const connect = () => {
      const ws = new WebSocket(`${url}?token=${encodeURIComponent(accessToken)}`);
      socketRef.current = ws;

      ws.onopen = () => {
        heartbeat = setInterval(() => {
          ws.send("ping");
        }, HEARTBEAT_MS);
      };

      ws.onmessage = (event) => {
        if (event.data !== "pong") onMessage(event.data);
      };

      ws.onclose = (event) => {
        stopHeartbeat();
        if (TERMINAL_CLOSE_CODES.has(event.code)) {
          if (event.code !== 1000) onTerminalClose(event.code, event.reason);
          return;
        }
        if (!stopped) {
          reconnectTimer = setTimeout(connect, RECONNECT_DELAY_MS);
        }
      };
    };

    connect();

    return () => {
      stopped = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      stopHeartbeat();
      socketRef.current?.close(1000, "unmounted");
    };
  }, [url, accessToken, onMessage, onTerminalClose]);
}
