// wsdrain.js: the browser's WebSocket, made reliable with the wsdrain.v1 sub-protocol.
// Every server message arrives exactly once and in order across lost connections; so does
// every message sent here. Against a server that does not select wsdrain.v1 it is a plain
// WebSocket. No dependencies, no build step. Protocol: PROTOCOL.md of the wsdrain project.

const PROTOCOL = "wsdrain.v1";
/** An acknowledgement goes out at most this long after a message was delivered... */
const ACK_DELAY = 100;
/** ...or at once after this many bytes, but not more often than every 2 ms (the server refuses floods). */
const ACK_BYTES = 32 * 1024;
const MIN_ACK_INTERVAL = 2;
/** Codes after which the session is over: normal close, protocol error, policy, too big. */
const FINAL_CODES = [1000, 1002, 1008, 1009];
/** Sent when this client gives up a connection that still looks open: the server keeps the session. */
const ABANDONED = 4001;
const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const utf8 = new TextEncoder();

const DEFAULTS = {
  maxBufferedBytes: 1024 * 1024,
  connectTimeout: 10000,
  heartbeatTimeout: 50000,
  protocols: [],
};

export class ReliableWebSocket extends EventTarget {
  /**
   * @param {string | URL} url ws:, wss:, or http(s): and relative URLs, resolved like WebSocket's
   * @param {object} [options] maxBufferedBytes, reconnect: { initialDelay, maxDelay }, connectTimeout,
   *   heartbeatTimeout (all in bytes or milliseconds), protocols (offered after wsdrain.v1)
   */
  constructor(url, options = {}) {
    super();
    const resolved = new URL(url, globalThis.location?.href);
    resolved.protocol = resolved.protocol.replace(/^http/, "ws");
    this.url = resolved.href;
    this._o = { ...DEFAULTS, ...options, reconnect: { initialDelay: 500, maxDelay: 20000, ...options.reconnect } };
    this.binaryType = "arraybuffer";
    this.readyState = CONNECTING;
    this.protocol = "";
    this.reconnects = 0;
    this._origin = resolved.origin;
    this._sock = null;
    this._live = false;
    this._plain = false;
    // Session: the resume token, the window in ms, when the connection was lost.
    this._token = null;
    this._window = 0;
    this._lostAt = 0;
    this._attempt = 0;
    this._timer = null;
    this._connectTimer = null;
    this._heartbeat = null;
    this._heard = 0;
    // Inbound: last message delivered, last acknowledged, bytes since.
    this._received = 0;
    this._acked = 0;
    this._ackBytes = 0;
    this._ackTimer = null;
    this._ackDue = 0;
    this._ackedAt = 0;
    // Outbound: numbered messages not yet acknowledged, oldest first.
    this._seq = 0;
    this._out = [];
    this._unacked = 0;
    this._waiters = [];
    this._tail = Promise.resolve();
    this._closing = null;
    this._closeArgs = null;
    this._firstDeadline = Date.now() + this._o.connectTimeout;
    this._wake = () => {
      if (this._timer !== null && (globalThis.document?.visibilityState ?? "visible") === "visible") {
        clearTimeout(this._timer);
        this._timer = null;
        this._connect();
      }
    };
    globalThis.addEventListener?.("online", this._wake);
    globalThis.document?.addEventListener("visibilitychange", this._wake);
    this._connect();
  }

  /** Bytes sent and not yet acknowledged by the server. */
  get bufferedAmount() {
    return this._plain ? (this._sock?.bufferedAmount ?? 0) : this._unacked;
  }

  get extensions() {
    return this._sock?.extensions ?? "";
  }

  /**
   * Send a message: resolves once it is buffered, waiting while more than maxBufferedBytes
   * are unacknowledged. Messages keep the order of the calls.
   * @param {string | ArrayBuffer | ArrayBufferView | Blob} data
   */
  send(data) {
    if (this.readyState >= CLOSING) {
      return Promise.reject(new Error("ReliableWebSocket is " + (this.readyState === CLOSED ? "closed" : "closing")));
    }
    const sent = this._tail.then(() => this._enqueue(data));
    this._tail = sent.catch(() => {});
    return sent;
  }

  /**
   * Close: resolves once everything sent was acknowledged and the closing handshake ended.
   * @param {number} [code] 1000 (the session ends) or 3000-4999 (the server keeps it for its window)
   * @param {string} [reason]
   */
  close(code = 1000, reason = "") {
    if (code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException("The close code must be 1000 or between 3000 and 4999", "InvalidAccessError");
    }
    if (this._closing === null) {
      const ended = new Promise((resolve) => this.addEventListener("close", () => resolve(), { once: true }));
      if (this.readyState === CLOSED) {
        return Promise.resolve();
      }
      this.readyState = CLOSING;
      this._closing = this._tail
        .then(() => this._whenAcknowledged())
        .then(() => {
          if (this._sock && (this._plain || this._live)) {
            this._sendAck();
            // Kept: a connection lost during the closing handshake is resumed and closed again.
            this._closeArgs = [code, reason];
            this._sock.close(code, reason);
          } else {
            this._finish(code, reason, false);
          }
          return ended;
        });
    }
    return this._closing;
  }

  // ---------------------------------------------------------------- connecting

  _connect() {
    const url = new URL(this.url);
    if (this._token !== null) {
      url.searchParams.set("wsdrain-token", this._token);
      url.searchParams.set("wsdrain-last", String(this._received));
    }
    const ws = new WebSocket(url, [PROTOCOL, ...this._o.protocols]);
    ws.binaryType = "arraybuffer";
    this._sock = ws;
    this._live = false;
    // The first connection may use what is left of connectTimeout; each resume gets all of it.
    const timeout = this._token === null ? this._firstDeadline - Date.now() : this._o.connectTimeout;
    this._connectTimer = setTimeout(() => this._abandon(ws, "No session frame in time"), Math.max(timeout, 0));
    ws.onopen = () => {
      this.protocol = ws.protocol;
      if (ws.protocol !== PROTOCOL && this._token === null) {
        this._openPlain(ws);
      }
    };
    ws.onmessage = (e) => (this._plain ? this._deliver(e.data) : this._frame(ws, e.data));
    ws.onclose = (e) => this._lost(ws, e.code, e.reason, e.wasClean);
  }

  _openPlain(ws) {
    clearTimeout(this._connectTimer);
    this._plain = true;
    if (this.readyState === CONNECTING) {
      this.readyState = OPEN;
    }
    this._emit(Object.assign(new Event("open"), { resumed: false }));
    for (const entry of this._out.splice(0)) {
      ws.send(entry.data);
    }
    this._unacked = 0;
    this._notify();
  }

  /** Give up a connection that shows no life: the server keeps the session for a resume. */
  _abandon(ws, reason) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close(ABANDONED, reason);
    } catch {
      // not open yet
    }
    this._lost(ws, 1006, reason, false);
  }

  _lost(ws, code, reason, wasClean) {
    if (ws !== this._sock) {
      return;
    }
    const hadSession = this._live;
    this._sock = null;
    this._live = false;
    clearTimeout(this._connectTimer);
    clearInterval(this._heartbeat);
    if (this._plain || (FINAL_CODES.includes(code) && hadSession) || (this._token !== null && !hadSession && wasClean)) {
      // Plain WebSocket; the session is over; or a resume was answered with a close frame.
      return this._finish(code, reason, wasClean);
    }
    if (hadSession) {
      this._lostAt = Date.now();
      this._attempt = 0;
    }
    this._reconnect(code, reason);
  }

  _reconnect(code, reason) {
    const now = Date.now();
    if (this._token !== null ? now - this._lostAt >= this._window : now >= this._firstDeadline) {
      return this._finish(1006, this._token !== null ? "Resume window passed" : reason || "Could not connect", false);
    }
    const { initialDelay, maxDelay } = this._o.reconnect;
    const attempt = ++this._attempt;
    // Full jitter: clients cut off together spread over the whole interval.
    const delay = Math.round(Math.random() * Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)));
    this._emit(Object.assign(new Event("reconnecting"), { attempt, delay, code }));
    this._timer = setTimeout(() => {
      this._timer = null;
      this._connect();
    }, delay);
  }

  _finish(code, reason, wasClean) {
    if (this.readyState === CLOSED) {
      return;
    }
    const failed = !wasClean && this._closing === null;
    this.readyState = CLOSED;
    clearTimeout(this._timer);
    clearTimeout(this._connectTimer);
    clearTimeout(this._ackTimer);
    clearInterval(this._heartbeat);
    globalThis.removeEventListener?.("online", this._wake);
    globalThis.document?.removeEventListener("visibilitychange", this._wake);
    if (this._sock) {
      const ws = this._sock;
      this._sock = null;
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(ABANDONED, "Closed");
    }
    this._notify();
    if (failed) {
      this._emit(new Event("error"));
    }
    this._emit(new CloseEvent("close", { code, reason, wasClean }));
  }

  // ---------------------------------------------------------------- receiving

  _frame(ws, data) {
    this._heard = Date.now();
    if (typeof data === "string") {
      const type = data.slice(0, 2);
      if (type === "s:" && !this._live) {
        return this._session(ws, data.split(":"));
      }
      const end = data.indexOf(":", 2);
      const seq = parseSeq(end < 0 ? data.slice(2) : data.slice(2, end));
      if (type === "a:" && end < 0 && seq >= 0) {
        return this._acknowledged(seq);
      }
      if (type === "m:" && end > 0 && seq >= 0) {
        return this._data(seq, data.slice(end + 1));
      }
    } else {
      const bytes = new Uint8Array(data);
      let end = 2;
      while (end < bytes.length && end < 21 && bytes[end] !== 58) {
        end++;
      }
      const seq = parseSeq(String.fromCharCode(...bytes.subarray(2, end)));
      if (bytes[0] === 109 && bytes[1] === 58 && bytes[end] === 58 && seq >= 0) {
        return this._data(seq, data.slice(end + 1));
      }
    }
    this._violation(1002, "Malformed frame");
  }

  /** s:<r|n>:<token>:<received>:<windowMs>: confirm at once, replay, then go live. */
  _session(ws, [, kind, token, received, windowMs]) {
    clearTimeout(this._connectTimer);
    const resumed = kind === "r";
    if (this._token !== null && !resumed) {
      // The server no longer had the session: a new one starts from scratch.
      const discarded = this._out.length;
      this._received = this._acked = this._seq = this._unacked = 0;
      this._out = [];
      this._emit(Object.assign(new Event("notrecovered"), { discarded }));
    }
    this._token = token;
    this._window = Number(windowMs);
    ws.send("a:" + this._received);
    this._acked = this._received;
    this._release(Number(received));
    for (const entry of this._out) {
      ws.send(frame(entry));
    }
    this._live = true;
    this._attempt = 0;
    if (resumed) {
      this.reconnects++;
    }
    if (this.readyState === CONNECTING) {
      this.readyState = OPEN;
    }
    this._heard = Date.now();
    const timeout = this._o.heartbeatTimeout;
    this._heartbeat = setInterval(() => {
      if (Date.now() - this._heard > timeout) {
        this._abandon(ws, "No frame within the heartbeat timeout");
      }
    }, Math.max(timeout / 4, 10));
    this._notify();
    this._emit(Object.assign(new Event("open"), { resumed }));
    if (this._closeArgs) {
      ws.close(...this._closeArgs);
    }
  }

  _data(seq, payload) {
    if (seq > this._received + 1) {
      return this._violation(1002, "Gap in the server's sequence");
    }
    if (seq === this._received + 1) {
      this._received = seq;
      this._ackBytes += typeof payload === "string" ? payload.length : payload.byteLength;
      this._deliver(payload);
    }
    // A replay is acknowledged again, delivered never.
    const now = Date.now();
    if (this._ackBytes < ACK_BYTES) {
      this._ackBy(now + ACK_DELAY);
    } else if (now - this._ackedAt >= MIN_ACK_INTERVAL) {
      this._sendAck();
    } else {
      // Too soon after the last: when the interval ends, not after the delay. A server whose
      // window is full, and so sends nothing more, waits for exactly this acknowledgement.
      this._ackBy(this._ackedAt + MIN_ACK_INTERVAL);
    }
  }

  /** Acknowledge by then at the latest. */
  _ackBy(due) {
    if (this._ackTimer === null || due < this._ackDue) {
      clearTimeout(this._ackTimer);
      this._ackDue = due;
      this._ackTimer = setTimeout(() => this._sendAck(), Math.max(due - Date.now(), 0));
    }
  }

  _deliver(data) {
    if (typeof data !== "string" && this.binaryType === "blob") {
      data = new Blob([data]);
    }
    this._emit(new MessageEvent("message", { data, origin: this._origin }));
  }

  _sendAck() {
    clearTimeout(this._ackTimer);
    this._ackTimer = null;
    if (this._live && this._received > this._acked) {
      this._acked = this._received;
      this._ackBytes = 0;
      this._ackedAt = Date.now();
      this._sock.send("a:" + this._received);
    }
  }

  _acknowledged(seq) {
    if (seq > this._seq) {
      return this._violation(1002, "Acknowledged a message never sent");
    }
    this._release(seq);
    this._notify();
  }

  _violation(code, reason) {
    // A browser may only send 1000 or 3000-4999: 1000 ends the session on the server too.
    this._sock?.close(1000, reason);
    this._finish(code, reason, false);
  }

  // ---------------------------------------------------------------- sending

  async _enqueue(data) {
    if (data instanceof Blob) {
      data = await data.arrayBuffer();
    } else if (ArrayBuffer.isView(data)) {
      data = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    }
    if (this._plain) {
      return this._sock.send(data);
    }
    const size = typeof data === "string" ? utf8.encode(data).length : data.byteLength;
    while (this._unacked > 0 && this._unacked + size > this._o.maxBufferedBytes && this.readyState !== CLOSED) {
      await new Promise((resolve) => this._waiters.push(resolve));
    }
    if (this.readyState === CLOSED) {
      throw new Error("ReliableWebSocket closed before the message could be buffered");
    }
    const entry = { seq: ++this._seq, data, size };
    this._out.push(entry);
    this._unacked += size;
    if (this._live) {
      this._sock.send(frame(entry));
    }
  }

  /** Forget what the server has: it delivered every message up to seq. */
  _release(seq) {
    let count = 0;
    while (count < this._out.length && this._out[count].seq <= seq) {
      this._unacked -= this._out[count++].size;
    }
    this._out.splice(0, count);
  }

  _whenAcknowledged() {
    return new Promise((resolve) => {
      const check = () => (this._out.length === 0 || this.readyState === CLOSED ? resolve() : this._waiters.push(check));
      check();
    });
  }

  /** Wake whoever waits for room or for the last acknowledgement. */
  _notify() {
    for (const waiter of this._waiters.splice(0)) {
      waiter();
    }
  }

  _emit(event) {
    this.dispatchEvent(event);
  }
}

ReliableWebSocket.CONNECTING = ReliableWebSocket.prototype.CONNECTING = CONNECTING;
ReliableWebSocket.OPEN = ReliableWebSocket.prototype.OPEN = OPEN;
ReliableWebSocket.CLOSING = ReliableWebSocket.prototype.CLOSING = CLOSING;
ReliableWebSocket.CLOSED = ReliableWebSocket.prototype.CLOSED = CLOSED;

// onopen, onmessage, onclose, onerror: one handler each, as on WebSocket.
for (const type of ["open", "message", "close", "error"]) {
  Object.defineProperty(ReliableWebSocket.prototype, "on" + type, {
    get() {
      return this["_on" + type]?.handler ?? null;
    },
    set(handler) {
      const old = this["_on" + type];
      if (old) {
        this.removeEventListener(type, old);
      }
      this["_on" + type] = null;
      if (typeof handler === "function") {
        const listener = (event) => handler.call(this, event);
        listener.handler = handler;
        this["_on" + type] = listener;
        this.addEventListener(type, listener);
      }
    },
  });
}

function frame({ seq, data }) {
  if (typeof data === "string") {
    return "m:" + seq + ":" + data;
  }
  const header = utf8.encode("m:" + seq + ":");
  const bytes = new Uint8Array(header.length + data.byteLength);
  bytes.set(header);
  bytes.set(new Uint8Array(data), header.length);
  return bytes;
}

/** A sequence number: 1 to 18 decimal digits, else -1. */
function parseSeq(text) {
  return /^[0-9]{1,18}$/.test(text) ? Number(text) : -1;
}
