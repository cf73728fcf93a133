package io.github.wsdrain.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Start-up checks that name the offending property, so a bad value fails fast and says
 * where it came from.
 */
final class PropertyChecks {

	private PropertyChecks() {
	}

	static Duration positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive duration");
		}
		return value;
	}

	static Duration notNegative(String name, Duration value) {
		if (value == null || value.isNegative()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must not be a negative duration");
		}
		return value;
	}

	static DataSize positive(String name, DataSize value) {
		if (value == null || value.toBytes() <= 0) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive size");
		}
		return value;
	}

	static DataSize notNegative(String name, DataSize value) {
		if (value == null || value.toBytes() < 0) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must not be a negative size");
		}
		return value;
	}

	static int positive(String name, int value) {
		if (value <= 0) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be positive");
		}
		return value;
	}

	static <T> T required(String name, T value) {
		if (value == null) {
			throw new InvalidConfigurationPropertyValueException(name, null, "must be set");
		}
		return value;
	}

	/**
	 * Check a close code that a server may send: 1000-4999 without the codes RFC 6455
	 * reserves for reporting (1005, 1006, 1015) and those IANA has not assigned below 3000.
	 */
	static int sendableCloseCode(String name, int code) {
		boolean registered = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
		if (!registered && (code < 3000 || code > 4999)) {
			throw new InvalidConfigurationPropertyValueException(name, code,
					"must be a close code a server may send: 1000-1003, 1007-1014 or 3000-4999");
		}
		return code;
	}

	/** Check a close reason fits in a close frame (123 bytes of UTF-8). */
	static String closeReason(String name, String reason) {
		if (reason != null && reason.getBytes(StandardCharsets.UTF_8).length > 123) {
			throw new InvalidConfigurationPropertyValueException(name, reason,
					"must be at most 123 bytes in UTF-8 to fit in a close frame");
		}
		return (reason != null) ? reason : "";
	}

	/** Check a duration is shorter than another setting's. */
	static Duration shorterThan(String name, Duration value, String limitName, Duration limit) {
		if (value.compareTo(limit) >= 0) {
			throw new InvalidConfigurationPropertyValueException(name, value,
					"must be shorter than " + limitName + " (" + limit + "), or the shutdown phase ends before the drain");
		}
		return value;
	}

}
