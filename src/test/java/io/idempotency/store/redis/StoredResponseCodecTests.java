package io.idempotency.store.redis;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.idempotency.core.StoredResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests of {@link StoredResponseCodec}.
 */
class StoredResponseCodecTests {

	@Test
	void roundTripKeepsBinaryBodyAndHeaderOrder() {
		StoredResponse response = RedisIdempotencyKeyStoreTests.binaryResponse();

		StoredResponse decoded = StoredResponseCodec.decode(ByteBuffer.wrap(StoredResponseCodec.encode(response)));

		assertThat(decoded.status()).isEqualTo(201);
		assertThat(decoded.headers()).containsExactlyElementsOf(response.headers());
		assertThat(decoded.body()).isEqualTo(response.body());
	}

	@Test
	void roundTripKeepsCommasInsideOneHeaderValue() {
		StoredResponse response = new StoredResponse(200,
				List.of(Map.entry("Vary", "Accept, Accept-Encoding"), Map.entry("Vary", "Origin")), new byte[0]);

		StoredResponse decoded = StoredResponseCodec.decode(ByteBuffer.wrap(StoredResponseCodec.encode(response)));

		assertThat(decoded.headers()).containsExactly(Map.entry("Vary", "Accept, Accept-Encoding"),
				Map.entry("Vary", "Origin"));
	}

	@Test
	void roundTripKeepsEmptyResponseAndHighStatus() {
		StoredResponse response = new StoredResponse(999, List.of(), new byte[0]);

		StoredResponse decoded = StoredResponseCodec.decode(ByteBuffer.wrap(StoredResponseCodec.encode(response)));

		assertThat(decoded).isEqualTo(response);
	}

	@Test
	void encodingStartsWithVersion() {
		byte[] encoded = StoredResponseCodec.encode(new StoredResponse(204, List.of(), new byte[0]));

		assertThat(encoded[0]).isEqualTo(StoredResponseCodec.VERSION);
		assertThat(encoded).hasSize(1 + 2 + 4 + 4);
	}

	@Test
	void decodeRejectsUnknownVersion() {
		byte[] encoded = StoredResponseCodec.encode(new StoredResponse(200, List.of(), new byte[] { 1 }));
		encoded[0] = 2;

		assertThatIllegalArgumentException().isThrownBy(() -> StoredResponseCodec.decode(ByteBuffer.wrap(encoded)))
			.withMessageContaining("encoding version 2");
	}

	@Test
	void decodeRejectsTruncatedBody() {
		byte[] encoded = StoredResponseCodec.encode(new StoredResponse(200, List.of(), new byte[] { 1, 2, 3 }));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> StoredResponseCodec.decode(ByteBuffer.wrap(Arrays.copyOf(encoded, encoded.length - 1))))
			.withMessageContaining("invalid length 3");
	}

	@Test
	void decodeRejectsTruncatedHeader() {
		byte[] encoded = StoredResponseCodec
			.encode(new StoredResponse(200, List.of(Map.entry("Content-Type", "text/plain")), new byte[0]));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> StoredResponseCodec.decode(ByteBuffer.wrap(Arrays.copyOf(encoded, 12))))
			.withMessageContaining("Stored response");
	}

	@Test
	void decodeRejectsNegativeHeaderCount() {
		ByteBuffer encoded = ByteBuffer.allocate(11).put((byte) 1).putShort((short) 200).putInt(-1).putInt(0).flip();

		assertThatIllegalArgumentException().isThrownBy(() -> StoredResponseCodec.decode(encoded))
			.withMessageContaining("invalid length -1");
	}

	@Test
	void decodeRejectsTrailingBytes() {
		byte[] encoded = StoredResponseCodec.encode(new StoredResponse(200, List.of(), new byte[] { 1 }));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> StoredResponseCodec.decode(ByteBuffer.wrap(Arrays.copyOf(encoded, encoded.length + 2))))
			.withMessageContaining("2 unexpected bytes");
	}

}
