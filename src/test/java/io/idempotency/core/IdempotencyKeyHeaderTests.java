package io.idempotency.core;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link IdempotencyKeyHeader}.
 */
class IdempotencyKeyHeaderTests {

	private final IdempotencyKeyHeader header = new IdempotencyKeyHeader("Idempotency-Key", 10);


	@Test
	void absentHeaderParsesToNull() {
		assertThat(this.header.parse(List.of())).isNull();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
		"abc|abc",
		"\"abc\"|abc",
		"  abc  |abc",
		"\"a b\"|a b",
		"\"a\\\"b\"|a\"b",
		"\"a\\\\b\"|a\\b",
		"a,b;c=d|a,b;c=d",
		"0123456789|0123456789" })
	void validValueParsesToKey(String value, String key) {
		assertThat(this.header.parse(List.of(value))).isEqualTo(key);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
		"''|is empty",
		"\"\"|is empty",
		"01234567890|is 11 characters long, over the maximum of 10",
		"\"01234567890\"|is 11 characters long, over the maximum of 10",
		"a b|not visible ASCII at position 1",
		"\"abc|opening quote without a closing quote",
		"\"a\\nb\"|invalid escape at position 2",
		"\"ab\"c|characters after the closing quote" })
	void invalidValueIsRejectedWithReason(String value, String reason) {
		assertThatExceptionOfType(InvalidIdempotencyKeyException.class)
			.isThrownBy(() -> this.header.parse(List.of(value)))
			.withMessageStartingWith("The Idempotency-Key header ")
			.withMessageContaining(reason);
	}

	@Test
	void controlCharacterIsRejected() {
		assertThatExceptionOfType(InvalidIdempotencyKeyException.class)
			.isThrownBy(() -> this.header.parse(List.of("\"a\u0001b\"")))
			.withMessageContaining("not printable ASCII");
	}

	@Test
	void nonAsciiCharacterIsRejected() {
		assertThatExceptionOfType(InvalidIdempotencyKeyException.class)
			.isThrownBy(() -> this.header.parse(List.of("caf\u00e9")))
			.withMessageContaining("not visible ASCII");
	}

	@Test
	void headerSentTwiceIsRejected() {
		assertThatExceptionOfType(InvalidIdempotencyKeyException.class)
			.isThrownBy(() -> this.header.parse(List.of("a", "a")))
			.withMessageContaining("was sent 2 times");
	}

}
