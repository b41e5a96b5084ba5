package io.idempotency.core;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Parser for the value of an {@code Idempotency-Key} request header.
 *
 * <p>The IETF Idempotency-Key draft defines the header as a Structured Field string ({@code "8e03978e-..."}, RFC
 * 8941 section 3.3.3). Many clients send the key unquoted, so a bare value of visible ASCII characters is accepted
 * too, and {@code "abc"} and {@code abc} parse to the same key. A header that occurs more than once, an empty key, a
 * key longer than the limit, broken quoting or a character outside visible ASCII is rejected.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class IdempotencyKeyHeader {

	private final String headerName;

	private final int maxLength;


	/**
	 * Creates a parser.
	 * @param headerName the header name, used in error messages
	 * @param maxLength the maximum key length in characters, after removing the quotes
	 */
	public IdempotencyKeyHeader(String headerName, int maxLength) {
		Assert.hasText(headerName, "'headerName' must not be empty");
		Assert.isTrue(maxLength > 0, "'maxLength' must be positive");
		this.headerName = headerName;
		this.maxLength = maxLength;
	}


	/**
	 * Parses the header lines of one request into a key value.
	 * @param values the header values, one per header line; may be empty
	 * @return the key value, or {@code null} when the request has no such header
	 * @throws InvalidIdempotencyKeyException if the header is present but invalid
	 */
	public @Nullable String parse(List<String> values) {
		if (values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw invalid("was sent " + values.size() + " times. Send it exactly once per request");
		}
		String raw = values.get(0).strip();
		String key = (raw.startsWith("\"") ? parseString(raw) : parseBare(raw));
		if (key.isEmpty()) {
			throw invalid("is empty. Send a unique value per operation, for example a random UUID");
		}
		if (key.length() > this.maxLength) {
			throw invalid("is " + key.length() + " characters long, over the maximum of " + this.maxLength
					+ ". Send a shorter value, for example a random UUID");
		}
		return key;
	}

	private String parseBare(String raw) {
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c < 0x21 || c > 0x7E) {
				throw invalid("contains a character that is not visible ASCII at position " + i
						+ ". Send visible ASCII only, or a quoted Structured Field string");
			}
		}
		return raw;
	}

	private String parseString(String raw) {
		StringBuilder key = new StringBuilder(raw.length());
		int i = 1;
		while (i < raw.length()) {
			char c = raw.charAt(i);
			if (c == '\\') {
				char next = (i + 1 < raw.length()) ? raw.charAt(i + 1) : 0;
				if (next != '"' && next != '\\') {
					throw invalid("has an invalid escape at position " + i
							+ ". Inside quotes only \\\" and \\\\ are allowed");
				}
				key.append(next);
				i += 2;
			}
			else if (c == '"') {
				if (i != raw.length() - 1) {
					throw invalid("has characters after the closing quote. Send one quoted string or a bare value");
				}
				return key.toString();
			}
			else if (c < 0x20 || c > 0x7E) {
				throw invalid("contains a character that is not printable ASCII at position " + i
						+ ". Send printable ASCII only");
			}
			else {
				key.append(c);
				i++;
			}
		}
		throw invalid("has an opening quote without a closing quote. Close the quoted string or drop the quotes");
	}

	private InvalidIdempotencyKeyException invalid(String problem) {
		return new InvalidIdempotencyKeyException("The " + this.headerName + " header " + problem + ".");
	}

}
