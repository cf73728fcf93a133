package io.github.wsdrain.server.resume.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * The Lua scripts of the Redis store, run by their SHA1 (loaded again after a Redis
 * restart), with binary arguments so that payloads pass unchanged.
 */
final class RedisScripts {

	static final RedisScript<Long> OPEN = load("open.lua", Long.class);

	static final RedisScript<Long> FENCED = load("fenced.lua", Long.class);

	static final RedisScript<Long> END = load("end.lua", Long.class);

	static final RedisScript<Long> RELEASE = load("release.lua", Long.class);

	@SuppressWarnings("rawtypes")
	static final RedisScript<List> CLAIM = load("claim.lua", List.class);

	@SuppressWarnings("rawtypes")
	static final RedisScript<List> READ = load("read.lua", List.class);

	private RedisScripts() {
	}

	/**
	 * Run a script: text arguments as UTF-8, byte arrays as they are; text results.
	 */
	static <T> T run(StringRedisTemplate redis, RedisScript<T> script, List<String> keys, List<?> args) {
		@SuppressWarnings("unchecked")
		RedisSerializer<T> results = (RedisSerializer<T>) RedisSerializer.string();
		return redis.execute(script, RedisSerializer.byteArray(), results, keys, raw(args));
	}

	/**
	 * Run a script that returns a list: text arguments as UTF-8, byte arrays as they are;
	 * the results' strings as byte arrays, lists as lists.
	 */
	@SuppressWarnings({ "rawtypes", "unchecked" })
	static List<?> runForBytes(StringRedisTemplate redis, RedisScript<List> script, List<String> keys,
			List<?> args) {
		// Strings are deserialized one by one, inside nested lists too: byte arrays stay as they are.
		RedisSerializer<List> results = (RedisSerializer<List>) (RedisSerializer) RedisSerializer.byteArray();
		return redis.execute(script, RedisSerializer.byteArray(), results, keys, raw(args));
	}

	/** Text as UTF-8, byte arrays as they are: how the scripts take their keys and arguments. */
	static byte[][] raw(List<?> args) {
		byte[][] raw = new byte[args.size()][];
		for (int i = 0; i < raw.length; i++) {
			Object arg = args.get(i);
			raw[i] = (arg instanceof byte[] bytes) ? bytes : String.valueOf(arg).getBytes(StandardCharsets.UTF_8);
		}
		return raw;
	}

	/**
	 * Read a script once: from a resource location, a script checks the resource for
	 * changes, in its jar, each time it runs, which costs more than sending a batch.
	 */
	private static <T> RedisScript<T> load(String name, Class<T> type) {
		try {
			String text = new ClassPathResource(name, RedisScripts.class).getContentAsString(StandardCharsets.UTF_8);
			return new DefaultRedisScript<>(text, type);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the Redis script " + name, ex);
		}
	}

}
