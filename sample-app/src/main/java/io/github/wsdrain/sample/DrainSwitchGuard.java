package io.github.wsdrain.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /actuator/wsdrain} (the drain switch and the list of clients) without
 * Spring Security: a request passes with {@code Authorization: Bearer <token>} matching
 * {@code wsdrain.sample.drain.token}, or from a loopback address while
 * {@code wsdrain.sample.drain.allow-loopback} is on; any other gets 403. A request whose
 * {@code Origin} is not the server it was sent to gets 403 as well, so that a page of
 * another site open in a browser on the same machine cannot flip the switch.
 */
class DrainSwitchGuard extends OncePerRequestFilter {

	static final String PATH = "/actuator/wsdrain";

	private final DrainSwitchProperties properties;

	DrainSwitchGuard(DrainSwitchProperties properties) {
		this.properties = properties;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return !path.equals(PATH) && !path.startsWith(PATH + "/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String refusal = refusal(request);
		if (refusal != null) {
			response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
			return;
		}
		chain.doFilter(request, response);
	}

	private @Nullable String refusal(HttpServletRequest request) {
		if (!sameOrigin(request)) {
			return "Cross-origin request to the drain switch";
		}
		if (hasToken(request) || (this.properties.isAllowLoopback() && isLoopback(request.getRemoteAddr()))) {
			return null;
		}
		return "The drain switch needs a bearer token (wsdrain.sample.drain.token)";
	}

	private boolean hasToken(HttpServletRequest request) {
		String token = this.properties.getToken();
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (token == null || token.isEmpty() || authorization == null || !authorization.startsWith("Bearer ")) {
			return false;
		}
		return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
				authorization.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8));
	}

	/** No {@code Origin} (curl, scripts) or the one the request was sent to. */
	private static boolean sameOrigin(HttpServletRequest request) {
		String origin = request.getHeader(HttpHeaders.ORIGIN);
		if (origin == null) {
			return true;
		}
		try {
			URI uri = URI.create(origin);
			String host = request.getHeader(HttpHeaders.HOST);
			return host != null && host.equalsIgnoreCase(uri.getAuthority());
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static boolean isLoopback(String address) {
		try {
			// A literal address from the container: no name lookup happens.
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

}
