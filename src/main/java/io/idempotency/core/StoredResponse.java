package io.idempotency.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.util.Assert;

/**
 * A captured HTTP response that is replayed for repeated requests with the same key.
 *
 * <p>Headers are kept as an ordered list of name and value pairs, one pair per header line, so multi-valued headers
 * keep their order and a value that contains commas is never split. The body is kept as bytes.
 *
 * @param status the HTTP status code
 * @param headers the header lines to replay, in their original order
 * @param body the body bytes, empty when the response had no body
 * @author Idempotency contributors
 * @since 0.1.0
 */
public record StoredResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

	public StoredResponse {
		Assert.isTrue(status >= 100 && status <= 999, () -> "'status' must be a 3-digit code, was " + status);
		Objects.requireNonNull(headers, "headers");
		Objects.requireNonNull(body, "body");
		headers = List.copyOf(headers);
	}

	/**
	 * Returns the approximate number of bytes this response occupies, used to bound stores by size.
	 * @return the body length plus the length of every header name and value
	 */
	public long size() {
		long size = this.body.length + 16;
		for (Map.Entry<String, String> header : this.headers) {
			size += header.getKey().length() + header.getValue().length() + 8;
		}
		return size;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof StoredResponse that && this.status == that.status && this.headers.equals(that.headers)
				&& java.util.Arrays.equals(this.body, that.body));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.status, this.headers, java.util.Arrays.hashCode(this.body));
	}

	@Override
	public String toString() {
		return "StoredResponse[status=" + this.status + ", headers=" + this.headers.size() + ", body=" + this.body.length
				+ " bytes]";
	}

}
