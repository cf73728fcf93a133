// The sample page: plain DOM, the browser's WebSocket for the stock-vs-wsdrain comparisons,
// and ReliableWebSocket for the feed. Counters are what this page received.
import { ReliableWebSocket } from "/wsdrain/wsdrain.js";

const $ = (id) => document.getElementById(id);
const wsBase = location.origin.replace(/^http/, "ws");
const show = (id, value, className = "") => {
  $(id).textContent = value;
  $(id).className = className;
};
const closeText = (e) => e.code + (e.wasClean ? " (close frame)" : " (no close frame)");
const index = (data) => Number(String(data).slice(0, String(data).indexOf("|")));

// ---- 1. burst: count what arrives, then ask the server what its app had accepted

function burst(side, count) {
  return new Promise((resolve) => {
    let received = 0;
    let heard = Date.now();
    let close = null;
    const ws = new WebSocket(`${wsBase}/${side}/burst?count=${count}&size=64&threads=4`);
    ws.onmessage = () => {
      received++;
      heard = Date.now();
    };
    // A close that never comes is an outcome too: after 5 s of silence the page gives up.
    const idle = setInterval(() => {
      if (Date.now() - heard > 5000) {
        close = "none: left open";
        ws.close();
      }
    }, 500);
    ws.onclose = (e) => {
      clearInterval(idle);
      resolve({ received, close: close ?? closeText(e) });
    };
  });
}

async function outcomes() {
  return (await fetch("/sample/bursts")).json();
}

$("burst-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const count = Math.min(Math.max(Number($("burst-count").value) || 20000, 4), 1000000);
  $("burst-run").disabled = true;
  show("burst-status", "running…");
  const before = await outcomes();
  const [plain, demo] = await Promise.all([burst("plain", count), burst("demo", count)]);
  // The server records a burst once its last sending thread is done: shortly after the close.
  let after = await outcomes();
  for (let i = 0; i < 50 && ["plain", "demo"].some((s) => after[s]?.sessionId === before[s]?.sessionId); i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await outcomes();
  }
  for (const [side, result] of [["plain", plain], ["demo", demo]]) {
    const accepted = after[side]?.accepted ?? 0;
    const lost = accepted - result.received;
    show(`${side}-sent`, count);
    show(`${side}-accepted`, accepted);
    show(`${side}-received`, result.received);
    show(`${side}-lost`, lost, lost > 0 ? "bad" : "good");
    show(`${side}-close`, result.close);
  }
  show("burst-status", "done");
  $("burst-run").disabled = false;
});

// ---- 2. drain: two streams, then the Actuator's drain (and the stock stream's socket cut)

function stream(side) {
  const ws = new WebSocket(`${wsBase}/${side}/stream?interval=10`);
  const state = { received: 0, last: "-" };
  ws.onmessage = (e) => {
    state.received++;
    state.last = String(e.data).slice(0, 16);
    show(`drain-${side}-received`, state.received);
  };
  state.opened = new Promise((resolve) => ws.addEventListener("message", resolve, { once: true }));
  state.closed = new Promise((resolve) => (ws.onclose = resolve)).then((e) => {
    show(`drain-${side}-last`, state.last.replace(/\.+$/, ""));
    show(`drain-${side}-close`, closeText(e), e.code === 1001 && e.wasClean ? "good" : "bad");
  });
  return state;
}

const draining = (on) => fetch("/actuator/wsdrain", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ draining: on }),
});

$("drain-run").addEventListener("click", async () => {
  $("drain-run").disabled = true;
  for (const id of ["drain-plain-close", "drain-demo-close", "drain-plain-last", "drain-demo-last"]) {
    show(id, "-");
  }
  const plain = stream("plain");
  const demo = stream("demo");
  show("drain-status", "streaming…");
  await Promise.all([plain.opened, demo.opened]);
  await new Promise((r) => setTimeout(r, 500));
  show("drain-status", "draining…");
  try {
    await Promise.all([draining(true), fetch("/sample/plain-streams/cut", { method: "POST" })]);
    await Promise.all([plain.closed, demo.closed]);
  } finally {
    await draining(false);
  }
  show("drain-status", "done, accepting again");
  $("drain-run").disabled = false;
});

// ---- 3. feed: ReliableWebSocket, counters and a chart of messages per second

const feed = { ws: null, received: 0, duplicates: 0, gaps: 0, last: -1, perSecond: [], marks: [] };

function counters() {
  show("feed-received", feed.received);
  show("feed-duplicates", feed.duplicates, feed.duplicates ? "bad" : "");
  show("feed-gaps", feed.gaps, feed.gaps ? "bad" : "");
  show("feed-reconnects", feed.ws ? feed.ws.reconnects : 0);
}

$("feed-form").addEventListener("submit", (event) => {
  event.preventDefault();
  feed.ws?.close();
  Object.assign(feed, { received: 0, duplicates: 0, gaps: 0, last: -1, perSecond: [], marks: [] });
  const count = Math.min(Math.max(Number($("feed-count").value) || 1, 1), 1000000);
  const rate = Math.min(Math.max(Number($("feed-rate").value) || 1, 1), 100000);
  const ws = new ReliableWebSocket(`${wsBase}/demo/feed?count=${count}&size=64&rate=${rate}`);
  feed.ws = ws;
  show("feed-state", "connecting…");
  ws.addEventListener("open", (e) => {
    show("feed-state", e.resumed ? "resumed" : "open");
    $("feed-cut").disabled = false;
  });
  ws.addEventListener("message", (e) => {
    const i = index(e.data);
    if (i <= feed.last) {
      feed.duplicates++;
    } else {
      feed.gaps += i > feed.last + 1 ? 1 : 0;
      feed.last = i;
      feed.received++;
    }
    bucket().count++;
  });
  ws.addEventListener("reconnecting", (e) => {
    show("feed-state", `reconnecting (attempt ${e.attempt})`);
    feed.marks.push(Date.now());
  });
  ws.addEventListener("notrecovered", () => show("feed-state", "not recovered", "bad"));
  ws.addEventListener("close", (e) => {
    if (feed.ws === ws) {
      show("feed-state", `closed ${e.code}`);
      $("feed-cut").disabled = true;
      counters();
    }
  });
});

$("feed-cut").addEventListener("click", () => feed.ws?.send("cut"));

function bucket() {
  const second = Math.floor(Date.now() / 1000);
  let last = feed.perSecond[feed.perSecond.length - 1];
  if (!last || last.second !== second) {
    last = { second, count: 0 };
    feed.perSecond.push(last);
    feed.perSecond.splice(0, Math.max(0, feed.perSecond.length - 60));
  }
  return last;
}

function chart() {
  const canvas = $("feed-chart");
  const g = canvas.getContext("2d");
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  const now = Date.now() / 1000;
  const max = Math.max(10, ...feed.perSecond.map((b) => b.count));
  const x = (seconds) => width - (now - seconds) * (width / 60);
  g.fillStyle = "#5b87d6";
  for (const b of feed.perSecond) {
    const h = (b.count / max) * (height - 20);
    g.fillRect(x(b.second + 1), height - h, width / 60 - 1, h);
  }
  g.strokeStyle = "#b3261e";
  for (const mark of feed.marks) {
    g.beginPath();
    g.moveTo(x(mark / 1000), 0);
    g.lineTo(x(mark / 1000), height);
    g.stroke();
  }
  g.fillStyle = "#5b6577";
  g.fillText(`messages per second (max ${max}), last 60 s; red: reconnects`, 6, 12);
}

setInterval(() => {
  counters();
  chart();
}, 200);
document.body.dataset.ready = "true";
