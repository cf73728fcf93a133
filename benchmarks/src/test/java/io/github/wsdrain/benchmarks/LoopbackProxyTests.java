package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The benchmark's proxy between a loopback client and loopback servers that answer each
 * connection with one byte naming the server, then echo: bytes counted each way,
 * delayed, routed to another server, and cut.
 */
class LoopbackProxyTests {

	private EchoServer serverA;

	private EchoServer serverB;

	@BeforeEach
	void start() throws IOException {
		this.serverA = new EchoServer('A');
		this.serverB = new EchoServer('B');
	}

	@AfterEach
	void stop() throws IOException {
		this.serverA.close();
		this.serverB.close();
	}

	@Test
	void countsEveryByteEachWayOnceTheConnectionHasEnded() throws Exception {
		try (LoopbackProxy proxy = new LoopbackProxy(this.serverA.port())) {
			try (Socket client = connect(proxy)) {
				assertThat(client.getInputStream().read()).isEqualTo('A');
				client.getOutputStream().write(new byte[10_000]);
				assertThat(client.getInputStream().readNBytes(10_000)).hasSize(10_000);
				client.shutdownOutput();
				assertThat(client.getInputStream().read()).as("end of stream").isEqualTo(-1);
			}
			assertThat(proxy.bytes(30)).isEqualTo(new LoopbackProxy.Bytes(10_000, 10_001));
		}
	}

	@Test
	void delaysEachChunkByTheOneWayDelayEachWay() throws Exception {
		try (LoopbackProxy proxy = new LoopbackProxy(this.serverA.port(), Duration.ofMillis(100));
				Socket client = connect(proxy)) {
			assertThat(client.getInputStream().read()).isEqualTo('A');
			long sent = System.nanoTime();
			client.getOutputStream().write(7);
			assertThat(client.getInputStream().read()).isEqualTo(7);
			assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("round trip")
				.isGreaterThanOrEqualTo(Duration.ofMillis(200));
		}
	}

	@Test
	void sendsNewConnectionsWhereItIsRoutedAndCutsOpenOnesWithAReset() throws Exception {
		try (LoopbackProxy proxy = new LoopbackProxy(this.serverA.port()); Socket first = connect(proxy)) {
			assertThat(first.getInputStream().read()).isEqualTo('A');
			proxy.route(this.serverB.port());
			try (Socket second = connect(proxy)) {
				assertThat(second.getInputStream().read()).isEqualTo('B');
				proxy.cut();
				assertThatExceptionOfType(IOException.class).as("first connection after the cut")
					.isThrownBy(() -> readUntilEnd(first));
				assertThatExceptionOfType(IOException.class).as("second connection after the cut")
					.isThrownBy(() -> readUntilEnd(second));
			}
		}
	}

	private static Socket connect(LoopbackProxy proxy) throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
		socket.setSoTimeout(30_000);
		return socket;
	}

	/** Read to the end of stream; a reset throws instead. */
	private static void readUntilEnd(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		for (int i = 0; i < 1_000 && in.read() >= 0; i++) {
			// nothing more is sent: a read returns only at the end or with a reset
		}
		throw new AssertionError("end of stream without a reset");
	}

	/** A loopback server that writes its name to each connection, then echoes until the end of stream. */
	private static final class EchoServer implements AutoCloseable {

		private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

		EchoServer(char name) throws IOException {
			start(() -> {
				while (!this.listener.isClosed()) {
					try {
						Socket socket = this.listener.accept();
						start(() -> echo(socket, name));
					}
					catch (IOException ex) {
						// closed
					}
				}
			});
		}

		private static void start(Runnable task) {
			Thread thread = new Thread(task, "echo-server");
			thread.setDaemon(true);
			thread.start();
		}

		int port() {
			return this.listener.getLocalPort();
		}

		private static void echo(Socket socket, char name) {
			try (socket) {
				socket.getOutputStream().write(name);
				socket.getInputStream().transferTo(socket.getOutputStream());
			}
			catch (IOException ex) {
				// cut
			}
		}

		@Override
		public void close() throws IOException {
			this.listener.close();
		}

	}

}
