// Types for wsdrain.js: the browser's WebSocket, made reliable with the wsdrain.v1 sub-protocol.

export interface ReliableWebSocketOptions {
  /** Most bytes sent and not yet acknowledged; send() waits beyond it. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Back-off between attempts, full jitter: attempt n waits random(0, min(maxDelay, initialDelay * 2^(n-1))) ms. */
  reconnect?: { initialDelay?: number; maxDelay?: number };
  /** How long the first connection is retried, and how long each resume attempt may take, in ms. Default 10000. */
  connectTimeout?: number;
  /** A connection without any frame for this long is lost, in ms: twice the server's heartbeat. Default 50000. */
  heartbeatTimeout?: number;
  /** Sub-protocols offered after wsdrain.v1, for servers that do not speak it (e.g. "v12.stomp"). */
  protocols?: string[];
}

/** Fired for each connection once its session frame arrived. */
export interface ReliableOpenEvent extends Event {
  /** false for a new session, true after a resume. */
  readonly resumed: boolean;
}

/** Fired before each reconnect attempt. */
export interface ReliableReconnectingEvent extends Event {
  /** The attempt, from 1. */
  readonly attempt: number;
  /** Milliseconds until the attempt. */
  readonly delay: number;
  /** How the connection ended (1006: without a close frame). */
  readonly code: number;
}

/** Fired when a resume found no session on the server: a new session starts, the app resynchronises. */
export interface ReliableNotRecoveredEvent extends Event {
  /** Messages sent here that the old session never acknowledged: not sent again. */
  readonly discarded: number;
}

export interface ReliableWebSocketEventMap {
  open: ReliableOpenEvent;
  message: MessageEvent<string | ArrayBuffer | Blob>;
  notrecovered: ReliableNotRecoveredEvent;
  reconnecting: ReliableReconnectingEvent;
  close: CloseEvent;
  error: Event;
}

export declare class ReliableWebSocket extends EventTarget {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  constructor(url: string | URL, options?: ReliableWebSocketOptions);

  /** The resolved ws: or wss: URL. */
  readonly url: string;
  /** The sub-protocol the server selected: "wsdrain.v1", or another for a plain WebSocket. */
  readonly protocol: string;
  readonly extensions: string;
  /** OPEN from the first session frame until close(), also while reconnecting. */
  readonly readyState: 0 | 1 | 2 | 3;
  /** How binary messages are delivered. Default "arraybuffer". */
  binaryType: "arraybuffer" | "blob";
  /** Successful resumes so far. */
  readonly reconnects: number;
  /** Bytes sent and not yet acknowledged. */
  readonly bufferedAmount: number;

  onopen: ((this: ReliableWebSocket, ev: ReliableOpenEvent) => unknown) | null;
  onmessage: ((this: ReliableWebSocket, ev: MessageEvent) => unknown) | null;
  onclose: ((this: ReliableWebSocket, ev: CloseEvent) => unknown) | null;
  onerror: ((this: ReliableWebSocket, ev: Event) => unknown) | null;

  /** Resolves once buffered; waits while unacknowledged bytes exceed maxBufferedBytes. */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): Promise<void>;
  /** Resolves once everything sent was acknowledged and the closing handshake ended. */
  close(code?: number, reason?: string): Promise<void>;

  addEventListener<K extends keyof ReliableWebSocketEventMap>(type: K,
    listener: (this: ReliableWebSocket, ev: ReliableWebSocketEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ReliableWebSocketEventMap>(type: K,
    listener: (this: ReliableWebSocket, ev: ReliableWebSocketEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions): void;
}
