package io.github.wsdrain.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.MultiNodeApplication.Records;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two nodes of {@link MultiNodeApplication}, {@code a} and {@code b}, in this JVM on
 * Tomcat with the Redis store on one {@link RedisServer}: before each test Redis is
 * emptied and both nodes start, sharing one {@link Records}; after it both are closed.
 * Register it after the server:
 * {@code @RegisterExtension final RedisNodes nodes = new RedisNodes(redis, MESSAGES);}.
 */
public final class RedisNodes implements BeforeEachCallback, AfterEachCallback {

	/**
	 * For clients a hostile network may keep away for seconds: a close waits this long for
	 * their acknowledgements, and the app's sends for room.
	 */
	public static final List<String> PATIENT = List.of("wsdrain.server.resume.ack-timeout=60s",
			"wsdrain.server.send-time-limit=60s");

	private final RedisServer redis;

	private final int messages;

	private final List<String> more;

	private final Records records = new Records();

	private @Nullable ConfigurableApplicationContext a;

	private @Nullable ConfigurableApplicationContext b;

	/**
	 * Nodes whose app sends and expects {@code messages} per client.
	 * @param redis the server the nodes share
	 * @param messages each way, per client
	 * @param more more properties ({@code key=value}), e.g. {@link #PATIENT}
	 */
	public RedisNodes(RedisServer redis, int messages, List<String> more) {
		this.redis = redis;
		this.messages = messages;
		this.more = more;
	}

	public RedisNodes(RedisServer redis, int messages) {
		this(redis, messages, List.of());
	}

	/**
	 * The properties of one node on that Redis server, without its port.
	 * @param redis the server the nodes share
	 * @param node the node's id
	 * @param messages each way, per client
	 * @param more more properties
	 * @return the properties ({@code key=value})
	 */
	public static List<String> properties(RedisServer redis, String node, int messages, List<String> more) {
		List<String> properties = new ArrayList<>(List.of(ServerSelection.TOMCAT, "spring.main.banner-mode=off",
				"wsdrain.server.resume.store=redis", redis.portProperty(), "wsdrain.server.resume.redis.node-id=" + node,
				"test.messages=" + messages));
		properties.addAll(more);
		return properties;
	}

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		this.redis.command("FLUSHALL");
		this.a = start("a");
		this.b = start("b");
	}

	@Override
	public void afterEach(ExtensionContext context) {
		for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] { this.a, this.b }) {
			if (node != null) {
				node.close();
			}
		}
	}

	public ConfigurableApplicationContext a() {
		return Objects.requireNonNull(this.a);
	}

	public ConfigurableApplicationContext b() {
		return Objects.requireNonNull(this.b);
	}

	/** What both nodes' apps saw. */
	public Records records() {
		return this.records;
	}

	private ConfigurableApplicationContext start(String node) {
		List<String> properties = properties(this.redis, node, this.messages, this.more);
		properties.add("server.port=0");
		return MultiNodeApplication.start(this.records, properties.toArray(String[]::new));
	}

}
