package io.github.wsdrain.sample.browser;

/**
 * JavaScript the browser tests install in a page of the sample app: runs of a
 * {@code ReliableWebSocket} whose counters the test reads as JSON. A message is numbered
 * {@code <index>|…}; a run counts what it received, duplicates and indexes out of order.
 */
final class Harness {

	static final String INSTALL = """
			window.runs = {};
			window.sockets = {};
			window.startRun = async (name, path, options) => {
			  const { ReliableWebSocket } = await import("/wsdrain/wsdrain.js");
			  const run = { received: 0, duplicates: 0, outOfOrder: 0, last: -1, opens: [], reconnecting: 0,
			                notrecovered: 0, reconnects: 0, protocol: "", close: null, wasClean: null, messages: [] };
			  window.runs[name] = run;
			  const ws = new ReliableWebSocket(location.origin.replace(/^http/, "ws") + path, options);
			  window.sockets[name] = ws;
			  ws.addEventListener("open", (e) => { run.opens.push(e.resumed); run.protocol = ws.protocol; });
			  ws.addEventListener("reconnecting", () => run.reconnecting++);
			  ws.addEventListener("notrecovered", () => run.notrecovered++);
			  ws.addEventListener("message", (e) => {
			    run.reconnects = ws.reconnects;
			    if (run.keep) { run.messages.push(e.data); return; }
			    const i = Number(e.data.slice(0, e.data.indexOf("|")));
			    if (i <= run.last) { run.duplicates++; return; }
			    if (i !== run.last + 1) run.outOfOrder++;
			    run.last = i;
			    run.received++;
			  });
			  ws.addEventListener("close", (e) => {
			    run.close = e.code; run.wasClean = e.wasClean; run.reconnects = ws.reconnects;
			  });
			  return true;
			};
			window.sendAll = (name, count) => {
			  const ws = window.sockets[name];
			  for (let i = 0; i < count; i++) ws.send(i + "|echo");
			  return true;
			};
			window.sendPaced = (name, count) => {
			  const ws = window.sockets[name];
			  let next = 0;
			  const pacer = setInterval(() => {
			    for (let k = 0; k < 10 && next < count; k++) ws.send(next++ + "|echo");
			    if (next === count) clearInterval(pacer);
			  }, 10);
			  return true;
			};
			true
			""";

	private Harness() {
	}

	static String start(String name, String path, String options) {
		return "window.startRun('" + name + "', '" + path + "', " + options + ")";
	}

	static String run(String name) {
		return "window.runs['" + name + "']";
	}

}
