package io.github.wsdrain.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.wsdrain.server.resume.ResumableSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.AntPathMatcher;
import org.springframework.util.PathMatcher;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * Puts a {@link DrainingWebSocketHandler} around the handler of every WebSocket endpoint
 * registered in a {@link WebSocketHandlerMapping}: plain {@code WebSocketConfigurer}
 * registrations and STOMP endpoints alike, whether the handler is a bean or not.
 * <p>
 * The endpoints' request handlers are created inside the mapping's factory method and
 * registered before any post-processor sees the mapping, so they are swapped in the
 * initialised mapping, path by path.
 */
public class DrainingHandlerMappingPostProcessor implements BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(DrainingHandlerMappingPostProcessor.class);

	private final ObjectProvider<DrainingSessionRegistry> registry;

	private final Supplier<@Nullable ResumableSessions> resumable;

	private final List<String> excludedPaths;

	private final PathMatcher pathMatcher = new AntPathMatcher();

	public DrainingHandlerMappingPostProcessor(ObjectProvider<DrainingSessionRegistry> registry,
			List<String> excludedPaths) {
		this(registry, () -> null, excludedPaths);
	}

	/**
	 * Also offer the {@code wsdrain.v1} sub-protocol on every endpoint that can take it,
	 * when a {@link ResumableSessions} is available.
	 */
	public DrainingHandlerMappingPostProcessor(ObjectProvider<DrainingSessionRegistry> registry,
			ObjectProvider<ResumableSessions> resumable, List<String> excludedPaths) {
		this(registry, resumable::getIfAvailable, excludedPaths);
	}

	private DrainingHandlerMappingPostProcessor(ObjectProvider<DrainingSessionRegistry> registry,
			Supplier<@Nullable ResumableSessions> resumable, List<String> excludedPaths) {
		this.registry = registry;
		this.resumable = resumable;
		this.excludedPaths = List.copyOf(excludedPaths);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof WebSocketHandlerMapping mapping) {
			wrapEndpoints(mapping);
		}
		return bean;
	}

	private void wrapEndpoints(WebSocketHandlerMapping mapping) {
		Map<Object, Object> replaced = new LinkedHashMap<>();
		new LinkedHashMap<>(mapping.getHandlerMap()).forEach((path, handler) -> {
			if (handler instanceof WebSocketHttpRequestHandler original && shouldWrap(path, original)) {
				Object replacement = replaced.computeIfAbsent(original,
						(key) -> new DrainingWebSocketHttpRequestHandler(original, this.registry.getObject(),
								this.resumable.get()));
				mapping.unregisterHandler(path);
				mapping.registerHandler(path, replacement);
				logger.debug("Draining WebSocket sessions of endpoint " + path);
			}
		});
		// The mapping starts and stops the handlers of its URL map: keep it in step.
		if (!replaced.isEmpty()) {
			Map<String, Object> urlMap = new LinkedHashMap<>(mapping.getUrlMap());
			urlMap.replaceAll((path, handler) -> replaced.getOrDefault(handler, handler));
			mapping.setUrlMap(urlMap);
		}
	}

	private boolean shouldWrap(String path, WebSocketHttpRequestHandler handler) {
		if (handler.getWebSocketHandler() instanceof DrainingWebSocketHandler) {
			return false;
		}
		return this.excludedPaths.stream().noneMatch((pattern) -> this.pathMatcher.match(pattern, path));
	}

}
