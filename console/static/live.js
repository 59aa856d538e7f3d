// The live event stream (GET /v1/events/stream), one socket for the whole
// console, authenticated by the session cookie. Pages follow it with
// useEvents; when the socket drops it comes back, resuming from the last
// event it saw.
import { useEffect, useRef } from "./vendor/hooks.js";

const listeners = new Set();
let socket = null;
let lastEventId = "";
let retry = 1000;

function connect() {
  const url = new URL("/v1/events/stream", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (lastEventId) url.searchParams.set("lastEventId", lastEventId);
  const ws = new WebSocket(url);
  socket = ws;
  ws.onmessage = (m) => {
    const frame = JSON.parse(m.data);
    if (frame.type === "ready") retry = 1000;
    if (frame.type !== "event") return;
    lastEventId = frame.event.id;
    for (const fn of listeners) fn(frame.event);
  };
  ws.onclose = (e) => {
    if (socket !== ws) return; // closed on purpose
    socket = null;
    if (e.reason === "SESSION UNKNOWN") {
      dispatchEvent(new Event("billgate:session-ended"));
      return;
    }
    setTimeout(() => listeners.size && !socket && connect(), retry);
    retry = Math.min(retry * 2, 30000);
  };
}

// stopLive closes the socket, at logout.
export function stopLive() {
  const ws = socket;
  socket = null;
  lastEventId = "";
  if (ws) ws.close(1000, "logged out");
}

// useEvents calls fn with each live event whose type starts with one of
// prefixes ("subscription.", "invoice.paid"), while the page is shown.
// fn is the one of the latest render, which sees the page's current state
// (a list's filter, the object a page shows).
export function useEvents(prefixes, fn) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const listener = (event) => prefixes.some((p) => event.type.startsWith(p)) && latest.current(event);
    listeners.add(listener);
    if (!socket) connect();
    return () => listeners.delete(listener);
  }, []);
}
