package io.github.wsdrain.server.resume.redis;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.testsupport.MultiNodeApplication;
import io.github.wsdrain.testsupport.RedisNodes;
import io.github.wsdrain.testsupport.RedisServer;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tokens across two nodes that share one Redis: a forged token and a token already used
 * get a new, empty session on either node and change nothing for the session they name,
 * which its owner still resumes on the other node with all 5 messages (Tomcat, real
 * sockets, a real redis-server).
 */
class MultiNodeTokenTests {

	private static final int MESSAGES = 5;

	private static final List<String> ALL = List.of("s-1", "s-2", "s-3", "s-4", "s-5");

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	@RegisterExtension
	final RedisNodes nodes = new RedisNodes(redis, MESSAGES);

	@Test
	void forgedAndReusedTokensGetANewEmptySessionOnEitherNodeAndTheOwnerStillResumes() throws Exception {
		WireClient owner = client(this.nodes.a(), "owner").neverAcknowledge().connect();
		String token = owner.token();
		owner.inbox().sizeReached(MESSAGES).get(10, TimeUnit.SECONDS);

		WireClient forger = client(this.nodes.b(), "forger").resume("f" + token.substring(1), 0).connect();
		assertThat(forger.resumed()).isFalse();
		assertThat(forger.inbox().payloads()).isEmpty();
		forger.close();

		owner.abort();
		WireClient resumed = client(this.nodes.b(), "owner").resume(token, 0).connect();
		assertThat(resumed.resumed()).isTrue();
		resumed.inbox().sizeReached(MESSAGES).get(10, TimeUnit.SECONDS);
		assertThat(resumed.inbox().payloads()).containsExactlyElementsOf(ALL);
		// Delivered after the confirmation on the same connection: the token is used up by then.
		resumed.sendNumbered(1, "c-1");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.nodes.records().received.getOrDefault("owner", List.of()).contains("c-1"));

		WireClient replayer = client(this.nodes.a(), "replayer").resume(token, 0).connect();
		assertThat(replayer.resumed()).isFalse();
		assertThat(replayer.inbox().payloads()).isEmpty();
		replayer.close();

		// Counted by the app once told of the new session, which may be after its session frame went out.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.nodes.records().notRecovered.get() == 2);
		assertThat(this.nodes.records().received.getOrDefault("owner", List.of())).containsExactly("c-1");
		assertThat(resumed.closeCode()).isNotDone();
		resumed.close();
	}

	private static WireClient.Builder client(ConfigurableApplicationContext node, String name) {
		return WireClient.to(URI.create("ws://localhost:" + MultiNodeApplication.port(node) + "/both?client=" + name));
	}

}
