package io.github.wsdrain.server.resume.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.MultiNodeApplication;
import io.github.wsdrain.testsupport.MultiNodeApplication.Records;
import io.github.wsdrain.testsupport.RedisNodes;
import io.github.wsdrain.testsupport.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node that owns 5 sessions runs in a JVM of its own and is killed with SIGKILL
 * mid-stream (each client has taken a quarter of 5,000 messages); the load balancer sends
 * the reconnects to the other node, which restores each session from Redis: every
 * message the dead node had recorded is replayed, and the client's consumer gets all
 * 5,000 exactly once and in order. The app on the surviving node is told the session
 * came from a node that did not hand it over (client messages the dead node delivered but
 * had not recorded may come again), and takes the client's messages on from there, in order.
 */
class MultiNodeCrashTests {

	private static final int SESSIONS = 5;

	private static final int MESSAGES = 5_000;

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private final Records records = new Records();

	private Process owner;

	private Path ownerLog;

	private ConfigurableApplicationContext survivor;

	private ChaosProxy proxy;

	@BeforeEach
	void start() throws Exception {
		redis.command("FLUSHALL");
		int ownerPort = freePort();
		this.owner = fork(ownerPort);
		List<String> survivorProperties = RedisNodes.properties(redis, "b", MESSAGES, RedisNodes.PATIENT);
		survivorProperties.add("server.port=0");
		this.survivor = MultiNodeApplication.start(this.records, survivorProperties.toArray(String[]::new));
		this.proxy = new ChaosProxy(ownerPort);
		await().atMost(Duration.ofSeconds(120)).until(() -> accepts(ownerPort) || !this.owner.isAlive());
		assertThat(this.owner.isAlive()).as("owner node started; its log: " + this.ownerLog).isTrue();
	}

	@AfterEach
	void stop() throws Exception {
		this.owner.destroyForcibly();
		this.proxy.close();
		this.survivor.close();
		Files.deleteIfExists(this.ownerLog);
	}

	@Test
	void whenTheOwnerIsKilledMidStreamThenItsClientsResumeOnTheOtherNodeWithEverythingOnceInOrder() throws Exception {
		try (ReliableClients clients = new ReliableClients(this.proxy.port(), SESSIONS, MESSAGES)) {
			clients.awaitEachTook(MESSAGES / 4, Duration.ofSeconds(120));
			this.proxy.route(MultiNodeApplication.port(this.survivor));
			this.owner.destroyForcibly();
			assertThat(this.owner.waitFor(30, TimeUnit.SECONDS)).isTrue();

			List<String> fromServer = IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "s-" + i).toList();
			for (int i = 0; i < SESSIONS; i++) {
				assertThat(clients.received(i).get(300, TimeUnit.SECONDS)).as("consumer of c" + i)
					.containsExactlyElementsOf(fromServer);
				List<String> taken = this.records.receivedFrom("c" + i);
				assertThat(taken).as("survivor's app of c" + i).isNotEmpty().endsWith("c-" + MESSAGES);
				int first = Integer.parseInt(taken.get(0).substring(2));
				assertThat(taken).as("survivor's app of c" + i + ": in order from where the store says")
					.containsExactlyElementsOf(IntStream.rangeClosed(first, MESSAGES).mapToObj((n) -> "c-" + n).toList());
			}
			assertThat(clients.notRecovered()).isZero();
			assertThat(this.records.movedIn).hasSize(SESSIONS)
				.allSatisfy((origin) -> assertThat(origin).extracting(ResumeClaim.SessionOrigin::node,
						ResumeClaim.SessionOrigin::ownerAlive, ResumeClaim.SessionOrigin::mayRepeat)
					.containsExactly("a", false, true));
			assertThat(this.records.closesWith(1000)).isEqualTo(SESSIONS);
			System.out.printf("crash: owner killed after each client took %,d of %,d; %d sessions resumed on the other "
					+ "node, %d resumes, 0 lost, 0 not recovered%n", MESSAGES / 4, MESSAGES, SESSIONS, clients.resumes());
		}
	}

	private Process fork(int port) throws IOException {
		this.ownerLog = Files.createTempFile("wsdrain-owner-", ".log");
		String java = ProcessHandle.current().info().command().orElse(
				System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				MultiNodeApplication.class.getName(), "--server.port=" + port));
		RedisNodes.properties(redis, "a", MESSAGES, RedisNodes.PATIENT).forEach((property) -> command.add("--" + property));
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(this.ownerLog.toFile()).start();
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return probe.getLocalPort();
		}
	}

}
