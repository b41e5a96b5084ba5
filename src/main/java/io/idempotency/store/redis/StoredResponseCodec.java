package io.idempotency.store.redis;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.idempotency.core.StoredResponse;

/**
 * Binary encoding of a {@link StoredResponse}, the form in which the Redis store keeps responses.
 *
 * <p>Version 1 of the encoding, all integers big-endian:
 * <pre class="code">
 * byte    version (1)
 * uint16  status
 * int32   header count, then for each header line in order:
 *           int32 name length, name as UTF-8, int32 value length, value as UTF-8
 * int32   body length, then the body bytes
 * </pre>
 * Every length is explicit, so header values may contain commas, quotes or any other character and the body may hold
 * any bytes. The leading version byte lets a later release change the layout: a reader rejects versions it does not
 * know instead of misreading them.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
final class StoredResponseCodec {

	/** The encoding version this class writes. */
	static final byte VERSION = 1;

	private StoredResponseCodec() {
	}


	/**
	 * Encodes a response.
	 * @param response the response to encode
	 * @return a new array holding the encoded response
	 */
	static byte[] encode(StoredResponse response) {
		List<Map.Entry<String, String>> headers = response.headers();
		List<byte[]> headerBytes = new ArrayList<>(headers.size() * 2);
		int size = 1 + 2 + 4 + 4 + response.body().length;
		for (Map.Entry<String, String> header : headers) {
			byte[] name = header.getKey().getBytes(StandardCharsets.UTF_8);
			byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
			headerBytes.add(name);
			headerBytes.add(value);
			size += 4 + name.length + 4 + value.length;
		}
		ByteBuffer buffer = ByteBuffer.allocate(size);
		buffer.put(VERSION);
		buffer.putShort((short) response.status());
		buffer.putInt(headers.size());
		for (byte[] bytes : headerBytes) {
			buffer.putInt(bytes.length);
			buffer.put(bytes);
		}
		buffer.putInt(response.body().length);
		buffer.put(response.body());
		return buffer.array();
	}

	/**
	 * Decodes a response written by {@link #encode}.
	 * @param encoded the encoded response; its position is advanced to its limit
	 * @return the decoded response
	 * @throws IllegalArgumentException if the bytes are not a complete response of a known version
	 */
	static StoredResponse decode(ByteBuffer encoded) {
		try {
			byte version = encoded.get();
			if (version != VERSION) {
				throw new IllegalArgumentException("Stored response has encoding version " + version
						+ ", but this release reads only version " + VERSION
						+ ". It was probably written by another release of the library");
			}
			int status = Short.toUnsignedInt(encoded.getShort());
			int headerCount = readLength(encoded, 8);
			List<Map.Entry<String, String>> headers = new ArrayList<>(headerCount);
			for (int i = 0; i < headerCount; i++) {
				String name = readString(encoded);
				String value = readString(encoded);
				headers.add(Map.entry(name, value));
			}
			byte[] body = new byte[readLength(encoded, 1)];
			encoded.get(body);
			if (encoded.hasRemaining()) {
				throw new IllegalArgumentException(
						"Stored response has " + encoded.remaining() + " unexpected bytes after its body");
			}
			return new StoredResponse(status, headers, body);
		}
		catch (BufferUnderflowException ex) {
			throw new IllegalArgumentException("Stored response is truncated", ex);
		}
	}

	private static String readString(ByteBuffer encoded) {
		byte[] bytes = new byte[readLength(encoded, 1)];
		encoded.get(bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/**
	 * Reads a length and checks it against the bytes left, so that a corrupt length fails before any allocation.
	 * @param bytesPerUnit the minimum number of encoded bytes that each counted unit occupies
	 */
	private static int readLength(ByteBuffer encoded, int bytesPerUnit) {
		int length = encoded.getInt();
		if (length < 0 || (long) length * bytesPerUnit > encoded.remaining()) {
			throw new IllegalArgumentException("Stored response has an invalid length " + length + " with "
					+ encoded.remaining() + " bytes left");
		}
		return length;
	}

}
