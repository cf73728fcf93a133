package io.github.wsdrain.autoconfigure;

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

	static DataSize positive(String name, DataSize value) {
		if (value == null || value.toBytes() <= 0) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be a positive size");
		}
		return value;
	}

}
