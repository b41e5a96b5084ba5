package io.idempotency.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IdempotencyKey} and {@link RequestFingerprint}.
 */
class IdempotencyKeyTests {

	@Test
	void storageIdIsFixedLengthAndUrlSafe() {
		String id = new IdempotencyKey("", "{weird key}\r\n*").storageId();

		assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+");
	}

	@Test
	void storageIdSeparatesScopes() {
		assertThat(new IdempotencyKey("tenant-a", "k").storageId())
			.isNotEqualTo(new IdempotencyKey("tenant-b", "k").storageId());
		assertThat(new IdempotencyKey("ab", "c").storageId()).isNotEqualTo(new IdempotencyKey("a", "bc").storageId());
	}

	@Test
	void toStringHidesRawKey() {
		assertThat(new IdempotencyKey("", "secret-key")).asString().doesNotContain("secret-key");
	}

	@Test
	void fingerprintDependsOnEveryPart() {
		String base = fingerprint("POST", "/orders", "a=1", "{}");

		assertThat(fingerprint("POST", "/orders", "a=1", "{}")).isEqualTo(base).hasSize(64);
		assertThat(fingerprint("PATCH", "/orders", "a=1", "{}")).isNotEqualTo(base);
		assertThat(fingerprint("POST", "/order", "a=1", "{}")).isNotEqualTo(base);
		assertThat(fingerprint("POST", "/orders", "a=2", "{}")).isNotEqualTo(base);
		assertThat(fingerprint("POST", "/orders", "a=1", "{ }")).isNotEqualTo(base);
		assertThat(fingerprint("POST", "/orders", "", "a=1{}")).isNotEqualTo(base);
	}

	@Test
	void fingerprintOfChunkedBodyEqualsWholeBody() {
		RequestFingerprint chunked = new RequestFingerprint("POST", "/", "");
		chunked.updateBody(ByteBuffer.wrap("{\"a\":".getBytes(StandardCharsets.UTF_8)));
		chunked.updateBody(ByteBuffer.wrap("1}".getBytes(StandardCharsets.UTF_8)));

		assertThat(chunked.finish()).isEqualTo(fingerprint("POST", "/", "", "{\"a\":1}"));
	}

	private static String fingerprint(String method, String path, String query, String body) {
		RequestFingerprint fingerprint = new RequestFingerprint(method, path, query);
		fingerprint.updateBody(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
		return fingerprint.finish();
	}

}
