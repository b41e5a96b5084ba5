package io.idempotency.web;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.idempotency.core.StoredResponse;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Response decorator that copies the body bytes while they are written, up to a limit, so that the response can be
 * stored after the handler completes. Writing is not delayed: each buffer is copied and passed on.
 */
final class ResponseCapture extends ServerHttpResponseDecorator {

	private final int maxBodySize;

	private final List<byte[]> chunks = new ArrayList<>();

	private int bodySize;

	private boolean overflowed;


	ResponseCapture(ServerHttpResponse delegate, int maxBodySize) {
		super(delegate);
		this.maxBodySize = maxBodySize;
	}


	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		return super.writeWith(Flux.from(body).doOnNext(this::copy));
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return super.writeAndFlushWith(Flux.from(body).map((chunk) -> Flux.from(chunk).doOnNext(this::copy)));
	}

	/**
	 * Tells whether the body was larger than the limit, so that it was not captured whole.
	 */
	boolean isOverflowed() {
		return this.overflowed;
	}

	/**
	 * Builds the stored form of the response that was written.
	 * @param policy decides which headers are kept
	 */
	StoredResponse toStoredResponse(IdempotencyPolicy policy) {
		HttpStatusCode status = getStatusCode();
		List<Map.Entry<String, String>> headers = new ArrayList<>();
		getHeaders().forEach((name, values) -> {
			if (policy.isReplayedHeader(name)) {
				for (String value : values) {
					headers.add(Map.entry(name, value));
				}
			}
		});
		byte[] body = new byte[this.bodySize];
		int offset = 0;
		for (byte[] chunk : this.chunks) {
			System.arraycopy(chunk, 0, body, offset, chunk.length);
			offset += chunk.length;
		}
		return new StoredResponse((status != null) ? status.value() : 200, headers, body);
	}

	private void copy(DataBuffer buffer) {
		if (this.overflowed) {
			return;
		}
		int length = buffer.readableByteCount();
		if ((long) this.bodySize + length > this.maxBodySize) {
			this.overflowed = true;
			this.chunks.clear();
			return;
		}
		byte[] chunk = new byte[length];
		int offset = 0;
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			while (iterator.hasNext()) {
				ByteBuffer view = iterator.next().duplicate();
				int remaining = view.remaining();
				view.get(chunk, offset, remaining);
				offset += remaining;
			}
		}
		this.chunks.add(chunk);
		this.bodySize += length;
	}

}
